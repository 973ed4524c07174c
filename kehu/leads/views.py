"""Lead pages: list (htmx filters, paging, bulk assignment, claim from the pool), detail and its actions,
forms, conversion, assignment rules with their dry run, and the conversion report."""

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kehu.core.exceptions import DomainError, FilterError, raise_if_forbidden
from kehu.core.htmx import hx_redirect, render_partial, toast
from kehu.core.pagination import paginate
from kehu.core.scopes import ViewFilter
from kehu.customers.models import Customer
from kehu.leads import display, services
from kehu.leads.choices import LeadChannel
from kehu.leads.forms import (
    AssignForm,
    ConvertOpportunityForm,
    InvalidateForm,
    LeadForm,
    RuleForm,
    RuleMemberFormSet,
    RulePreviewForm,
    rule_members,
)
from kehu.leads.models import AssignmentRule, Lead
from kehu.leads.selectors import (
    lead_assignments,
    lead_conversion_report,
    lead_get,
    lead_history,
    lead_list,
    rule_get,
    rule_list,
)
from kehu.org.http import AuthenticatedHttpRequest
from kehu.org.selectors import user_assignable_list

DETAIL_TABS = {"profile": _lazy("Profile"), "history": _lazy("History"), "assignments": _lazy("Assignments")}
POOL = "pool"
STATUS_ACTIONS = {
    "contacted": (services.lead_mark_contacted, _lazy("Marked as contacted.")),
    "qualified": (services.lead_qualify, _lazy("Lead qualified.")),
    "reopened": (services.lead_reopen, _lazy("Lead reopened.")),
}
PERIODS = {
    "month": _lazy("This month"),
    "quarter": _lazy("This quarter"),
    "year": _lazy("This year"),
    "all": _lazy("All time"),
}


def _run(request, service, *, success: str, **kwargs) -> bool:
    """Run a one-click service; report the outcome as a message (403 stays a 403)."""
    try:
        service(**kwargs)
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def _detail_url(lead_or_pk) -> str:
    return reverse("leads:detail", args=[getattr(lead_or_pk, "pk", lead_or_pk)])


# --- the list ---------------------------------------------------------------------------------------------


def _views(user) -> list[tuple[str, str]]:
    views = list(ViewFilter.choices)
    if user.has_perm("leads.claim_lead"):
        views.append((POOL, _("Lead pool")))
    return views


def _list_context(request: AuthenticatedHttpRequest) -> dict:
    views = _views(request.user)
    view = request.GET.get("view") or ViewFilter.ALL
    if view not in dict(views):
        view = ViewFilter.ALL
    try:
        leads = lead_list(user=request.user, filters=request.GET, view=view)
    except FilterError:
        leads = lead_list(user=request.user, view=view)
        messages.warning(request, _("Some filters were not understood and were ignored."))
    query = request.GET.copy()
    query.pop("page", None)
    owners = user_assignable_list(user=request.user)
    page = paginate(request, leads)
    context = {
        "page": page,
        "rows": display.lead_rows(page.object_list),
        "view": view,
        "views": views,
        "query": query.urlencode(),
        "owners": owners,
        "selects": display.filter_selects(request.GET, owners=owners, pool=view == POOL),
        "can_assign": request.user.has_perm("leads.assign_lead"),
    }
    if view == POOL:
        context["claims"] = (services.claims_today(request.user), settings.KEHU_LEAD_CLAIMS_PER_DAY)
    return context


@require_safe
@login_required
def lead_list_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    return render_partial(
        request, "leads/lead_list.html", _list_context(request), target="lead-table", partial="table"
    )


@require_POST
@login_required
@permission_required("leads.assign_lead", raise_exception=True)
def lead_assign_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Give the ticked leads (from the list) or one lead (from its page) to a person."""
    form = AssignForm(request.POST, owners=user_assignable_list(user=request.user))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("leads:list") + (
            "?" + request.POST["next_query"] if request.POST.get("next_query") else ""
        )
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return hx_redirect(request, back)
    owner = form.cleaned_data["owner"]
    _run(
        request,
        services.lead_assign,
        actor=request.user,
        lead_ids=form.cleaned_data["ids"],
        owner=owner,
        reason=form.cleaned_data["reason"],
        success=_("Leads assigned to %(owner)s.") % {"owner": owner},
    )
    return hx_redirect(request, back)


@require_POST
@login_required
def lead_claim_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Claim from the pool. In the list (htmx) the row is replaced; otherwise a redirect with a message."""
    try:
        lead = services.lead_claim(actor=request.user, lead_id=pk)
    except DomainError as exc:
        raise_if_forbidden(exc)
        if request.htmx and request.htmx.target == f"lead-row-{pk}":
            response = TemplateResponse(
                request,
                "leads/lead_list.html#row",
                {"row": None, "taken": exc.message, "view": POOL, "can_assign": False},
            )
            return toast(response, exc.message, "error")
        messages.error(request, exc.message)
        return hx_redirect(request, reverse("leads:list") + "?view=pool")
    done = _("You claimed “%(lead)s”.") % {"lead": lead}
    if request.htmx and request.htmx.target == f"lead-row-{pk}":
        row = display.lead_rows([lead])[0]
        response = TemplateResponse(
            request,
            "leads/lead_list.html#row",
            {
                "row": row,
                "claimed": True,
                "view": POOL,
                "can_assign": request.user.has_perm("leads.assign_lead"),
            },
        )
        return toast(response, done)
    messages.success(request, done)
    return hx_redirect(request, _detail_url(lead))


# --- one lead ---------------------------------------------------------------------------------------------


def _detail_context(request: AuthenticatedHttpRequest, lead: Lead) -> dict:
    user = request.user
    visible = Lead.objects.visible_to(user).alive()
    context = {
        "lead": lead,
        "can_work": user.has_perm("leads.change_lead") and visible.filter(pk=lead.pk).exists(),
        "sla": display.sla_state(lead, timezone.now()),
        "last_assignment": lead.assignments.select_related("rule", "assignee").first(),
        "duplicate_reason": display.duplicate_reason(lead),
        "duplicate_customer_visible": bool(
            lead.duplicate_customer_id
            and Customer.objects.visible_to(user).alive().filter(pk=lead.duplicate_customer_id).exists()
        ),
        "duplicate_lead_visible": bool(
            lead.duplicate_of_id
            and (
                visible.filter(pk=lead.duplicate_of_id).exists()
                or (
                    user.has_perm("leads.claim_lead")
                    and Lead.objects.in_pool().filter(pk=lead.duplicate_of_id).exists()
                )
            )
        ),
        "invalidate_form": InvalidateForm(),
    }
    if user.has_perm("leads.assign_lead") and lead.is_open:
        context["owners"] = user_assignable_list(user=user)
    return context


@require_safe
@login_required
def lead_detail_view(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    lead = lead_get(user=request.user, pk=pk)
    tab = request.GET.get("tab") if request.GET.get("tab") in DETAIL_TABS else "profile"
    context = {**_detail_context(request, lead), "tab": tab, "tabs": list(DETAIL_TABS.items())}
    if tab == "history":
        context["history"] = display.history_rows(lead_history(lead=lead))
    elif tab == "assignments":
        context["assignments"] = lead_assignments(lead=lead)
    else:
        context["profile"] = display.profile_rows(lead)
    return render_partial(request, "leads/lead_detail.html", context, target="lead-tab", partial="tab")


def _form_response(request, form, lead: Lead | None) -> TemplateResponse:
    return render_partial(
        request, "leads/lead_form.html", {"form": form, "lead": lead}, target="form-card", partial="form"
    )


def _service_failed(form, exc: ValidationError | DomainError) -> None:
    if isinstance(exc, DomainError) and exc.status_code == 403:
        raise PermissionDenied(exc.message) from exc
    form.add_service_errors(exc)


@login_required
@permission_required("leads.add_lead", raise_exception=True)
def lead_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        owner = request.user if form.cleaned_data["assign"] == "me" else None
        try:
            lead = services.lead_capture(
                actor=request.user, data=form.service_data(), channel=LeadChannel.MANUAL, owner=owner
            )
        except (ValidationError, DomainError) as exc:
            _service_failed(form, exc)
        else:
            if lead.owner_id:
                messages.success(
                    request, _("Lead created and assigned to %(owner)s.") % {"owner": lead.owner}
                )
            else:
                messages.success(request, _("Lead created. Nobody could take it: it is in the lead pool."))
            try:
                lead_get(user=request.user, pk=lead.pk)
            except Http404:  # it went to someone outside what this user may see
                return hx_redirect(request, reverse("leads:list"))
            return hx_redirect(request, _detail_url(lead))
    return _form_response(request, form, None)


@login_required
@permission_required("leads.change_lead", raise_exception=True)
def lead_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lead = lead_get(user=request.user, pk=pk)
    form = LeadForm(request.POST or None, instance=lead)
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_update(actor=request.user, lead=lead, data=form.service_data())
        except (ValidationError, DomainError) as exc:
            _service_failed(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return hx_redirect(request, _detail_url(lead))
    return _form_response(request, form, lead)


@require_POST
@login_required
def lead_status_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark contacted, qualify or reopen (`status` = contacted | qualified | reopened)."""
    lead = lead_get(user=request.user, pk=pk)
    action = STATUS_ACTIONS.get(request.POST.get("status", ""))
    if action is None:
        return HttpResponseBadRequest(_("Use contacted, qualified or reopened."))
    service, success = action
    _run(request, service, actor=request.user, lead=lead, success=str(success))
    return hx_redirect(request, _detail_url(lead))


@require_POST
@login_required
def lead_invalidate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lead = lead_get(user=request.user, pk=pk)
    form = InvalidateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the lead is invalid."))
    else:
        _run(
            request,
            services.lead_invalidate,
            actor=request.user,
            lead=lead,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            success=_("Lead marked invalid."),
        )
    return hx_redirect(request, _detail_url(lead))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("leads.convert_lead", raise_exception=True)
def lead_convert_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: what the conversion will do (new customer, or attach to the duplicate); POST: convert."""
    lead = lead_get(user=request.user, pk=pk)
    form = ConvertOpportunityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = form.opportunity_data()
            if opportunity is None:
                customer = services.lead_convert(actor=request.user, lead=lead)
            else:
                customer, created = services.lead_convert_with_opportunity(
                    actor=request.user, lead=lead, opportunity=opportunity
                )
        except (DomainError, ValidationError) as exc:
            if isinstance(exc, DomainError):
                raise_if_forbidden(exc)
            messages.error(request, exc.message if isinstance(exc, DomainError) else " ".join(exc.messages))
            return hx_redirect(request, _detail_url(lead))
        messages.success(request, _("Lead converted into the customer “%(name)s”.") % {"name": customer.name})
        if opportunity is not None:
            return hx_redirect(request, reverse("opportunities:detail", args=[created.pk]))
        return hx_redirect(request, reverse("customers:detail", args=[customer.pk]))
    context = _detail_context(request, lead)
    if context["duplicate_customer_visible"]:
        context["convert_into"] = lead.duplicate_customer
    context |= {"converting": True, "opportunity_form": form}
    return TemplateResponse(request, "leads/lead_detail.html", context)


# --- assignment rules -------------------------------------------------------------------------------------


@require_safe
@login_required
@permission_required("leads.view_assignmentrule", raise_exception=True)
def rule_list_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "leads/rule_list.html", {"rows": display.rule_rows(rule_list())})


def _rule_forms(request, rule: AssignmentRule | None) -> tuple[RuleForm, RuleMemberFormSet]:
    data = request.POST if request.method == "POST" else None
    initial = [
        {"user": m.user_id, "weight": m.weight, "monthly_capacity": m.monthly_capacity}
        for m in (rule.members.all() if rule else [])
    ]
    form = RuleForm(data, instance=rule or AssignmentRule())
    return form, RuleMemberFormSet(data, prefix="members", initial=initial)


def _rule_page(request, rule: AssignmentRule | None) -> HttpResponse:
    form, members = _rule_forms(request, rule)
    if request.method == "POST" and form.is_valid() and members.is_valid():
        try:
            saved = services.rule_save(
                actor=request.user,
                rule=rule,
                data=form.service_data(),
                members=rule_members(members),
                department_ids=form.department_ids(),
            )
        except (ValidationError, DomainError) as exc:
            _service_failed(form, exc)
        else:
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": saved.name})
            return hx_redirect(request, reverse("leads:rule_edit", args=[saved.pk]))
    context = {"form": form, "members": members, "rule": rule, "preview_form": RulePreviewForm()}
    return render_partial(request, "leads/rule_form.html", context, target="form-card", partial="form")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("leads.add_assignmentrule", raise_exception=True)
def rule_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _rule_page(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("leads.view_assignmentrule", raise_exception=True)
def rule_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Anyone who may see rules sees the form; saving needs leads.change_assignmentrule (rule_save checks)."""
    return _rule_page(request, rule_get(pk=pk))


@require_safe
@login_required
@permission_required("leads.view_assignmentrule", raise_exception=True)
def rule_preview_view(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    """Dry run of the saved rule on the last N leads; htmx gets the panel, a plain request the page."""
    rule = rule_get(pk=pk)
    form, members = _rule_forms(request, rule)
    preview_form = RulePreviewForm(request.GET)
    context = {"form": form, "members": members, "rule": rule, "preview_form": preview_form}
    if preview_form.is_valid():
        result = services.rule_preview(rule=rule, last=preview_form.cleaned_data["last"])
        context |= {"preview": result, "preview_text": display.preview_sentence(result)}
    return render_partial(request, "leads/rule_form.html", context, target="rule-preview", partial="preview")


# --- the conversion report -------------------------------------------------------------------------------


def _period_start(period: str, now: datetime) -> datetime | None:
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "month":
        return today.replace(day=1)
    if period == "quarter":
        return today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    if period == "year":
        return today.replace(month=1, day=1)
    return None


@require_safe
@login_required
@permission_required("leads.view_lead", raise_exception=True)
def lead_report_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    period = request.GET.get("period") if request.GET.get("period") in PERIODS else "month"
    since = _period_start(period, timezone.now())
    report = display.report_rows(lead_conversion_report(user=request.user, since=since))
    context = {
        "period": period,
        "periods": list(PERIODS.items()),
        "since": since,
        **report,
        "charts": {name: display.report_chart(rows) for name, rows in report.items()},
    }
    return TemplateResponse(request, "leads/lead_report.html", context)
