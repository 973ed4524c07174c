"""Orders for tests, made through the service (so numbers, totals and the timeline are as in real use)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kehu.customers.models import Customer
from kehu.org.models import User
from kehu.sales.orders import services
from kehu.sales.orders.models import Order

FREE_TEXT_LINE = {
    "name": "实施服务",
    "unit": "人天",
    "quantity": "2",
    "unit_price": "500",
    "unit_cost": "200",
}


def make_order(
    customer: Customer,
    actor: User | None = None,
    *,
    lines: Sequence[Mapping[str, Any]] | None = None,
    status: str = "draft",
    **data: Any,
) -> Order:
    """An order of `customer` by `actor` (its owner by default), one free-text line of 1,000.00 (cost 400.00)
    unless `lines` are given, moved on to `status` (confirmed, shipped, completed or cancelled)."""
    actor = actor or customer.owner
    order = services.order_create(
        actor=actor, customer=customer, data=data, lines=[FREE_TEXT_LINE] if lines is None else lines
    )
    steps = {
        "confirmed": ["confirm"],
        "shipped": ["confirm", "ship"],
        "completed": ["confirm", "ship", "complete"],
        "cancelled": ["cancel"],
    }
    for step in steps.get(status, []):
        if step == "cancel":
            order = services.order_cancel(actor=actor, order=order, reason="客户取消")
        else:
            order = getattr(services, f"order_{step}")(actor=actor, order=order)
    return order
