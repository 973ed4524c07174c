"""Contract pages: the list (filters, sort), the form with its line editor (from a customer, or prefilled from
a won opportunity after a confirmation), the detail page with the actions the contract's status allows, its
approval history, amendments, attachments and timeline, the amendment page, and attachment downloads."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from kehu.approvals.choices import RequestStatus
from kehu.approvals.selectors import approval_history
from kehu.core.activity import activity_for
from kehu.core.exceptions import DomainError, FilterError, raise_if_forbidden
from kehu.core.htmx import hx_redirect, render_partial
from kehu.core.pagination import paginate
from kehu.core.params import id_param
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get
from kehu.org.http import AuthenticatedHttpRequest
from kehu.org.models import User
from kehu.sales.contracts import services
from kehu.sales.contracts.choices import EDITABLE, IN_FORCE, SIGNED, ContractStatus
from kehu.sales.contracts.filters import ContractFilter
from kehu.sales.contracts.forms import (
    AmendForm,
    AttachmentForm,
    ContractForm,
    ContractLineFormSet,
    add_service_errors,
    line_initial,
    price_hints,
    product_choices,
)
from kehu.sales.contracts.models import Contract, ContractAmendment
from kehu.sales.contracts.selectors import contract_get, contract_list
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.selectors import opportunity_get

DETAIL_TABS = {
    "lines": _lazy("Lines and terms"),
    "payments": _lazy("Payments"),  # signed contracts; loaded from the payments app (#payments-panel)
    "approvals": _lazy("Approval history"),
    "amendments": _lazy("Amendments"),
    "attachments": _lazy("Attachments"),
    "timeline": _lazy("Timeline"),
}


Outcome = tuple[str, str]  # (where to go, what happened)


def _detail_url(contract: Contract, tab: str = "") -> str:
    return reverse("contracts:detail", args=[contract.pk]) + (f"?tab={tab}" if tab else "")


def _may_change(user: User, contract: Contract) -> bool:
    try:
        services.ensure_can_change(user, contract)
    except DomainError:
        return False
    return True


# List ------------------------------------------------------------------------------------------------------


def _selects(params: Any, user: User) -> list[dict]:
    declared = ContractFilter.base_filters
    selects = [
        ("owner", declared["owner"].label, [(str(user.pk), _("Mine"))], True),
        ("status", declared["status"].label, declared["status"].extra["choices"], True),
        ("sort", declared["sort"].label, declared["sort"].extra["choices"], False),
    ]
    return [
        {"name": name, "label": label, "choices": choices, "any": any_, "current": params.get(name, "")}
        for name, label, choices, any_ in selects
    ]


@require_safe
@login_required
def contract_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        contracts = contract_list(user=request.user, filters=request.GET)
    except FilterError:
        contracts = contract_list(user=request.user)
        messages.warning(request, _("Some filters were not understood and were ignored."))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": paginate(request, contracts),
        "query": query.urlencode(),
        "selects": _selects(request.GET, request.user),
        "filtered": any(request.GET.get(k) for k in ("q", "owner", "status", "signed_from", "signed_to")),
    }
    return render_partial(
        request, "contracts/contract_list.html", context, target="contract-table", partial="table"
    )


# Create and edit -------------------------------------------------------------------------------------------


def _write(
    actor: User, form: ContractForm, lines: Any, customer: Customer, contract: Contract | None
) -> Contract:
    given = {
        "data": form.service_data(),
        "lines": lines.rows(),
        "signing_contact": form.cleaned_data["signing_contact"],
        "signatory": form.cleaned_data["signatory"],
    }
    if contract is None:
        return services.contract_create(actor=actor, customer=customer, **given)
    return services.contract_update(actor=actor, contract=contract, **given)


def _save(request: AuthenticatedHttpRequest, customer: Customer, contract: Contract | None) -> HttpResponse:
    kept = [line.product for line in contract.lines.all() if line.product] if contract else []
    products = product_choices(kept)
    data = request.POST if request.method == "POST" else None
    form = ContractForm(data, customer=customer, user=request.user, instance=contract)
    initial = line_initial(contract) if contract else []
    lines = ContractLineFormSet(data, prefix="lines", initial=initial, products=products)
    line_errors: list[str] = []
    if data is not None and all([form.is_valid(), lines.is_valid()]):
        try:
            contract = _write(request.user, form, lines, customer, contract)
        except ValidationError as exc:
            line_errors = add_service_errors(form, exc)
        except DomainError as exc:
            raise_if_forbidden(exc)
            if exc.field == "lines":
                line_errors = [exc.message]
            else:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Contract %(number)s saved.") % {"number": contract.number})
            return hx_redirect(request, _detail_url(contract))
    context = {
        "form": form,
        "lines": lines,
        "line_errors": line_errors,
        "customer": customer,
        "contract": contract,
        "price_hints": price_hints(products),
    }
    return render_partial(
        request, "contracts/contract_form.html", context, target="form-card", partial="form"
    )


def _from_opportunity(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A won opportunity: show what the contract will copy; on POST create it and open its form."""
    opportunity = opportunity_get(user=request.user, pk=pk)
    if opportunity.status != OpportunityStatus.WON:
        messages.error(request, _("Only a won opportunity becomes a contract: mark it as won first."))
        return redirect("opportunities:detail", pk=opportunity.pk)
    if request.method == "POST":

        def create() -> Outcome:
            contract = services.contract_create_from_opportunity(actor=request.user, opportunity=opportunity)
            done = _("Draft contract %(number)s created from the opportunity: check it and save.")
            return reverse("contracts:edit", args=[contract.pk]), done % {"number": contract.number}

        return _run(request, create, reverse("opportunities:detail", args=[opportunity.pk]))
    quote = services.contract_source_quote(opportunity)
    existing = Contract.objects.visible_to(request.user).alive().filter(opportunity=opportunity)
    context = {
        "opportunity": opportunity,
        "quote": quote,
        "lines": list(quote.lines.all() if quote else opportunity.lines.all()),
        "contact": (quote.contact if quote else None) or opportunity.contacts.filter(deleted_at=None).first(),
        "existing": existing.order_by("-created_at"),
    }
    return TemplateResponse(request, "contracts/contract_from_opportunity.html", context)


@login_required
@permission_required("contracts.add_contract", raise_exception=True)
def contract_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    opportunity_pk = id_param(request.GET.get("opportunity"))
    if opportunity_pk is not None:
        return _from_opportunity(request, opportunity_pk)
    customer_pk = id_param(request.GET.get("customer"))
    if customer_pk is None:
        messages.info(request, _("Open a customer or a won opportunity to write a contract for it."))
        return redirect("customers:list")
    return _save(request, customer_get(user=request.user, pk=customer_pk), None)


@login_required
@permission_required("contracts.change_contract", raise_exception=True)
def contract_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = contract_get(user=request.user, pk=pk)
    try:
        services.ensure_can_change(request.user, contract)
    except DomainError as exc:
        raise_if_forbidden(exc)
    if not contract.is_editable:
        messages.error(
            request,
            _("A contract that is %(status)s cannot be edited: amend it instead once it is in force.")
            % {"status": contract.get_status_display().lower()},
        )
        return hx_redirect(request, _detail_url(contract))
    return _save(request, contract.customer, contract)


@login_required
@permission_required("contracts.change_contract", raise_exception=True)
def contract_amend_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = contract_get(user=request.user, pk=pk)
    try:
        services.ensure_can_change(request.user, contract)
    except DomainError as exc:
        raise_if_forbidden(exc)
    if not contract.is_in_force:
        messages.error(
            request,
            _("Only a contract in force is amended; this one is %(status)s.")
            % {"status": contract.get_status_display().lower()},
        )
        return hx_redirect(request, _detail_url(contract))
    products = product_choices([line.product for line in contract.lines.all() if line.product])
    data = request.POST if request.method == "POST" else None
    form = AmendForm(data, instance=contract)
    lines = ContractLineFormSet(data, prefix="lines", initial=line_initial(contract), products=products)
    line_errors: list[str] = []
    if data is not None and all([form.is_valid(), lines.is_valid()]):
        try:
            amendment = services.contract_amend(
                actor=request.user,
                contract=contract,
                reason=form.cleaned_data["reason"],
                data=form.service_data(),
                lines=lines.rows(),
            )
        except ValidationError as exc:
            line_errors = add_service_errors(form, exc)
        except DomainError as exc:
            raise_if_forbidden(exc)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            done = _("Contract %(number)s amended (amendment %(n)s).")
            messages.success(request, done % {"number": contract.number, "n": amendment.sequence})
            return hx_redirect(request, _detail_url(contract, "amendments"))
    context = {
        "form": form,
        "lines": lines,
        "line_errors": line_errors,
        "contract": contract,
        "price_hints": price_hints(products),
    }
    return render_partial(
        request, "contracts/contract_amend.html", context, target="form-card", partial="form"
    )


# Detail ----------------------------------------------------------------------------------------------------


def _actions(user: User, contract: Contract, approvals: list) -> dict[str, bool]:
    """What the user may do to the contract in its status (the services decide again on each request)."""
    may = _may_change(user, contract)
    status = contract.status
    pending = any(a.status == RequestStatus.PENDING for a in approvals)
    return {
        "edit": may and contract.is_editable,
        "submit": may and contract.is_editable,
        "withdraw": may and pending,
        "start": may and status == ContractStatus.APPROVED,
        "complete": may and status == ContractStatus.EXECUTING,
        "terminate": may and status in (*EDITABLE, *IN_FORCE),
        "amend": may and contract.is_in_force,
        "delete": (
            may
            and status == ContractStatus.DRAFT
            and not approvals
            and user.has_perm("contracts.delete_contract")
        ),
        "attach": may,
        "detach": may and contract.is_editable,
    }


def _shown(value: Any, field: str = "") -> str:
    if field == "amount" and value not in (None, "", "None"):
        return f"{Decimal(value):,.2f}"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value) or "—"
    return "—" if value in (None, "", "None") else str(value)


def _amendment_rows(amendment: ContractAmendment) -> list[dict[str, str]]:
    """The amendment's changes as (what, before, after) rows, labelled in the user's language."""
    rows = []
    for field, (before, after) in amendment.changes.items():
        label = _("Lines") if field == "lines" else Contract._meta.get_field(field).verbose_name
        rows.append(
            {"field": str(label).capitalize(), "before": _shown(before, field), "after": _shown(after, field)}
        )
    return rows


def _tabs(user: User, contract: Contract) -> dict[str, Any]:
    """The Payments tab is for contracts that were signed (a terminated one shows what was recorded)."""
    signed = contract.status in SIGNED or (
        contract.status == ContractStatus.TERMINATED and contract.approved_at is not None
    )
    shown = signed and user.has_perm("payments.view_instalment")
    return {key: label for key, label in DETAIL_TABS.items() if key != "payments" or shown}


@require_safe
@login_required
def contract_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = contract_get(user=request.user, pk=pk)
    tabs = _tabs(request.user, contract)
    tab = request.GET.get("tab") if request.GET.get("tab") in tabs else "lines"
    approvals = list(approval_history(document=contract, newest_first=True))
    context: dict[str, Any] = {
        "contract": contract,
        "tab": tab,
        "tabs": list(tabs.items()),
        "approvals": approvals,
        "actions": _actions(request.user, contract, approvals),
    }
    if tab == "timeline":
        context["timeline"] = activity_for(contract)[:100]
    elif tab == "amendments":
        context["amendments"] = [(a, _amendment_rows(a)) for a in reversed(contract.amendments.all())]
    elif tab == "attachments":
        context["max_mb"] = settings.KEHU_ATTACHMENT_MAX_MB
    elif tab == "lines":
        context["lines_total"] = sum((line.amount for line in contract.lines.all()), Decimal(0))
    return render_partial(
        request, "contracts/contract_detail.html", context, target="contract-tab", partial="tab"
    )


# Actions ---------------------------------------------------------------------------------------------------


def _submit(request: AuthenticatedHttpRequest, contract: Contract) -> Outcome:
    contract = services.contract_submit(actor=request.user, contract=contract)
    if contract.status == ContractStatus.APPROVED:
        done = _("Contract %(number)s approved at once: it needs no further approval.")
    else:
        done = _("Contract %(number)s submitted: waiting for approval.")
    return _detail_url(contract), done % {"number": contract.number}


def _withdraw(request: AuthenticatedHttpRequest, contract: Contract) -> Outcome:
    services.contract_withdraw(actor=request.user, contract=contract)
    return _detail_url(contract), _("Contract %(number)s withdrawn: it is a draft again.") % {
        "number": contract.number
    }


def _start(request: AuthenticatedHttpRequest, contract: Contract) -> Outcome:
    services.contract_start(actor=request.user, contract=contract)
    return _detail_url(contract), _("Contract %(number)s is being executed.") % {"number": contract.number}


def _complete(request: AuthenticatedHttpRequest, contract: Contract) -> Outcome:
    services.contract_complete(actor=request.user, contract=contract)
    return _detail_url(contract), _("Contract %(number)s completed.") % {"number": contract.number}


def _terminate(request: AuthenticatedHttpRequest, contract: Contract) -> Outcome:
    services.contract_terminate(actor=request.user, contract=contract, reason=request.POST.get("reason", ""))
    return _detail_url(contract), _("Contract %(number)s terminated.") % {"number": contract.number}


def _delete(request: AuthenticatedHttpRequest, contract: Contract) -> Outcome:
    number = contract.number
    services.contract_delete(actor=request.user, contract=contract)
    return reverse("contracts:list"), _("Draft contract %(number)s deleted.") % {"number": number}


ACTIONS: dict[str, Callable[[AuthenticatedHttpRequest, Contract], Outcome]] = {
    "submit": _submit,
    "withdraw": _withdraw,
    "start": _start,
    "complete": _complete,
    "terminate": _terminate,
    "delete": _delete,
}


def _run(request: AuthenticatedHttpRequest, run: Callable[[], Outcome], back: str) -> HttpResponse:
    """Run an action; its outcome, or the reason it was refused, is reported as a message."""
    try:
        url, done = run()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
        return hx_redirect(request, url)
    return hx_redirect(request, back)


@require_POST
@login_required
def contract_action_view(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """One of the detail page's buttons."""
    run = ACTIONS.get(action)
    if run is None:
        raise Http404
    contract = contract_get(user=request.user, pk=pk)
    return _run(request, lambda: run(request, contract), _detail_url(contract))


# Attachments -----------------------------------------------------------------------------------------------


@require_POST
@login_required
def contract_attach_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = contract_get(user=request.user, pk=pk)
    back = _detail_url(contract, "attachments")
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return hx_redirect(request, back)

    def attach() -> Outcome:
        attachment = services.contract_attach(
            actor=request.user, contract=contract, upload=form.cleaned_data["file"]
        )
        return back, _("%(file)s attached.") % {"file": attachment.name}

    return _run(request, attach, back)


@require_POST
@login_required
def contract_detach_view(request: AuthenticatedHttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    contract = contract_get(user=request.user, pk=pk)
    attachment = get_object_or_404(contract.attachments.all(), pk=attachment_pk)
    back = _detail_url(contract, "attachments")

    def detach() -> Outcome:
        services.contract_attachment_delete(actor=request.user, attachment=attachment)
        return back, _("%(file)s removed.") % {"file": attachment.name}

    return _run(request, detach, back)


@require_safe
@login_required
def contract_attachment_view(request: AuthenticatedHttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Download an attachment of a contract the user may see; files are never served from MEDIA directly."""
    contract = contract_get(user=request.user, pk=pk)
    attachment = get_object_or_404(contract.attachments.all(), pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)
