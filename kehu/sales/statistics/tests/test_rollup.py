"""The monthly rollups: once built they give exactly the figures the orders give, for every scope, filter
and period (partial months read from the orders); a change to a purchase makes its month stale at once, so
the figures stay exact, and the refresh builds only what changed."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kehu.customers.tests.factories import CustomerFactory
from kehu.sales.orders import services as orders
from kehu.sales.orders.tests.factories import make_order
from kehu.sales.statistics.models import ProductMonth, PurchaseMonth, RollupMonth
from kehu.sales.statistics.rollup import rollup_refresh
from kehu.sales.statistics.selectors import purchase_statistics
from kehu.sales.statistics.tests.book import build_book, line, purchases, raw_orders
from kehu.sales.statistics.tests.test_selectors import check

pytestmark = pytest.mark.django_db
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime(2026, 9, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def book(org):
    return build_book(org)


def cases(org, book):
    periods = [{}, {"date_from": "2026-01-15", "date_to": "2026-06-10"}, {"date_from": "2025-01-01"}]
    periods[2]["date_to"] = "2026-12-31"
    narrower = [
        {"owner": org.rep.pk},
        {"department": org.east.pk},
        {"date_from": "2026-03-01", "date_to": "2026-03-31"},
    ]
    users = [org.director, org.dept_manager, org.team_lead, org.rep, org.peer_rep, org.other_dept_rep]
    return [(user, filters) for user in users for filters in [*periods, *narrower]]


def statistics(org, book):
    return [purchase_statistics(user=user, filters=filters) for user, filters in cases(org, book)]


def test_built_rollups_give_the_figures_the_orders_give_for_every_scope_filter_and_period(org, book):
    from_orders = statistics(org, book)

    built = rollup_refresh()

    days = [
        o["order_date"] for o in purchases(raw_orders(), lambda o: True, date(2000, 1, 1), date(2100, 1, 1))
    ]
    assert (built[0], built[-1]) == (min(days).replace(day=1), max(days).replace(day=1))
    assert len(built) > 10
    assert PurchaseMonth.objects.exists()
    assert ProductMonth.objects.exists()
    assert statistics(org, book) == from_orders
    assert all(isinstance(p.purchases, int) for s in statistics(org, book) for p in s.products_by_amount)
    check(purchase_statistics(user=org.director), purchases(raw_orders(), lambda o: True, *YEAR))
    assert rollup_refresh() == []  # nothing changed since


def test_a_change_to_a_purchase_makes_its_month_stale_and_the_figures_stay_exact(org, book):
    rollup_refresh()
    customer = CustomerFactory(owner=org.rep, level="B")
    product = book.products[0]

    march = make_order(customer, lines=[line(product, "4", "250", "50")], order_date=date(2026, 3, 9))
    assert not RollupMonth.objects.get(month=date(2026, 3, 1)).stale  # a draft is no purchase
    orders.order_confirm(actor=org.rep, order=march)
    assert RollupMonth.objects.get(month=date(2026, 3, 1)).stale
    check(purchase_statistics(user=org.director), purchases(raw_orders(), lambda o: True, *YEAR))

    assert rollup_refresh() == [date(2026, 3, 1)]
    check(purchase_statistics(user=org.director), purchases(raw_orders(), lambda o: True, *YEAR))

    orders.order_update(actor=org.rep, order=march, data={"order_date": date(2026, 5, 2)})
    stale = set(RollupMonth.objects.filter(stale=True).values_list("month", flat=True))
    assert stale == {date(2026, 3, 1), date(2026, 5, 1)}  # the month it left and the one it joined
    orders.order_ship(actor=org.rep, order=march)  # still a purchase: nothing to rebuild
    orders.order_cancel(actor=org.rep, order=make_order(customer, status="confirmed"), reason="改期")
    assert RollupMonth.objects.get(month=date(2026, 9, 1)).stale
    check(purchase_statistics(user=org.director), purchases(raw_orders(), lambda o: True, *YEAR))
    check(
        purchase_statistics(user=org.rep),
        purchases(raw_orders(), lambda o: o["owner_id"] == org.rep.pk, *YEAR),
    )

    assert rollup_refresh() == [date(2026, 3, 1), date(2026, 5, 1), date(2026, 9, 1)]
    check(purchase_statistics(user=org.director), purchases(raw_orders(), lambda o: True, *YEAR))


def test_built_months_take_no_more_queries(org, book, django_assert_max_num_queries):
    user = org.dept_manager
    purchase_statistics(user=user)  # reads the user's permissions and department once
    rollup_refresh()
    with django_assert_max_num_queries(12):
        purchase_statistics(user=user)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_reads_share_one_snapshot(org, book):
    """Outside a request's transaction, the statistics open their own (REPEATABLE READ on PostgreSQL)."""
    rollup_refresh()
    check(purchase_statistics(user=org.director), purchases(raw_orders(), lambda o: True, *YEAR))
