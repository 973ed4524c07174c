"""The targets page (attainment with bars and a chart), the form to set a target, deleting one, and the
Excel export of the attainment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kehu.core.exceptions import DomainError, FilterError, raise_if_forbidden
from kehu.core.htmx import render_partial
from kehu.org.http import AuthenticatedHttpRequest
from kehu.org.selectors import department_visible_list
from kehu.targets.choices import Metric, SplitMethod
from kehu.targets.exports import attainment_export
from kehu.targets.forms import MONTH_FIELDS, TargetForm
from kehu.targets.selectors import Attainment, attainment, target_get
from kehu.targets.services import Subject, target_delete, target_set, target_split


def _chart(result: Attainment) -> dict[str, Any]:
    """Year-to-date actual against the annual target per target, for an ECharts bar chart."""
    fmt = (lambda v: f"{v:.2f}") if result.is_money else (lambda v: f"{v:.0f}")
    return {
        "labels": [row.label for row in result.rows],
        "names": {"target": _("Annual target"), "actual": _("Actual, year to date")},
        "target": [fmt(row.ytd.target) for row in result.rows],
        "actual": [fmt(row.ytd.actual) for row in result.rows],
    }


@require_safe
@login_required
@permission_required("targets.view_target", raise_exception=True)
def targets_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "metrics": Metric.choices,
        "departments": department_visible_list(user=request.user).order_by("path"),
        "current": request.GET,
        "query": request.GET.urlencode(),
        "year": request.GET.get("year", ""),
        "metric": request.GET.get("metric", ""),
    }
    status = 200
    try:
        result = attainment(user=request.user, filters=request.GET)
        context.update(result=result, chart=_chart(result), year=result.year, metric=result.metric)
    except FilterError as exc:
        context["errors"], status = exc.message_dict, 200 if request.htmx else 400
    return render_partial(
        request,
        "targets/targets.html",
        context,
        target="target-attainment",
        partial="attainment",
        status=status,
    )


@require_safe
@login_required
@permission_required("targets.view_target", raise_exception=True)
def targets_export_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        result = attainment(user=request.user, filters=request.GET)
    except FilterError:
        return HttpResponseBadRequest(_("Some filters were not understood."))
    return attainment_export(result=result)


def _subject(data: dict[str, Any]) -> Subject:
    return Subject(
        kind=data["subject_kind"],
        department=data.get("department"),
        user=data.get("user"),
        product=data.get("product"),
        region=(data.get("region") or "").strip(),
        channel=data.get("channel") or "",
    )


def _split_into(form: TargetForm, request: AuthenticatedHttpRequest) -> None:
    """Fill the twelve months from the split, for the user to adjust before saving."""
    from kehu.targets.selectors import subject_monthly_actuals

    data = form.cleaned_data
    last_year = None
    if data["split_method"] == SplitMethod.LAST_YEAR:
        last_year = subject_monthly_actuals(
            year=data["year"] - 1, metric=data["metric"], subject=_subject(data)
        )
    months, fell_back = target_split(
        amount=data["amount"],
        metric=data["metric"],
        method=data["split_method"],
        weights=data.get("weights"),
        last_year=last_year,
    )
    form.data = form.data.copy()
    for name, value in zip(MONTH_FIELDS, months, strict=True):
        form.data[name] = str(value)
    if fell_back:
        messages.warning(request, _("Last year is empty for this subject: the year was split evenly."))


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("targets.add_target", raise_exception=True)
def target_new_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TargetForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "split":
                _split_into(form, request)
            else:
                target = target_set(
                    actor=request.user,
                    year=data["year"],
                    metric=data["metric"],
                    subject=_subject(data),
                    amount=data["amount"],
                    split_method=data["split_method"],
                    weights=data.get("weights"),
                    months=form.months(),
                )
                messages.success(request, _("Target set: %(target)s.") % {"target": target})
                return redirect(f"{_list_url()}?year={target.year}&metric={target.metric}")
        except DomainError as exc:
            raise_if_forbidden(exc)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return TemplateResponse(request, "targets/target_form.html", {"form": form})


def _list_url() -> str:
    from django.urls import reverse

    return reverse("targets:list")


@require_POST
@login_required
@permission_required("targets.delete_target", raise_exception=True)
def target_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = target_get(user=request.user, pk=pk)
    try:
        target_delete(actor=request.user, target=target)
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
        return redirect(_list_url())
    messages.success(request, _("Target deleted."))
    return redirect(f"{_list_url()}?year={target.year}&metric={target.metric}")
