"""Opportunity pages: list (filters, totals), kanban board (drag and drop), detail with its actions, forms."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from kehu.core.activity import activity_for
from kehu.core.exceptions import DomainError, FilterError, raise_if_forbidden
from kehu.core.htmx import hx_redirect, render_partial, toast
from kehu.core.pagination import paginate
from kehu.core.params import id_param
from kehu.core.scopes import ViewFilter
from kehu.customers.models import Customer
from kehu.org.http import AuthenticatedHttpRequest
from kehu.org.models import User
from kehu.org.selectors import user_assignable_list
from kehu.sales.opportunities import services
from kehu.sales.opportunities.filters import OpportunityFilter
from kehu.sales.opportunities.forms import (
    MemberForm,
    OpportunityForm,
    ReviewForm,
    TransferForm,
    opportunity_line_formset,
)
from kehu.sales.opportunities.models import Opportunity, Pipeline, Stage
from kehu.sales.opportunities.selectors import (
    opportunity_board,
    opportunity_get,
    opportunity_history,
    opportunity_list,
    pipeline_list,
)
from kehu.sales.products.widgets import ProductLineFormSet, price_hints

DETAIL_TABS = {
    "details": _lazy("Details"),
    "lines": _lazy("Product lines"),
    "quotes": _lazy("Quotes"),
    "history": _lazy("Stage history"),
    "timeline": _lazy("Timeline"),
}
DETAIL_FIELDS = (
    "source",
    "campaign",
    "sales_method",
    "competitors",
    "description",
    "close_reason",
    "winning_competitor",
    "review_summary",
    "created_at",
    "closed_at",
)


def _mark_idle(rows: Any) -> None:
    now = timezone.now()
    for o in rows:
        days = o.stage.usual_days
        o.is_idle = bool(days) and o.status == "open" and o.stage_entered_at < now - timedelta(days=days)


def _selects(params: Any, *, owners: Any, pipelines: list[Pipeline]) -> list[dict]:
    declared = OpportunityFilter.base_filters
    stages = [(str(s.pk), f"{p.name} · {s.name}") for p in pipelines for s in p.stages.all()]
    selects = [
        ("pipeline", _("Pipeline"), [(str(p.pk), p.name) for p in pipelines], True),
        ("stage", _("Stage"), stages, True),
        ("status", declared["status"].label, declared["status"].extra["choices"], True),
        ("owner", _("Owner"), [(str(u.pk), str(u)) for u in owners], True),
        ("sort", declared["sort"].label, declared["sort"].extra["choices"], False),
    ]
    return [
        {"name": name, "label": label, "choices": choices, "any": any_, "current": params.get(name, "")}
        for name, label, choices, any_ in selects
    ]


@require_safe
@login_required
def opportunity_list_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    view = request.GET.get("view") or ViewFilter.ALL
    try:
        opportunities = opportunity_list(user=request.user, filters=request.GET, view=view)
    except FilterError:
        opportunities = opportunity_list(user=request.user, view=view)
        messages.warning(request, _("Some filters were not understood and were ignored."))
    totals = opportunities.order_by().aggregate(amount=Sum("amount"), weighted=Sum("weighted_amount"))
    page = paginate(request, opportunities)
    _mark_idle(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "totals": totals,
        "view": view,
        "views": ViewFilter.choices,
        "query": query.urlencode(),
        "selects": _selects(
            request.GET, owners=user_assignable_list(user=request.user), pipelines=list(pipeline_list())
        ),
    }
    return render_partial(
        request, "opportunities/opportunity_list.html", context, target="opportunity-table", partial="table"
    )


def _board_context(request: AuthenticatedHttpRequest, pipeline: Pipeline, view: str) -> dict:
    return {
        "board": opportunity_board(user=request.user, pipeline=pipeline, view=view),
        "pipeline": pipeline,
        "view": view,
    }


def _view_of(value: str | None) -> str:
    return value if value in ViewFilter.values else ViewFilter.ALL


@require_safe
@login_required
def opportunity_board_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    pipelines = list(pipeline_list(active_only=True))
    wanted = request.GET.get("pipeline", "")
    pipeline = next((p for p in pipelines if str(p.pk) == wanted), None) or next(
        (p for p in pipelines if p.is_default), pipelines[0] if pipelines else None
    )
    if pipeline is None:
        raise Http404(_("No active pipeline exists."))
    view = _view_of(request.GET.get("view"))
    context = {
        **_board_context(request, pipeline, view),
        "pipelines": pipelines,
        "views": ViewFilter.choices,
        "board_next": f"{reverse('opportunities:board')}?pipeline={pipeline.pk}&view={view}",
    }
    return render_partial(
        request, "opportunities/opportunity_board.html", context, target="opportunity-board", partial="board"
    )


def _detail_url(opportunity: Opportunity) -> str:
    return reverse("opportunities:detail", args=[opportunity.pk])


def _back(request: AuthenticatedHttpRequest, opportunity: Opportunity) -> str:
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return _detail_url(opportunity)


def _refused(request: AuthenticatedHttpRequest, exc: DomainError, back: str) -> HttpResponse:
    if request.htmx and request.htmx.target == "opportunity-board":
        return toast(HttpResponse(status=exc.status_code), exc.message, "error")
    raise_if_forbidden(exc)
    messages.error(request, exc.message)
    return hx_redirect(request, back)


@require_POST
@login_required
def opportunity_move_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = opportunity_get(user=request.user, pk=pk)
    back = _back(request, opportunity)
    stage_pk = id_param(request.POST.get("stage"))
    stage = (
        Stage.objects.filter(pipeline_id=opportunity.pipeline_id, pk=stage_pk).first() if stage_pk else None
    )
    if stage is None:
        return _refused(request, DomainError(_("Choose a stage of this pipeline.")), back)
    try:
        services.opportunity_move(actor=request.user, opportunity=opportunity, stage=stage)
    except DomainError as exc:
        return _refused(request, exc, back)
    done = _("“%(title)s” moved to %(stage)s.") % {"title": opportunity.title, "stage": stage.name}
    if request.htmx and request.htmx.target == "opportunity-board":
        context = _board_context(request, opportunity.pipeline, _view_of(request.POST.get("view")))
        response = TemplateResponse(request, "opportunities/opportunity_board.html#board", context)
        return toast(response, done)
    messages.success(request, done)
    return hx_redirect(request, back)


def _review_view(request: AuthenticatedHttpRequest, pk: int, *, won: bool) -> HttpResponse:
    opportunity = opportunity_get(user=request.user, pk=pk)
    wanted = request.GET.get("stage", "")
    initial = {"next": _detail_url(opportunity), "stage": id_param(wanted)}
    form = ReviewForm(request.POST or None, won=won, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stage = Stage.objects.filter(pipeline_id=opportunity.pipeline_id, pk=data["stage"]).first()
        service = services.opportunity_win if won else services.opportunity_lose
        try:
            service(
                actor=request.user,
                opportunity=opportunity,
                reason=data["reason"],
                competitor=data["competitor"],
                summary=data["summary"],
                stage=stage,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as exc:
            raise_if_forbidden(exc)
            form.add_error(None, exc.message)
        else:
            sentence = _("“%(title)s” won.") if won else _("“%(title)s” lost.")
            messages.success(request, sentence % {"title": opportunity.title})
            return hx_redirect(request, _back(request, opportunity))
    return render_partial(
        request,
        "opportunities/opportunity_review.html",
        {"form": form, "opportunity": opportunity, "won": won},
        target="form-card",
        partial="form",
    )


@login_required
def opportunity_win_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _review_view(request, pk, won=True)


@login_required
def opportunity_lose_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _review_view(request, pk, won=False)


def _run(
    request: AuthenticatedHttpRequest, opportunity: Opportunity, service: Any, done: str, **kw
) -> HttpResponse:
    """A one-click action on the detail page; the outcome is reported as a message."""
    try:
        service(actor=request.user, opportunity=opportunity, **kw)
    except DomainError as exc:
        return _refused(request, exc, _detail_url(opportunity))
    messages.success(request, done % {"title": opportunity.title})
    return hx_redirect(request, _detail_url(opportunity))


@require_POST
@login_required
def opportunity_suspend_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = opportunity_get(user=request.user, pk=pk)
    reason = request.POST.get("reason", "")
    return _run(
        request, opportunity, services.opportunity_suspend, _("“%(title)s” suspended."), reason=reason
    )


@require_POST
@login_required
def opportunity_reactivate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = opportunity_get(user=request.user, pk=pk)
    return _run(request, opportunity, services.opportunity_reactivate, _("“%(title)s” reactivated."))


@require_POST
@login_required
def opportunity_terminate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = opportunity_get(user=request.user, pk=pk)
    reason = request.POST.get("reason", "")
    return _run(
        request, opportunity, services.opportunity_terminate, _("“%(title)s” terminated."), reason=reason
    )


@require_POST
@login_required
def opportunity_transfer_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = opportunity_get(user=request.user, pk=pk)
    form = TransferForm(request.POST, owners=user_assignable_list(user=request.user))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return hx_redirect(request, _detail_url(opportunity))
    return _run(
        request,
        opportunity,
        services.opportunity_transfer,
        _("“%(title)s” transferred."),
        new_owner=form.cleaned_data["owner"],
        reason=form.cleaned_data["reason"],
    )


@require_POST
@login_required
def opportunity_member_add_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = opportunity_get(user=request.user, pk=pk)
    form = MemberForm(request.POST, users=user_assignable_list(user=request.user))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return hx_redirect(request, _detail_url(opportunity) + "?tab=details")
    return _run(
        request,
        opportunity,
        services.opportunity_member_add,
        _("Team of “%(title)s” changed."),
        **form.cleaned_data,
    )


@require_POST
@login_required
def opportunity_member_remove_view(request: AuthenticatedHttpRequest, pk: int, user_pk: int) -> HttpResponse:
    opportunity = opportunity_get(user=request.user, pk=pk)
    member = User.objects.filter(pk=user_pk).first()
    if member is None:
        return _refused(
            request, DomainError(_("This colleague is not on the team.")), _detail_url(opportunity)
        )
    return _run(
        request,
        opportunity,
        services.opportunity_member_remove,
        _("Team of “%(title)s” changed."),
        user=member,
    )


def _rights(user: User, opportunity: Opportunity) -> dict[str, bool]:
    manages = Opportunity.objects.alive().in_scope_of(user).filter(pk=opportunity.pk).exists()
    member_edits = any(m.user_id == user.pk and m.can_edit for m in opportunity.members.all())
    can_edit = user.has_perm("opportunities.change_opportunity") and (manages or member_edits)
    return {
        "can_edit": can_edit,
        "can_manage": manages and user.has_perm("opportunities.change_opportunity"),
        "can_transfer": manages and user.has_perm("opportunities.transfer_opportunity"),
    }


def _detail_rows(opportunity: Opportunity) -> list[tuple[str, Any]]:
    rows = []
    for name in DETAIL_FIELDS:
        field = Opportunity._meta.get_field(name)
        value = getattr(opportunity, name)
        if field.choices:
            value = getattr(opportunity, f"get_{name}_display")()
        elif hasattr(value, "hour"):
            value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        rows.append((str(field.verbose_name).capitalize(), value))
    return rows


@require_safe
@login_required
def opportunity_detail_view(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    opportunity = opportunity_get(user=request.user, pk=pk)
    tab = request.GET.get("tab") if request.GET.get("tab") in DETAIL_TABS else "details"
    context: dict[str, Any] = {"opportunity": opportunity, "tab": tab, "tabs": list(DETAIL_TABS.items())}
    context |= _rights(request.user, opportunity)
    if not request.htmx:
        context["stages"] = list(opportunity.pipeline.stages.order_by("position", "id"))
        if context["can_transfer"]:
            context["owners"] = user_assignable_list(user=request.user).exclude(pk=opportunity.owner_id)
    if tab == "history":
        context["history"] = opportunity_history(opportunity=opportunity)
    elif tab == "timeline":
        context["timeline"] = activity_for(opportunity)[:100]
    elif tab == "quotes":
        context["quotes"] = opportunity.quotes.order_by("-created_at", "-id")
        context["can_add_quote"] = context["can_edit"] and request.user.has_perm("quotes.add_quote")
    elif tab == "details":
        context["rows"] = _detail_rows(opportunity)
        if context["can_manage"]:
            context["colleagues"] = user_assignable_list(user=request.user).exclude(pk=opportunity.owner_id)
    return render_partial(
        request, "opportunities/opportunity_detail.html", context, target="opportunity-tab", partial="tab"
    )


def _write(
    actor: User, form: OpportunityForm, lines: ProductLineFormSet, opportunity: Opportunity | None
) -> Opportunity:
    given = {
        "data": form.service_data(),
        "contact_ids": form.contact_ids(),
        "lines": lines.rows() if lines.is_bound else None,  # not sent: the lines stay as they are
    }
    if opportunity is None:
        return services.opportunity_create(
            actor=actor,
            customer=form.cleaned_data["customer"],
            pipeline=form.cleaned_data["pipeline"],
            stage=form.cleaned_data.get("stage"),
            **given,
        )
    return services.opportunity_update(actor=actor, opportunity=opportunity, **given)


def _save(
    request: AuthenticatedHttpRequest, form: OpportunityForm, opportunity: Opportunity | None
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    lines = opportunity_line_formset(data, opportunity)
    line_errors: list[str] = []
    if data is not None and all([form.is_valid(), not lines.is_bound or lines.is_valid()]):
        try:
            opportunity = _write(request.user, form, lines, opportunity)
        except ValidationError as exc:
            line_errors = form.add_service_errors(exc)
        except DomainError as exc:
            raise_if_forbidden(exc)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Opportunity “%(title)s” saved.") % {"title": opportunity.title})
            return hx_redirect(request, _detail_url(opportunity))
    context = {
        "form": form,
        "opportunity": opportunity,
        "lines": lines,
        "line_errors": line_errors,
        "price_hints": price_hints(lines.products),
    }
    return render_partial(
        request, "opportunities/opportunity_form.html", context, target="form-card", partial="form"
    )


@login_required
@permission_required("opportunities.add_opportunity", raise_exception=True)
def opportunity_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    customer_pk = id_param(request.GET.get("customer"))
    customer = (
        Customer.objects.visible_to(request.user).alive().filter(pk=customer_pk).first()
        if customer_pk
        else None
    )
    form = OpportunityForm(request.POST or None, user=request.user, customer=customer)
    return _save(request, form, None)


@login_required
@permission_required("opportunities.change_opportunity", raise_exception=True)
def opportunity_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    opportunity = opportunity_get(user=request.user, pk=pk)
    form = OpportunityForm(request.POST or None, user=request.user, instance=opportunity)
    return _save(request, form, opportunity)
