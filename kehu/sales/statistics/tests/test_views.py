"""The purchase statistics page and its Excel export: figures, filters, scope, htmx partial, bad filters, the
menu entry; the workbook's sheets against the raw rows."""

from datetime import date, datetime
from decimal import Decimal as D
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from kehu.sales.statistics.tests.book import build_book, by, by_product, figures, purchases, raw_orders

pytestmark = pytest.mark.django_db
URL = "/reports/purchases/"
EXPORT = "/reports/purchases/export/"
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime(2026, 9, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def book(org):
    return build_book(org)


def test_the_page_shows_the_figures_of_the_managers_scope(client, org, book):
    client.force_login(org.dept_manager)

    response = client.get(URL)

    assert response.status_code == 200
    stats = response.context["stats"]
    count, amount, _cost, profit = figures(purchases(raw_orders(), lambda o: True, *YEAR))
    assert (stats.totals.purchases, stats.totals.amount, stats.totals.gross_profit) == (count, amount, profit)
    html = response.content.decode()
    assert 'data-testid="total-amount">22,143.33<' in html
    assert 'data-testid="total-gross-profit">14,862.22<' in html
    assert 'data-testid="total-margin">67.12%<' in html
    assert 'data-testid="receipts-plan">110,000.00<' in html
    assert "MES 生产管理" in html
    assert 'id="chart-months"' in html
    assert 'data-testid="nav-purchase-statistics"' in html


def test_a_rep_sees_only_their_own_orders_on_the_page(client, org, book):
    client.force_login(org.rep)

    response = client.get(URL, {"owner": org.other_dept_rep.pk})

    assert response.context["stats"].totals.purchases == 0
    response = client.get(URL)
    stats = response.context["stats"]
    assert (
        stats.totals.amount
        == figures(purchases(raw_orders(), lambda o: o["owner_id"] == org.rep.pk, *YEAR))[1]
    )
    assert {row.key for row in stats.by_rep} == {org.rep.pk}
    assert str(org.other_dept_rep) not in "".join(row.label for row in stats.by_rep)


def test_filters_reach_the_page_and_the_htmx_partial(client, org, book):
    client.force_login(org.director)
    query = {"date_from": "2026-03-01", "date_to": "2026-03-31", "department": org.shanghai.pk, "level": "A"}

    response = client.get(URL, query, headers={"HX-Request": "true", "HX-Target": "purchase-statistics"})

    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="purchase-statistics">')
    expected = purchases(
        raw_orders(),
        lambda o: o["department_id"] == org.shanghai.pk and o["customer__level"] == "A",
        date(2026, 3, 1),
        date(2026, 3, 31),
    )
    assert response.context["stats"].totals.purchases == len(expected) == 2
    assert "export/?date_from=2026-03-01&amp;date_to=2026-03-31" in html  # the export keeps the filters


def test_bad_filters_say_so(client, org):
    client.force_login(org.director)

    response = client.get(URL, {"date_from": "2026-05-01", "date_to": "2026-04-01"})

    assert response.status_code == 400
    assert "The end of the period comes before its start." in response.content.decode()
    htmx = client.get(URL, {"owner": "x"}, headers={"HX-Request": "true", "HX-Target": "purchase-statistics"})
    assert htmx.status_code == 200  # htmx swaps it in
    assert 'data-testid="filter-errors"' in htmx.content.decode()
    assert client.get(EXPORT, {"level": "Z"}).status_code == 400


def test_without_the_order_permission_no_page_no_export_no_menu(client, org):
    client.force_login(org.outsider)

    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert "nav-purchase-statistics" not in client.get("/").content.decode()


def test_the_page_needs_a_login(client):
    assert client.get(URL).status_code == 302


def rows(sheet):
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_the_export_has_one_sheet_per_table_matching_the_raw_rows(client, org, book):
    client.force_login(org.dept_manager)

    response = client.get(EXPORT, {"level": "A"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="purchase-statistics-20260101-20261231'
    )
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == [
        "Summary",
        "By month",
        "Products by amount",
        "Products by gross profit",
        "By rep",
        "By department",
        "Receipts versus plan",
    ]
    orders = purchases(raw_orders(), lambda o: o["customer__level"] == "A", *YEAR)
    count, amount, _cost, profit = figures(orders)
    summary = {r[0]: r[1] for r in rows(workbook["Summary"])[1:]}
    assert summary["Purchases"] == count
    assert D(str(summary["Amount"])) == amount
    assert D(str(summary["Gross profit"])) == profit
    assert summary["Customer level"] == "A (key)"
    amount_cell = workbook["Summary"]["B6"]
    assert amount_cell.number_format == "#,##0.00"
    assert isinstance(amount_cell.value, float | int)  # a number, not text

    months = rows(workbook["By month"])
    assert months[0] == ["Month", "Purchases", "Amount", "Cost", "Gross profit", "Margin %"]
    assert len(months) == 13
    assert sum(r[1] for r in months[1:]) == count
    products = by_product(orders)
    ranked = rows(workbook["Products by amount"])[1:]
    assert {r[0]: D(str(r[5])) for r in ranked} == {
        p.code: products[p.pk]["amount"] for p in book.products if p.pk in products
    }
    reps = rows(workbook["By rep"])[1:]
    assert {r[0]: r[1] for r in reps} == {
        str(u): v[0]
        for u in (org.rep, org.peer_rep, org.other_dept_rep)
        if (v := by(orders, "owner_id").get(u.pk))
    }
    receipts = {r[0]: r[1] for r in rows(workbook["Receipts versus plan"])[1:]}
    assert D(str(receipts["Due in the period (plan)"])) == D("110000.00")


def test_a_reps_export_holds_only_their_orders(client, org, book):
    client.force_login(org.rep)

    workbook = load_workbook(BytesIO(b"".join(client.get(EXPORT).streaming_content)))

    assert [r[0] for r in rows(workbook["By rep"])[1:]] == [str(org.rep)]
    summary = {r[0]: r[1] for r in rows(workbook["Summary"])[1:]}
    mine = figures(purchases(raw_orders(), lambda o: o["owner_id"] == org.rep.pk, *YEAR))
    assert (summary["Purchases"], D(str(summary["Amount"]))) == (mine[0], mine[1])
    assert D(
        str({r[0]: r[1] for r in rows(workbook["Receipts versus plan"])[1:]}["Received in the period"])
    ) == D("40000.00")
