"""Reads for sales orders. An order is visible by its owner and department (data scope), like a customer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from kehu.core.exceptions import FilterError
from kehu.customers.models import Customer
from kehu.org.models import User
from kehu.sales.orders.filters import OrderFilter
from kehu.sales.orders.models import Order, OrderLine

ZERO = Decimal("0.00")


def _ensure_can_view(user: User) -> None:
    if not user.has_perm("orders.view_order"):
        raise PermissionDenied


def order_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Order]:
    """The living orders the user sees, newest first, filtered."""
    _ensure_can_view(user)
    qs = Order.objects.alive().visible_to(user).select_related("customer", "owner")
    order_filter = OrderFilter(filters or {}, queryset=qs)
    if not order_filter.is_valid():
        raise FilterError({k: [str(m) for m in v] for k, v in order_filter.errors.items()})
    return order_filter.qs


def order_get(*, user: User, pk: int) -> Order:
    """An order the user sees, with its lines; 404 otherwise."""
    _ensure_can_view(user)
    qs = Order.objects.alive().visible_to(user).filter(pk=pk)
    return get_object_or_404(
        qs.select_related("customer", "owner", "department", "created_by", "contract").prefetch_related(
            "lines__product"
        )
    )


@dataclass(frozen=True)
class Purchases:
    """A customer's purchase history: confirmed, shipped and completed orders."""

    count: int = 0
    total: Decimal = ZERO
    gross_profit: Decimal = ZERO
    last_date: date | None = None
    products: list[dict[str, Any]] = field(default_factory=list)


def customer_purchases(customer: Customer, *, user: User | None = None, top: int = 20) -> Purchases:
    """Count, total amount, gross profit and last purchase date of the customer's purchases, and the
    products bought (name, quantity, amount) ranked by amount, the `top` first. Two SQL aggregates.

    With `user`, only the orders that user sees count (a rep never sees another rep's orders)."""
    orders = Order.objects.purchases().filter(customer_id=customer.pk)
    if user is not None:
        orders = orders.visible_to(user)
    figures = orders.aggregate(
        count=Count("id"), total=Sum("total"), gross_profit=Sum("gross_profit"), last_date=Max("order_date")
    )
    if not figures["count"]:
        return Purchases()
    products = (
        OrderLine.objects.filter(order__in=orders.values("pk"))
        .values("product_id", product_name=Coalesce("product__name", "name"))
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
        .order_by("-amount", "product_name")[:top]
    )
    return Purchases(
        count=figures["count"],
        total=figures["total"] or ZERO,
        gross_profit=figures["gross_profit"] or ZERO,
        last_date=figures["last_date"],
        products=list(products),
    )
