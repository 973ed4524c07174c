"""Order reads: the data-scope matrix, filters, and the customer's purchase figures checked against an
independent computation from the raw rows (cancelled and draft orders excluded)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kehu.customers.tests.factories import CustomerFactory
from kehu.sales.orders.models import Order, OrderLine
from kehu.sales.orders.selectors import customer_purchases, order_get, order_list
from kehu.sales.orders.tests.factories import make_order
from kehu.sales.products.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_scope_matrix(org):
    mine = make_order(CustomerFactory(owner=org.rep))
    peer = make_order(CustomerFactory(owner=org.peer_rep))
    south = make_order(CustomerFactory(owner=org.other_dept_rep))
    seen = {
        "rep": {mine},
        "peer_rep": {peer},
        "other_dept_rep": {south},
        "team_lead": set(),  # East only: the Shanghai team is below it, the department scope is East itself
        "dept_manager": {mine, peer, south},
        "director": {mine, peer, south},
    }
    for persona, expected in seen.items():
        user = getattr(org, persona)
        assert set(order_list(user=user)) == expected, persona
    with pytest.raises(Http404):
        order_get(user=org.rep, pk=peer.pk)
    with pytest.raises(PermissionDenied):
        order_list(user=org.outsider)


def test_deleted_orders_are_not_listed(org):
    order = make_order(CustomerFactory(owner=org.rep))
    Order.objects.filter(pk=order.pk).update(deleted_at=order.created_at)
    assert list(order_list(user=org.rep)) == []


def test_filters(org):
    acme = CustomerFactory(owner=org.rep, name="杭州阿克米")
    other = CustomerFactory(owner=org.rep, name="宁波海运")
    old = make_order(acme, order_date=date(2025, 1, 10), status="completed")
    new = make_order(other, order_date=date(2026, 2, 1))
    assert list(order_list(user=org.rep, filters={"q": "阿克米"})) == [old]
    assert list(order_list(user=org.rep, filters={"q": new.number})) == [new]
    assert list(order_list(user=org.rep, filters={"status": "completed"})) == [old]
    assert list(order_list(user=org.rep, filters={"customer": other.pk})) == [new]
    assert list(order_list(user=org.rep, filters={"date_from": "2026-01-01"})) == [new]
    assert list(order_list(user=org.rep, filters={"date_to": "2025-12-31"})) == [old]
    assert list(order_list(user=org.rep, filters={"sort": "date"})) == [old, new]
    assert list(order_list(user=org.rep, filters={"owner": org.rep.pk})) == [new, old]


def test_customer_purchases_match_an_independent_computation(org):
    customer = CustomerFactory(owner=org.rep)
    products = [ProductFactory(name=f"产品{i}", cost=D("12.34") * (i + 1)) for i in range(3)]
    plans = [
        ("completed", date(2025, 3, 1), [(0, "3"), (1, "1.5")]),
        ("shipped", date(2025, 11, 20), [(1, "2"), (2, "7")]),
        ("confirmed", date(2026, 1, 5), [(0, "1")]),
        ("cancelled", date(2026, 2, 1), [(2, "100")]),
        ("draft", date(2026, 3, 1), [(2, "50")]),
    ]
    for status, day, rows in plans:
        lines = [{"product_id": products[i].pk, "quantity": q, "unit_price": "99.99"} for i, q in rows]
        lines.append({"name": "运费", "quantity": "1", "unit_price": "15.5"})
        make_order(customer, lines=lines, status=status, order_date=day)
    make_order(CustomerFactory(owner=org.rep), status="completed")  # another customer's

    # independently, from the raw rows
    rows = OrderLine.objects.filter(
        order__customer=customer, order__status__in=["confirmed", "shipped", "completed"]
    ).values("order_id", "order__order_date", "product__name", "name", "quantity", "amount", "cost_amount")
    rows = list(rows)
    by_product = defaultdict(lambda: [D(0), D(0)])
    for row in rows:
        key = row["product__name"] or row["name"]
        by_product[key][0] += row["quantity"]
        by_product[key][1] += row["amount"]
    expected_products = sorted(by_product.items(), key=lambda kv: (-kv[1][1], kv[0]))

    purchases = customer_purchases(customer)

    assert purchases.count == len({row["order_id"] for row in rows}) == 3
    assert purchases.total == sum(row["amount"] for row in rows)
    assert purchases.gross_profit == sum(row["amount"] - row["cost_amount"] for row in rows)
    assert purchases.last_date == max(row["order__order_date"] for row in rows) == date(2026, 1, 5)
    assert [(p["product_name"], p["quantity"], p["amount"]) for p in purchases.products] == [
        (name, quantity, amount) for name, (quantity, amount) in expected_products
    ]


def test_customer_purchases_are_empty_without_purchases_and_scoped_to_the_viewer(org):
    customer = CustomerFactory(owner=org.rep)
    make_order(customer)  # a draft only
    assert customer_purchases(customer).count == 0
    assert customer_purchases(customer).products == []
    make_order(customer, status="completed")
    assert customer_purchases(customer, user=org.rep).count == 1
    assert customer_purchases(customer, user=org.other_dept_rep).count == 0
