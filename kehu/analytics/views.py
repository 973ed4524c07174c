"""The sales funnel page (htmx filter bar, ECharts funnel, tables), a stage's opportunities and the export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kehu.analytics.exports import funnel_export
from kehu.analytics.selectors import Funnel, funnel, funnel_stage_opportunities
from kehu.core.exceptions import FilterError
from kehu.core.htmx import render_partial
from kehu.core.pagination import paginate
from kehu.core.scopes import DataScope, ViewFilter
from kehu.org.http import AuthenticatedHttpRequest
from kehu.org.selectors import department_visible_list, user_assignable_list
from kehu.sales.opportunities.models import Pipeline

FILTERS = ("pipeline", "date_from", "date_to", "view", "department", "owner")


def _selects(request: AuthenticatedHttpRequest, pipeline: Pipeline | None) -> list[dict[str, Any]]:
    current = {name: request.GET.get(name, "") for name in ("pipeline", "view", "department", "owner")}
    if not current["pipeline"] and pipeline is not None:
        current["pipeline"] = str(pipeline.pk)
    selects = [
        {
            "name": "pipeline",
            "label": _("Pipeline"),
            "choices": [(str(p.pk), p.name) for p in Pipeline.objects.all()],
            "any": False,
        },
        {"name": "view", "label": _("View"), "choices": list(ViewFilter.choices), "any": False},
        {
            "name": "department",
            "label": _("Department"),
            "choices": [(str(d.pk), d.indented_name) for d in department_visible_list(user=request.user)],
            "any": True,
        },
        {
            "name": "owner",
            "label": _("Rep"),
            "choices": [(str(u.pk), str(u)) for u in user_assignable_list(user=request.user)],
            "any": True,
        },
    ]
    if request.user.data_scope == DataScope.OWN:
        selects = selects[:1]  # a rep sees their own funnel only
    for select in selects:
        select["current"] = current[select["name"]] or (ViewFilter.ALL if select["name"] == "view" else "")
    return selects


def _query(request: AuthenticatedHttpRequest) -> str:
    query = request.GET.copy()
    for name in list(query):
        if name not in FILTERS:
            del query[name]
    return query.urlencode()


def _chart(result: Funnel) -> dict[str, Any]:
    """The stages for ECharts' funnel: the count reached as the value, the amount and stage id beside it."""
    return {
        "name": _("Reached"),
        "stages": [
            {"name": row.name, "value": row.reached, "amount": f"{row.amount:.2f}", "id": row.stage.pk}
            for row in result.stages
        ],
    }


@require_safe
@login_required
@permission_required("opportunities.view_opportunity", raise_exception=True)
def funnel_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "query": _query(request),
        "date_from": request.GET.get("date_from", ""),
        "date_to": request.GET.get("date_to", ""),
    }
    status, pipeline = 200, None
    try:
        result = funnel(user=request.user, filters=request.GET)
        pipeline = result.pipeline
        context.update(
            funnel=result,
            chart=_chart(result),
            date_from=result.date_from.isoformat(),
            date_to=result.date_to.isoformat(),
        )
    except FilterError as exc:
        context["errors"], status = exc.message_dict, 200 if request.htmx else 400
    context["selects"] = _selects(request, pipeline)
    return render_partial(
        request, "analytics/funnel.html", context, target="funnel-report", partial="report", status=status
    )


@require_safe
@login_required
@permission_required("opportunities.view_opportunity", raise_exception=True)
def funnel_stage_view(request: AuthenticatedHttpRequest, stage_id: int) -> HttpResponse:
    """A stage's opportunities (the htmx panel under the funnel; a plain request gets the same fragment)."""
    try:
        stage, opportunities = funnel_stage_opportunities(
            user=request.user, filters=request.GET, stage_id=stage_id
        )
    except FilterError:
        return HttpResponseBadRequest(_("Some filters were not understood."))
    context = {"stage": stage, "page": paginate(request, opportunities), "query": _query(request)}
    return TemplateResponse(request, "analytics/funnel.html#stage_opportunities", context)


@require_safe
@login_required
@permission_required("opportunities.view_opportunity", raise_exception=True)
def funnel_export_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        result = funnel(user=request.user, filters=request.GET)
    except FilterError:
        return HttpResponseBadRequest(_("Some filters were not understood."))
    return funnel_export(result=result)
