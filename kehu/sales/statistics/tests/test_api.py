"""GET /api/v1/reports/purchases: the page's figures as decimal strings, the same filters and scope; bad
filter values answer 422 (a type the schema refuses) or 400 (a period or department that does not hold)."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from kehu.org.services import api_token_create
from kehu.sales.statistics.tests.book import build_book, by, by_product, figures, purchases, raw_orders

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/purchases"
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime(2026, 9, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def book(org):
    return build_book(org)


def api_client(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"authorization": f"Bearer {raw}"})


def test_the_report_matches_the_raw_rows_as_decimal_strings(org, book):
    body = api_client(org.dept_manager).get(URL).json()

    orders = purchases(raw_orders(), lambda o: True, *YEAR)
    count, amount, cost, profit = figures(orders)
    assert body["date_from"] == "2026-01-01"
    assert body["date_to"] == "2026-12-31"
    assert body["totals"] == {
        "purchases": count,
        "amount": f"{amount:.2f}",
        "cost": f"{cost:.2f}",
        "gross_profit": f"{profit:.2f}",
        "margin": "67.12",
        "average": f"{(amount / count).quantize(D('0.01'), ROUND_HALF_UP):.2f}",
    }
    assert len(body["months"]) == 12
    assert body["months"][0]["month"] == "2026-01"
    assert {r["id"]: (r["purchases"], D(r["amount"])) for r in body["by_rep"]} == {
        k: (v[0], v[1]) for k, v in by(orders, "owner_id").items()
    }
    assert {r["id"]: D(r["gross_profit"]) for r in body["by_department"]} == {
        k: v[3] for k, v in by(orders, "department_id").items()
    }
    products = by_product(orders)
    assert {r["product"]: D(r["amount"]) for r in body["products_by_amount"]} == {
        k: v["amount"] for k, v in products.items()
    }
    assert body["products_by_profit"][0]["code"] == "MES"
    assert body["receipts"] == {
        "plan": "110000.00",
        "received": "60000.00",
        "unpaid": "50000.00",
        "rate": "54.55",
    }


def test_filters_and_the_reps_scope(org, book):
    rep = api_client(org.rep)

    body = rep.get(URL, {"owner": org.other_dept_rep.pk}).json()
    assert body["totals"]["purchases"] == 0
    assert body["by_rep"] == []

    body = rep.get(URL, {"date_from": "2026-03-01", "date_to": "2026-03-31", "level": "A", "top": 1}).json()
    expected = purchases(
        raw_orders(),
        lambda o: o["owner_id"] == org.rep.pk and o["customer__level"] == "A",
        date(2026, 3, 1),
        date(2026, 3, 31),
    )
    assert body["totals"]["purchases"] == len(expected) == 2
    assert body["totals"]["amount"] == f"{figures(expected)[1]:.2f}"
    assert [m["month"] for m in body["months"]] == ["2026-03"]
    assert len(body["products_by_amount"]) == 1

    manager = api_client(org.dept_manager)
    body = manager.get(URL, {"department": org.east.pk, "product": book.products[1].pk}).json()
    assert body["totals"]["purchases"] == 4  # MES orders in East and the Shanghai team below it
    assert [p["code"] for p in body["products_by_amount"]] == ["MES"]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"date_from": "2026-02-30"}, 422, "date_from"),
        ({"owner": "abc"}, 422, "owner"),
        ({"owner": "0"}, 422, "owner"),
        ({"level": "Z"}, 422, "level"),
        ({"top": "1000"}, 422, "top"),
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, 400, "date_to"),
        ({"department": "999999"}, 400, "department"),
    ],
)
def test_bad_filters_are_refused_naming_the_parameter(org, query, status, field):
    response = api_client(org.director).get(URL, query)

    assert response.status_code == status
    assert response.json()["field"] == field


def test_no_permission_no_report(org):
    assert api_client(org.outsider).get(URL).status_code == 403
    assert Client().get(URL).status_code == 401
