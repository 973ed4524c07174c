"""The purchase statistics page (htmx filter bar, chart and tables) and its Excel export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kehu.core.exceptions import FilterError
from kehu.core.htmx import render_partial
from kehu.core.params import id_param
from kehu.customers.choices import CustomerLevel
from kehu.org.http import AuthenticatedHttpRequest
from kehu.org.selectors import department_visible_list, user_assignable_list
from kehu.sales.products.models import Product
from kehu.sales.statistics.exports import purchase_statistics_export
from kehu.sales.statistics.selectors import PurchaseStatistics, purchase_statistics

PRODUCT_CHOICES = 500  # the product drop-down lists this many products, by code (and the one chosen)


def _selects(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    current = {name: request.GET.get(name, "") for name in ("owner", "department", "product", "level")}
    products = Product.objects.order_by("code").only("code", "name")[:PRODUCT_CHOICES]
    product_choices = [(str(p.pk), f"{p.code} {p.name}") for p in products]
    chosen_id = id_param(current["product"])
    listed = {value for value, _label in product_choices}
    if (
        chosen_id
        and str(chosen_id) not in listed
        and (chosen := Product.objects.filter(pk=chosen_id).first())
    ):
        product_choices.append((str(chosen.pk), f"{chosen.code} {chosen.name}"))
    choices = {
        "owner": [(str(u.pk), str(u)) for u in user_assignable_list(user=request.user)],
        "department": [(str(d.pk), d.indented_name) for d in department_visible_list(user=request.user)],
        "product": product_choices,
        "level": list(CustomerLevel.choices),
    }
    labels = {
        "owner": _("Rep"),
        "department": _("Department"),
        "product": _("Product"),
        "level": _("Customer level"),
    }
    return [
        {"name": name, "label": labels[name], "choices": choices[name], "any": True, "current": current[name]}
        for name in labels
    ]


def _chart(stats: PurchaseStatistics) -> dict[str, Any]:
    """The monthly series for ECharts; amounts as decimal strings (ECharts reads them as numbers)."""
    return {
        "labels": [row.label for row in stats.months],
        "names": {"amount": _("Amount"), "gross_profit": _("Gross profit"), "purchases": _("Purchases")},
        "amount": [f"{row.amount:.2f}" for row in stats.months],
        "gross_profit": [f"{row.gross_profit:.2f}" for row in stats.months],
        "purchases": [row.purchases for row in stats.months],
    }


@require_safe
@login_required
@permission_required("orders.view_order", raise_exception=True)
def purchases_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "selects": _selects(request),
        "query": request.GET.urlencode(),
        "date_from": request.GET.get("date_from", ""),
        "date_to": request.GET.get("date_to", ""),
    }
    status = 200
    try:
        stats = purchase_statistics(user=request.user, filters=request.GET)
        context.update(
            stats=stats,
            chart=_chart(stats),
            date_from=stats.date_from.isoformat(),
            date_to=stats.date_to.isoformat(),
        )
    except FilterError as exc:
        # htmx 2 does not swap a 400: the filter bar's own request gets the errors with a 200
        context["errors"], status = exc.message_dict, 200 if request.htmx else 400
    return render_partial(
        request,
        "sales_statistics/purchases.html",
        context,
        target="purchase-statistics",
        partial="statistics",
        status=status,
    )


@require_safe
@login_required
@permission_required("orders.view_order", raise_exception=True)
def purchases_export_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        stats = purchase_statistics(user=request.user, filters=request.GET)
    except FilterError:
        return HttpResponseBadRequest(_("Some filters were not understood."))
    return purchase_statistics_export(stats=stats)
