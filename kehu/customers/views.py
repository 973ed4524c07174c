"""Customer pages: list (htmx filtering, paging, bulk transfer), detail, forms, export, recycle bin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from kehu.core.exceptions import DomainError, FilterError, raise_if_forbidden
from kehu.core.htmx import hx_redirect, render_partial
from kehu.core.pagination import paginate
from kehu.core.scopes import ViewFilter
from kehu.customers import exports, services
from kehu.customers.display import filter_selects, profile_rows
from kehu.customers.forms import ContactForm, CustomerForm, TransferForm
from kehu.customers.models import Customer, Tag
from kehu.customers.selectors import (
    contact_get,
    customer_contacts,
    customer_deleted_get,
    customer_deleted_list,
    customer_get,
    customer_list,
    customer_timeline,
)
from kehu.org.http import AuthenticatedHttpRequest
from kehu.org.selectors import department_visible_list, user_assignable_list
from kehu.pool.models import PoolEventKind, PoolRule
from kehu.pool.selectors import customer_get_or_pooled, pool_events, pool_list
from kehu.pool.services import pool_is_admin, pool_is_member

DETAIL_TABS = {
    "profile": _lazy("Profile"),
    "contacts": _lazy("Contacts"),
    "followups": _lazy("Follow-ups"),  # loaded from the followups app (#followup-panel)
    "deals": _lazy("Deals"),  # loaded from the opportunities app (#deals-panel)
    "purchases": _lazy("Purchases"),  # loaded from the orders app (#purchases-panel)
    "timeline": _lazy("Timeline"),
}

POOL_ENTRIES = [PoolEventKind.RELEASED, PoolEventKind.RECLAIMED, PoolEventKind.MOVED]


def _list_context(request: AuthenticatedHttpRequest) -> dict:
    view = request.GET.get("view") or ViewFilter.ALL
    try:
        customers = customer_list(user=request.user, filters=request.GET, view=view)
    except FilterError:
        customers = customer_list(user=request.user, view=view)
        messages.warning(request, _("Some filters were not understood and were ignored."))
    query = request.GET.copy()
    query.pop("page", None)
    owners = user_assignable_list(user=request.user)
    return {
        "page": paginate(request, customers),
        "view": view,
        "views": ViewFilter.choices,
        "query": query.urlencode(),
        "owners": owners,
        "selects": filter_selects(
            request.GET,
            owners=owners,
            tags=Tag.objects.all()[:200],
            departments=department_visible_list(user=request.user),
        ),
    }


@require_safe
@login_required
def customer_list_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    return render_partial(
        request,
        "customers/customer_list.html",
        _list_context(request),
        target="customer-table",
        partial="table",
    )


@require_safe
@login_required
@permission_required("customers.export_customer", raise_exception=True)
def customer_export_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    view = request.GET.get("view") or ViewFilter.ALL
    try:
        customers = customer_list(user=request.user, filters=request.GET, view=view)
    except FilterError:
        return HttpResponseBadRequest(_("Some filters were not understood."))
    return exports.customer_export(actor=request.user, customers=customers)


def _pool_context(user, customer: Customer) -> dict:
    """The shared pool's banner (a pooled customer) or its release action (an owned one)."""
    if customer.pool_id:
        pool = customer.pool
        entry = pool_events(customer=customer).filter(kind__in=POOL_ENTRIES).first()
        can_assign = user.has_perm("pool.assign_pool_customer") or pool_is_admin(user, pool)
        reason = entry.reason if entry else ""
        if entry and entry.kind == PoolEventKind.RECLAIMED and reason in PoolRule.values:
            reason = PoolRule(reason).label
        return {
            "pool_entry": entry,
            "pool_reason": reason,
            "pool_can_claim": user.has_perm("pool.claim_pool_customer") and pool_is_member(user, pool),
            "pool_can_assign": can_assign,
            "pool_owners": user_assignable_list(user=user) if can_assign else [],
        }
    if customer.owner_id and user.has_perm("pool.release_pool_customer"):
        return {"can_release": True, "release_pools": pool_list(user=user).filter(is_active=True)}
    return {}


@require_safe
@login_required
def customer_detail_view(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    customer, in_scope = customer_get_or_pooled(user=request.user, pk=pk)
    tab = request.GET.get("tab") if request.GET.get("tab") in DETAIL_TABS else "profile"
    context = {"customer": customer, "tab": tab, "tabs": list(DETAIL_TABS.items()), "in_scope": in_scope}
    if not request.htmx:
        context |= _pool_context(request.user, customer)
    if tab == "contacts":
        context["contacts"] = customer_contacts(customer=customer)
    elif tab == "timeline":
        context["timeline"] = customer_timeline(customer=customer)
    else:
        context["profile"] = profile_rows(customer)
    return render_partial(
        request, "customers/customer_detail.html", context, target="customer-tab", partial="tab"
    )


def _form_response(request, form, template: str, context: dict, status: int = 200) -> TemplateResponse:
    return render_partial(
        request, template, {"form": form, **context}, target="form-card", partial="form", status=status
    )


@login_required
@permission_required("customers.add_customer", raise_exception=True)
def customer_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    owners = user_assignable_list(user=request.user)
    form = CustomerForm(request.POST or None, owners=owners, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                actor=request.user,
                data=form.service_data(),
                owner=form.cleaned_data.get("owner"),
                tags=form.tag_names(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Customer “%(name)s” created.") % {"name": customer.name})
            return hx_redirect(request, reverse("customers:detail", args=[customer.pk]))
    return _form_response(request, form, "customers/customer_form.html", {"customer": None})


@login_required
@permission_required("customers.change_customer", raise_exception=True)
def customer_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(user=request.user, pk=pk)
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.customer_update(actor=request.user, customer=customer, data=form.service_data())
                services.customer_set_tags(actor=request.user, customer=customer, names=form.tag_names())
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Changes saved."))
            return hx_redirect(request, reverse("customers:detail", args=[customer.pk]))
    return _form_response(request, form, "customers/customer_form.html", {"customer": customer})


@require_POST
@login_required
def customer_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(user=request.user, pk=pk)
    _run(
        request,
        services.customer_delete,
        actor=request.user,
        customer=customer,
        success=_("Customer “%(name)s” moved to the recycle bin.") % {"name": customer.name},
    )
    return hx_redirect(request, reverse("customers:list"))


@require_POST
@login_required
def customer_restore_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = customer_deleted_get(user=request.user, pk=pk)
    if _run(
        request,
        services.customer_restore,
        actor=request.user,
        customer=customer,
        success=_("Customer “%(name)s” restored.") % {"name": customer.name},
    ):
        return hx_redirect(request, reverse("customers:detail", args=[customer.pk]))
    return hx_redirect(request, reverse("customers:recycle_bin"))


def _run(request, service, *, success: str, **kwargs) -> bool:
    """Run a one-click service; report the outcome as a message."""
    try:
        service(**kwargs)
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


@require_POST
@login_required
def customer_transfer_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TransferForm(request.POST, owners=user_assignable_list(user=request.user))
    back = reverse("customers:list") + (
        "?" + request.POST["next_query"] if request.POST.get("next_query") else ""
    )
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return hx_redirect(request, back)
    try:
        moved = services.customer_transfer(
            actor=request.user,
            customer_ids=form.cleaned_data["ids"],
            new_owner=form.cleaned_data["owner"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(count)d customers transferred to %(owner)s.")
            % {"count": moved, "owner": form.cleaned_data["owner"]},
        )
    return hx_redirect(request, back)


@require_safe
@login_required
def recycle_bin_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    return TemplateResponse(
        request,
        "customers/recycle_bin.html",
        {"page": paginate(request, customer_deleted_list(user=request.user))},
    )


@login_required
def contact_create_view(request: AuthenticatedHttpRequest, customer_pk: int) -> HttpResponse:
    customer = customer_get(user=request.user, pk=customer_pk)
    form = ContactForm(request.POST or None)
    return _save_contact(
        request,
        form,
        customer,
        lambda data: services.contact_create(actor=request.user, customer=customer, data=data),
    )


@login_required
def contact_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = contact_get(user=request.user, pk=pk)
    form = ContactForm(request.POST or None, instance=contact)
    return _save_contact(
        request,
        form,
        contact.customer,
        lambda data: services.contact_update(actor=request.user, contact=contact, data=data),
    )


def _save_contact(request, form: ContactForm, customer, save) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form.service_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            raise_if_forbidden(exc)
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Contact saved."))
            return hx_redirect(request, reverse("customers:detail", args=[customer.pk]) + "?tab=contacts")
    return _form_response(request, form, "customers/contact_form.html", {"customer": customer})


@require_POST
@login_required
def contact_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = contact_get(user=request.user, pk=pk)
    _run(
        request,
        services.contact_delete,
        actor=request.user,
        contact=contact,
        success=_("Contact “%(name)s” deleted.") % {"name": contact.name},
    )
    return hx_redirect(request, reverse("customers:detail", args=[contact.customer_id]) + "?tab=contacts")
