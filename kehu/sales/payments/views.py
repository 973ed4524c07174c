"""The receivables page: what signed contracts in the viewer's scope still owe, by instalment, with the
aging of the outstanding amounts; filters by owner, due or overdue, and due dates."""

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
from kehu.org.selectors import user_assignable_list
from kehu.sales.payments.selectors import receivables, receivables_aging


def _filters(params: Any) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if owner := id_param(params.get("owner")):
        filters["owner"] = owner
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
    query = request.GET.copy()
    query.pop("page", None)
    selects = [
        {
            "name": "owner",
            "label": _("Owner"),
            "choices": [(str(u.pk), str(u)) for u in owners],
            "any": True,
            "current": request.GET.get("owner", ""),
        },
        {
            "name": "status",
            "label": _("Due or overdue"),
            "choices": [("overdue", _("Overdue")), ("upcoming", _("Not yet due"))],
            "any": True,
            "current": request.GET.get("status", ""),
        },
    ]
    context = {
        "aging": receivables_aging(user=request.user, filters=filters),
        "page": paginate(request, receivables(user=request.user, filters=filters)),
        "query": query.urlencode(),
        "selects": selects,
    }
    return render_partial(
        request, "payments/receivables.html", context, target="receivables-table", partial="table"
    )
