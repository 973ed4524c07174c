"""Keeping the monthly purchase rollups (see models.py): a month is built from its orders in one transaction
that holds its `RollupMonth` row, and marked stale, under the same row lock, by any change to its purchases;
so a build never marks built what a concurrent change has just made stale."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from kehu.sales.orders.models import Order, OrderLine
from kehu.sales.statistics.models import ProductMonth, PurchaseMonth, RollupMonth


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def rollup_invalidate(days: Iterable[date]) -> None:
    """Mark the months of `days` stale: the statistics read them from the orders until they are built
    again. Waits for a build of the same month in progress (its row lock)."""
    for month in sorted({first_of_month(day) for day in days}):
        RollupMonth.objects.update_or_create(month=month, defaults={"stale": True})


def purchases_changed_receiver(sender: Any, *, days: Iterable[date], **kwargs: Any) -> None:
    """Receiver of `kehu.sales.orders.signals.purchases_changed`."""
    rollup_invalidate(days)


@transaction.atomic
def rollup_build(month: date) -> None:
    """Build one month's rows from its purchases: one GROUP BY over the orders, one over their lines."""
    month = first_of_month(month)
    state, _created = RollupMonth.objects.select_for_update().get_or_create(month=month)
    orders = Order.objects.purchases().filter(order_date__gte=month, order_date__lt=next_month(month))
    PurchaseMonth.objects.filter(month=month).delete()
    ProductMonth.objects.filter(month=month).delete()
    groups = orders.order_by().values("owner_id", "department_id")
    PurchaseMonth.objects.bulk_create(
        PurchaseMonth(month=month, **row)
        for row in groups.annotate(
            purchases=Count("id"),
            amount=Sum("total"),
            cost=Sum("cost_total"),
            gross_profit=Sum("gross_profit"),
        )
    )
    lines = OrderLine.objects.filter(order__in=orders.values("pk"), product_id__isnull=False).order_by()
    ProductMonth.objects.bulk_create(
        (
            ProductMonth(
                month=month,
                owner_id=row["order__owner_id"],
                department_id=row["order__department_id"],
                product_id=row["product_id"],
                purchases=row["purchases"],
                quantity=row["quantity"],
                amount=row["amount"],
                cost=row["cost"],
            )
            for row in lines.values("order__owner_id", "order__department_id", "product_id").annotate(
                purchases=Count("order_id", distinct=True),
                quantity=Sum("quantity"),
                amount=Sum("amount"),
                cost=Sum("cost_amount"),
            )
        ),
        batch_size=2000,
    )
    state.stale, state.built_at = False, timezone.now()
    state.save()


def rollup_refresh() -> list[date]:
    """Build every month from the first purchase's to the last's that is stale or was never built; returns
    those months. The periodic job, and the end of a bulk load (demo data, benchmark data)."""
    span = Order.objects.purchases().aggregate(first=Min("order_date"), last=Max("order_date"))
    if span["first"] is None:
        return []
    built = set(RollupMonth.objects.filter(stale=False).values_list("month", flat=True))
    months, month = [], first_of_month(span["first"])
    while month <= span["last"]:
        if month not in built:
            rollup_build(month)
            months.append(month)
        month = next_month(month)
    return months
