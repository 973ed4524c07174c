"""Demo sales orders: two years of purchases by about a third of the deal and intent customers (1–8 orders
each), seasonal (more in the fourth quarter and in the weeks before Chinese New Year), 1–4 lines from the
demo products at their list or channel prices (some discounted) with their costs. Mostly completed; the
recent ones shipped or confirmed, a few drafts, a few cancelled.

Written in bulk with the totals the services would compute (`totals.order_totals`), numbered per year as
the "order" sequence numbers them, which is then set so the next order continues after them; each order has
its `order.created` entry on the customer's timeline. Each signed contract with product lines then gets an
order that delivers it.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kehu.core.activity import Activity
from kehu.core.money import cents
from kehu.core.sequences import NumberSequence
from kehu.customers.choices import CustomerStatus
from kehu.customers.models import Customer
from kehu.org.models import User
from kehu.sales.contracts.choices import SIGNED, ContractStatus
from kehu.sales.contracts.models import Contract
from kehu.sales.orders import services
from kehu.sales.orders.choices import OrderStatus
from kehu.sales.orders.models import Order, OrderLine
from kehu.sales.orders.totals import LineInput, order_totals
from kehu.sales.products.models import PriceListItem, Product

DAYS = 730
SHARE = 1 / 3
CANCEL_REASONS = ["客户预算调整，订单取消。", "客户改选其他型号，重新下单。", "交期无法满足，双方协商取消。"]
NOTES = ["", "", "", "加急发货", "分两批交付", "含上门安装"]


def _season(day: date) -> float:
    """More orders in Q4 and in the weeks before Chinese New Year (late January, early February)."""
    if day.month in (10, 11, 12):
        return 1.8 if day.month == 12 else 1.5
    if day.month == 1 or (day.month == 2 and day.day <= 10):
        return 1.6
    if day.month == 2:
        return 0.6  # the holiday itself
    return 1.0


def _status(rng: random.Random, age: int) -> str:
    roll = rng.random()
    if roll < 0.04:
        return OrderStatus.CANCELLED
    if age <= 30:
        return rng.choice(
            [OrderStatus.DRAFT, OrderStatus.CONFIRMED, OrderStatus.CONFIRMED, OrderStatus.SHIPPED]
        )
    if age <= 90:
        return OrderStatus.SHIPPED if roll < 0.3 else OrderStatus.COMPLETED
    return OrderStatus.COMPLETED


def _lines(rng: random.Random, products: list[Product], channel: dict[int, Decimal]) -> list[OrderLine]:
    lines = []
    for position, product in enumerate(rng.sample(products, rng.randint(1, 4)), start=1):
        price = product.list_price
        if product.pk in channel and rng.random() < 0.3:
            price = channel[product.pk]
        elif rng.random() < 0.25:
            price = cents(price * Decimal(100 - rng.choice([5, 8, 10, 15])) / 100)
        quantity = Decimal(1 if product.list_price >= 20000 else rng.choice([1, 1, 2, 3, 5, 10]))
        lines.append(
            OrderLine(
                product=product,
                name=product.name,
                unit=product.unit,
                quantity=quantity,
                unit_price=price,
                unit_cost=product.cost,
                position=position,
            )
        )
    return lines


def demo_orders(*, rng: random.Random, users: dict[str, User]) -> int:
    """Write the demo orders; returns how many."""
    products = list(Product.objects.filter(active=True).order_by("code"))
    if not products:
        return 0
    channel = dict(
        PriceListItem.objects.filter(price_list__is_default=False).values_list("product_id", "price")
    )
    customers = list(
        Customer.objects.alive()
        .filter(status__in=[CustomerStatus.DEAL, CustomerStatus.INTENT], owner__isnull=False)
        .order_by("pk")
        .values_list("pk", "owner_id", "department_id")
    )
    buyers = rng.sample(customers, round(len(customers) * SHARE))
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in range(DAYS)]
    weights = list(accumulate(_season(day) for day in days))
    rows: list[tuple[date, Order, list[OrderLine]]] = []
    for customer_id, owner_id, department_id in buyers:
        for day in rng.choices(days, cum_weights=weights, k=rng.randint(1, 8)):
            status = _status(rng, (today - day).days)
            order = Order(
                customer_id=customer_id,
                owner_id=owner_id,
                department_id=department_id,
                created_by_id=owner_id,
                order_date=day,
                status=status,
                currency=settings.DEFAULT_CURRENCY,
                notes=rng.choice(NOTES),
                cancel_reason=rng.choice(CANCEL_REASONS) if status == OrderStatus.CANCELLED else "",
            )
            rows.append((day, order, _lines(rng, products, channel)))
    rows.sort(key=lambda row: row[0])
    _number_and_total(rows)
    Order.objects.bulk_create([order for _day, order, _lines in rows], batch_size=1000)
    for _day, order, lines in rows:
        for line in lines:
            line.order = order
    OrderLine.objects.bulk_create([line for _day, _order, lines in rows for line in lines], batch_size=2000)
    _timeline([order for _day, order, _lines in rows])
    return len(rows)


def _number_and_total(rows: list[tuple[date, Order, list[OrderLine]]]) -> None:
    """Numbers per year in date order (SO-2025-000001 …); totals as the services compute them; the
    sequence continues after this year's last number."""
    sequence, _created = NumberSequence.objects.get_or_create(
        key="order", defaults={"prefix": "SO-", "padding": 6, "yearly": True}
    )
    counters: dict[int, int] = {}
    tz = timezone.get_current_timezone()
    for day, order, lines in rows:
        counters[day.year] = counters.get(day.year, 0) + 1
        order.number = sequence.format(counters[day.year], day.year)
        totals = order_totals(LineInput(line.quantity, line.unit_price, line.unit_cost) for line in lines)
        for line, amount, cost in zip(lines, totals.amounts, totals.cost_amounts, strict=True):
            line.amount, line.cost_amount = amount, cost
        order.total, order.cost_total, order.gross_profit = (
            totals.total,
            totals.cost_total,
            totals.gross_profit,
        )
        order.created_at = timezone.make_aware(datetime.combine(day, time(9 + len(lines) * 2, 30)), tz)
    this_year = timezone.localdate().year
    sequence.year, sequence.last_value = this_year, counters.get(this_year, 0)
    sequence.save(update_fields=["year", "last_value"])


def _timeline(orders: list[Order]) -> None:
    subject_type = ContentType.objects.get_for_model(Order)
    Activity.objects.bulk_create(
        [
            Activity(
                actor_id=order.created_by_id,
                verb="order.created",
                subject_type=subject_type,
                subject_id=order.pk,
                customer_id=order.customer_id,
                created_at=order.created_at,
                data={"number": order.number, "total": f"{order.total:.2f}", "currency": order.currency},
            )
            for order in orders
        ],
        batch_size=2000,
    )


def demo_contract_orders(*, rng: random.Random) -> int:
    """An order delivering each signed contract with product lines, a few days after signing, through the
    services (linked to the contract, its number as the reference); returns how many."""
    signed = (
        Contract.objects.alive()
        .filter(status__in=SIGNED, signed_on__isnull=False)
        .select_related("customer", "owner")
        .prefetch_related("lines")
        .order_by("pk")
    )
    today = timezone.localdate()
    written = 0
    for contract in signed:
        rows = [
            {"product_id": line.product_id, "quantity": line.quantity, "unit_price": line.unit_price}
            for line in contract.lines.all()
            if line.product_id
        ]
        if not rows or contract.owner is None:
            continue
        actor = contract.owner
        day = min(today, contract.signed_on + timedelta(days=rng.randint(1, 20)))
        order = services.order_create(
            actor=actor,
            customer=contract.customer,
            data={"contract_id": contract.pk, "order_date": day},
            lines=rows,
        )
        services.order_confirm(actor=actor, order=order)
        if contract.status != ContractStatus.APPROVED:
            services.order_ship(actor=actor, order=order)
        if contract.status == ContractStatus.COMPLETED:
            services.order_complete(actor=actor, order=order)
        written += 1
    return written
