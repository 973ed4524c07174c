"""The receivables page: what signed contracts in the viewer's scope still owe, by instalment, with the
aging of the outstanding amounts in all and per rep and department; filters by owner, department, due or
overdue, and due dates."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kehu.core.htmx import render_partial
from kehu.core.pagination import paginate
from kehu.core.params import id_param
from kehu.org.http import AuthenticatedHttpRequest
from kehu.org.selectors import department_visible_list, user_assignable_list
from kehu.sales.payments.selectors import receivables, receivables_aging_report


def _filters(params: Any) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    for name in ("owner", "department"):
        if value := id_param(params.get(name)):
            filters[name] = value
    if q := str(params.get("q") or "").strip()[:100]:
        filters["q"] = q
    if params.get("status") in ("overdue", "upcoming"):
        filters["status"] = params["status"]
    for name in ("due_after", "due_before"):
        try:
            day = parse_date(params.get(name) or "")
        except ValueError:  # a well-formed but impossible date, e.g. 2026-02-30
            day = None
        if day is not None:
            filters[name] = day
    return filters


@require_safe
@login_required
@permission_required("payments.view_instalment", raise_exception=True)
def receivables_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = _filters(request.GET)
    owners = user_assignable_list(user=request.user)
    departments = department_visible_list(user=request.user)
    query = request.GET.copy()
    query.pop("page", None)
    narrowed = {}  # the filters in force without the one a click in the per-rep or per-department table sets
    for name in ("owner", "department"):
        rest = query.copy()
        rest.pop(name, None)
        narrowed[name] = rest.urlencode()
    selects = [
        {
            "name": "owner",
            "label": _("Owner"),
            "choices": [(str(u.pk), str(u)) for u in owners],
            "any": True,
            "current": request.GET.get("owner", ""),
        },
        {
            "name": "department",
            "label": _("Department"),
            "choices": [(str(d.pk), str(d)) for d in departments],
            "any": True,
            "current": request.GET.get("department", ""),
        },
        {
            "name": "status",
            "label": _("Due or overdue"),
            "choices": [("overdue", _("Overdue")), ("upcoming", _("Not yet due"))],
            "any": True,
            "current": request.GET.get("status", ""),
        },
    ]
    report = receivables_aging_report(user=request.user, filters=filters)
    context = {
        "aging": report.buckets,
        "aging_by_owner": report.by_owner,
        "aging_by_department": report.by_department,
        "page": paginate(request, receivables(user=request.user, filters=filters)),
        "query": query.urlencode(),
        "narrowed": narrowed,
        "selects": selects,
    }
    return render_partial(
        request, "payments/receivables.html", context, target="receivables-table", partial="table"
    )
