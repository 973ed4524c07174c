"""The demo's sales orders: two years of seasonal purchases in every status, totals as the services compute
them, numbers the sequence continues after, a timeline entry each, and orders delivering signed contracts."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from kehu.core.activity import Activity
from kehu.core.sequences import NumberSequence
from kehu.customers.models import Customer
from kehu.sales.orders import services
from kehu.sales.orders.models import Order
from kehu.sales.orders.totals import LineInput, order_totals


@pytest.mark.django_db
def test_demo_orders_are_seasonal_in_every_status_with_consistent_totals():
    call_command("demo", customers=600, stdout=None)

    orders = list(Order.objects.select_related("contract").prefetch_related("lines"))
    assert len(orders) >= 100
    assert set(Counter(o.status for o in orders)) == {
        "draft",
        "confirmed",
        "shipped",
        "completed",
        "cancelled",
    }
    assert Counter(o.status for o in orders).most_common(1)[0][0] == "completed"
    today = timezone.localdate()
    assert min(o.order_date for o in orders) >= today.replace(year=today.year - 2)
    buyers = {o.customer_id for o in orders}
    assert set(Customer.objects.filter(pk__in=buyers).values_list("status", flat=True)) <= {"deal", "intent"}
    assert all(o.owner_id == o.created_by_id for o in orders)

    for order in orders:
        lines = list(order.lines.all())
        assert 1 <= len(lines) <= (20 if order.contract_id else 4)
        totals = order_totals(LineInput(x.quantity, x.unit_price, x.unit_cost) for x in lines)
        assert (order.total, order.cost_total, order.gross_profit) == (
            totals.total,
            totals.cost_total,
            totals.gross_profit,
        )
        assert [x.amount for x in lines] == list(totals.amounts)
        # the bulk-written history is numbered by its dates; orders for contracts when written, this year
        year = today.year if order.contract_id else order.order_date.year
        assert order.number.startswith(f"SO-{year}-")
    assert len({o.number for o in orders}) == len(orders)

    delivering = [o for o in orders if o.contract_id]
    assert delivering
    for order in delivering:
        assert order.source_reference == order.contract.number
        assert order.customer_id == order.contract.customer_id
        assert order.status in {"confirmed", "shipped", "completed"}
        assert order.contract.status in {"approved", "executing", "completed"}

    by_quarter = Counter((o.order_date.month - 1) // 3 for o in orders)
    assert by_quarter[3] > by_quarter[2]  # the fourth quarter sells more than the third

    created = Activity.objects.filter(verb="order.created")
    assert created.count() == len(orders)
    assert set(created.values_list("customer_id", flat=True)) == buyers

    # the next order continues the sequence
    sequence = NumberSequence.objects.get(key="order")
    this_year = [o for o in orders if o.number.startswith(f"SO-{today.year}-")]
    assert sequence.last_value == len(this_year)
    order = orders[0]
    new = services.order_create(
        actor=order.owner, customer=order.customer, data={}, lines=[{"name": "服务", "unit_price": "1"}]
    )
    assert new.number == f"SO-{today.year}-{len(this_year) + 1:06d}"
