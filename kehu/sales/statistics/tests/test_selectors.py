"""Purchase statistics against the figures computed in the test from the raw rows: totals, months, reps,
departments, product rankings, receipts versus plan; each filter; the data-scope matrix; bad filters; a
constant number of queries."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from kehu.core.exceptions import FilterError
from kehu.customers.tests.factories import CustomerFactory
from kehu.sales.contracts.models import Contract
from kehu.sales.orders.tests.factories import make_order
from kehu.sales.products.tests.factories import ProductFactory
from kehu.sales.statistics.selectors import purchase_statistics
from kehu.sales.statistics.tests.book import (
    build_book,
    by,
    by_product,
    figures,
    line,
    purchases,
    raw_orders,
    receipts_expected,
)

pytestmark = pytest.mark.django_db
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime(2026, 9, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def book(org):
    return build_book(org)


def as_figures(row):
    return (row.purchases, row.amount, row.cost, row.gross_profit)


def check(stats, orders, *, product_id=None):
    """Every table of `stats` equals what the raw `orders` add up to."""
    count, amount, cost, profit = figures(orders)
    assert as_figures(stats.totals) == (count, amount, cost, profit)
    assert stats.totals.average == ((amount / count).quantize(D("0.01"), ROUND_HALF_UP) if count else None)
    assert stats.totals.margin == (
        (profit * 100 / amount).quantize(D("0.01"), ROUND_HALF_UP) if amount else None
    )
    months = by(orders, "order_date")
    expected_months = {}
    for day, values in months.items():
        key = f"{day:%Y-%m}"
        previous = expected_months.get(key, (0, D(0), D(0), D(0)))
        expected_months[key] = tuple(a + b for a, b in zip(previous, values, strict=True))
    assert {m.label: as_figures(m) for m in stats.months if m.purchases} == expected_months
    assert {g.key: as_figures(g) for g in stats.by_rep} == by(orders, "owner_id")
    assert {g.key: as_figures(g) for g in stats.by_department} == by(orders, "department_id")
    products = by_product(orders, product_id)
    expected = {
        pid: (len(p["orders"]), p["quantity"], p["amount"], p["cost"], p["amount"] - p["cost"])
        for pid, p in products.items()
    }
    got = {
        p.product_id: (p.purchases, p.quantity, p.amount, p.cost, p.gross_profit)
        for p in stats.products_by_amount
    }
    assert got == expected
    assert [p.amount for p in stats.products_by_amount] == sorted(
        (p["amount"] for p in products.values()), reverse=True
    )
    profits = sorted((p["amount"] - p["cost"] for p in products.values()), reverse=True)
    assert [p.gross_profit for p in stats.products_by_profit] == profits


def test_the_year_as_a_director_sees_it_adds_up_to_the_raw_rows(org, book):
    stats = purchase_statistics(user=org.director)

    assert (stats.date_from, stats.date_to) == YEAR
    orders = purchases(raw_orders(), lambda o: True, *YEAR)
    check(stats, orders)
    # the book by hand: 8 purchases; a draft, a cancelled, a deleted and a 2025 order are left out
    assert as_figures(stats.totals) == (8, D("22143.33"), D("7281.11"), D("14862.22"))
    assert stats.totals.margin == D("67.12")
    assert [m.label for m in stats.months] == [f"2026-{n:02d}" for n in range(1, 13)]
    assert [(m.label, m.purchases) for m in stats.months if m.purchases] == [
        ("2026-01", 1),
        ("2026-03", 3),
        ("2026-04", 1),
        ("2026-05", 1),
        ("2026-06", 1),
        ("2026-12", 1),
    ]
    assert [r.label for r in stats.by_rep] == [
        str(getattr(org, n)) for n in ("rep", "east_rep", "other_dept_rep", "peer_rep")
    ]
    assert [d.label for d in stats.by_department] == ["上海一组", "华东区", "华南区"]
    assert [(p.code, p.amount) for p in stats.products_by_amount] == [
        ("MES", D("7510.00")),
        ("CRM", D("7500.00")),
        ("SVC", D("6133.33")),
    ]
    assert [(p.code, p.gross_profit, p.margin) for p in stats.products_by_profit] == [
        ("MES", D("5890.00"), D("78.43")),
        ("CRM", D("4250.00"), D("56.67")),
        ("SVC", D("4122.22"), D("67.21")),
    ]


def test_receipts_versus_plan_count_the_period_and_leave_out_voided_and_unsigned(org, book):
    stats = purchase_statistics(user=org.director)

    signed = set(Contract.objects.filter(status="approved").values_list("pk", flat=True))
    assert (stats.receipts.plan, stats.receipts.received, stats.receipts.unpaid) == receipts_expected(
        signed, *YEAR
    )
    # by hand: 30,000 + 30,000 + 50,000 due; 30,000 + 10,000 + 20,000 received (5,000 voided); 20,000 +
    # 30,000 of what fell due still unpaid
    assert stats.receipts.plan == D("110000.00")
    assert stats.receipts.received == D("60000.00")
    assert stats.receipts.unpaid == D("50000.00")
    assert stats.receipts.rate == D("54.55")


@pytest.mark.parametrize(
    ("persona", "owners"),
    [
        ("rep", ["rep"]),
        ("peer_rep", ["peer_rep"]),
        ("team_lead", ["east_rep"]),  # department scope: East itself, not the Shanghai team below it
        ("dept_manager", ["rep", "peer_rep", "east_rep", "other_dept_rep"]),
        ("director", ["rep", "peer_rep", "east_rep", "other_dept_rep"]),
    ],
)
def test_data_scope_matrix(org, book, persona, owners):
    user = getattr(org, persona)
    visible = {getattr(org, name).pk for name in owners}

    stats = purchase_statistics(user=user)

    check(stats, purchases(raw_orders(), lambda o: o["owner_id"] in visible, *YEAR))
    contracts = set(
        Contract.objects.filter(status="approved", owner_id__in=visible).values_list("pk", flat=True)
    )
    assert (stats.receipts.plan, stats.receipts.received, stats.receipts.unpaid) == receipts_expected(
        contracts, *YEAR
    )


def test_a_rep_never_counts_another_reps_orders_even_when_filtering_by_them(org, book):
    stats = purchase_statistics(user=org.rep, filters={"owner": org.other_dept_rep.pk})

    assert as_figures(stats.totals) == (0, D("0.00"), D("0.00"), D("0.00"))
    assert stats.by_rep == stats.by_department == stats.products_by_amount == []
    assert stats.receipts.plan == stats.receipts.received == D("0.00")


def test_a_user_without_the_order_permission_is_refused(org, book):
    with pytest.raises(PermissionDenied):
        purchase_statistics(user=org.outsider)


def test_filter_by_period(org, book):
    start, end = date(2026, 3, 1), date(2026, 4, 30)

    stats = purchase_statistics(
        user=org.dept_manager, filters={"date_from": "2026-03-01", "date_to": "2026-04-30"}
    )

    check(stats, purchases(raw_orders(), lambda o: True, start, end))
    assert [m.label for m in stats.months] == ["2026-03", "2026-04"]
    assert stats.receipts.plan == D("0.00")
    assert stats.receipts.received == D("0.00")  # the voided receipt of March does not count


def test_one_date_gives_its_year_and_a_period_may_span_years(org, book):
    stats = purchase_statistics(user=org.director, filters={"date_to": "2025-12-31"})
    assert (stats.date_from, stats.date_to) == (date(2025, 1, 1), date(2025, 12, 31))
    assert stats.totals.purchases == 1

    stats = purchase_statistics(
        user=org.director, filters={"date_from": "2025-12-01", "date_to": "2026-01-31"}
    )
    check(stats, purchases(raw_orders(), lambda o: True, date(2025, 12, 1), date(2026, 1, 31)))
    assert [m.label for m in stats.months] == ["2025-12", "2026-01"]


def test_filter_by_rep(org, book):
    stats = purchase_statistics(user=org.dept_manager, filters={"owner": org.rep.pk})

    check(stats, purchases(raw_orders(), lambda o: o["owner_id"] == org.rep.pk, *YEAR))
    assert stats.totals.purchases == 4
    assert stats.receipts.plan == D("60000.00")
    assert [label for label, _value in stats.applied] == ["Rep"]


def test_filter_by_department_includes_its_sub_departments(org, book):
    east = {org.east.pk, org.shanghai.pk}

    stats = purchase_statistics(user=org.director, filters={"department": org.east.pk})

    check(stats, purchases(raw_orders(), lambda o: o["department_id"] in east, *YEAR))
    assert {d.label for d in stats.by_department} == {"华东区", "上海一组"}
    assert stats.receipts.plan == D("60000.00")  # the rep's contract (Shanghai), not South's


def test_filter_by_product_limits_the_orders_and_the_ranking(org, book):
    mes = book.products[1]
    with_mes = {o["id"] for o in raw_orders() if any(ln["product_id"] == mes.pk for ln in o["lines"])}

    stats = purchase_statistics(user=org.director, filters={"product": mes.pk})

    check(stats, purchases(raw_orders(), lambda o: o["id"] in with_mes, *YEAR), product_id=mes.pk)
    # the orders' whole amounts count (CRM and the free-text line too); the ranking shows MES only
    assert stats.totals.purchases == 4
    assert [p.code for p in stats.products_by_amount] == ["MES"]
    assert stats.receipts.plan == D("50000.00")  # only South's contract has a MES line


def test_filter_by_customer_level(org, book):
    stats = purchase_statistics(user=org.director, filters={"level": "A"})

    check(stats, purchases(raw_orders(), lambda o: o["customer__level"] == "A", *YEAR))
    assert stats.totals.purchases == 6
    assert stats.receipts.plan == D("110000.00")  # both contracts' customers are level A


def test_the_top_limits_the_rankings(org, book):
    stats = purchase_statistics(user=org.director, top=1)

    assert [p.code for p in stats.products_by_amount] == ["MES"]
    assert [p.code for p in stats.products_by_profit] == ["MES"]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "date_to"),
        ({"date_from": "2010-01-01", "date_to": "2026-01-01"}, "date_to"),
        ({"date_from": "2016-01-01", "date_to": "2026-01-01"}, "date_to"),  # ten years and a day
        ({"date_from": "9999-01-01"}, "date_to"),  # the year's end would be past what the calendar holds
        ({"date_from": "1899-12-31", "date_to": "1900-01-31"}, "date_from"),
        ({"owner": "abc"}, "owner"),
        ({"owner": str(2**70)}, "owner"),
        ({"department": "999999"}, "department"),
        ({"product": "-1"}, "product"),
        ({"level": "Z"}, "level"),
    ],
)
def test_bad_filters_name_the_parameter(org, filters, field):
    with pytest.raises(FilterError) as exc:
        purchase_statistics(user=org.director, filters=filters)
    assert list(exc.value.message_dict) == [field]


def test_a_period_of_ten_years_less_a_day_is_fine(org):
    stats = purchase_statistics(
        user=org.director, filters={"date_from": "2016-12-31", "date_to": "2026-12-30"}
    )
    assert len(stats.months) == 121


def test_nothing_sold_gives_zeros_and_no_margin(org):
    stats = purchase_statistics(user=org.rep)

    assert as_figures(stats.totals) == (0, D("0.00"), D("0.00"), D("0.00"))
    assert stats.totals.margin is None
    assert len(stats.months) == 12
    assert stats.receipts.rate is None


def test_the_number_of_queries_does_not_grow_with_the_orders(org, book, django_assert_num_queries):
    filters = {"department": org.sales.pk, "product": book.products[0].pk, "level": "A", "owner": org.rep.pk}
    user = org.dept_manager
    purchase_statistics(user=user, filters=filters)  # reads the user's permissions and department once

    # the totals with the months, reps and departments in one (+ the names of the reps and departments);
    # the products (+ their names); the plan, what was matched to it, the receipts; the department and its
    # subtree; the rep's and product's names (the product and level filters read the orders only)
    with django_assert_num_queries(12):
        purchase_statistics(user=user, filters=filters)
    for month in range(1, 7):  # more orders, customers, months, products
        extra = ProductFactory()
        customer = CustomerFactory(owner=org.rep, level="A")
        lines = [line(book.products[0], "1", "10", "5"), line(extra, "2", "20", "5")]
        make_order(customer, lines=lines, status="completed", order_date=date(2026, month, 3))
    with django_assert_num_queries(12):
        purchase_statistics(user=user, filters=filters)
