"""The payment collection API: plan (instalments or an even split; must add up), receipts with the
over-payment choice and voiding, invoices, the receivables report with aging; scope (404 outside it)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kehu.customers.tests.factories import CustomerFactory
from kehu.org.services import api_token_create
from kehu.sales.contracts import services as contracts

pytestmark = pytest.mark.django_db


def api_client(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, url: str, body: dict):
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def contract(org):
    customer = CustomerFactory(owner=org.rep)
    draft = contracts.contract_create(actor=org.rep, customer=customer, data={"amount": "90000"}, lines=[])
    return contracts.contract_submit(actor=org.rep, contract=draft)


def test_plan_receipts_and_the_report(org, contract):
    rep = api_client(org.rep)
    url = f"/api/v1/payment-plans/{contract.pk}"
    today = timezone.localdate()

    bad = rep.put(
        url, {"instalments": [{"due_on": str(today), "amount": "1"}]}, content_type="application/json"
    )
    assert (bad.status_code, bad.json()["field"]) == (400, "instalments")
    first_due = str(today - timedelta(days=40))
    plan = rep.put(
        url, {"split": {"count": 3, "first_due": first_due}}, content_type="application/json"
    ).json()
    assert [i["amount"] for i in plan["instalments"]] == ["30000.00", "30000.00", "30000.00"]
    assert (plan["status"], plan["outstanding"]) == ("overdue", "90000.00")

    receipt = post(rep, "/api/v1/receipts", {"contract": contract.pk, "amount": "40000.00"})
    assert receipt.status_code == 201, receipt.content
    over = post(rep, "/api/v1/receipts", {"contract": contract.pk, "amount": "60000.00"})
    assert (over.status_code, over.json()["field"]) == (409, "amount")
    credit = post(
        rep, "/api/v1/receipts", {"contract": contract.pk, "amount": "60000.00", "excess": "credit"}
    )
    assert credit.json()["credit"] == "10000.00"

    plan = rep.get(url).json()
    assert (plan["status"], plan["received"], plan["credit"], plan["outstanding"]) == (
        "paid",
        "90000.00",
        "10000.00",
        "0.00",
    )
    assert rep.get(f"/api/v1/receipts?contract={contract.pk}").json()["count"] == 2

    voided = post(
        api_client(org.dept_manager), f"/api/v1/receipts/{credit.json()['id']}/void", {"reason": "录入错误"}
    )
    assert voided.status_code == 200
    report = rep.get("/api/v1/reports/receivables").json()
    assert report["count"] == 2
    assert {row["bucket"]: row["amount"] for row in report["aging"]}["1_30"] == "20000.00"
    assert report["items"][0]["status"] == "overdue"
    assert [(row["name"], row["total"], row["buckets"]["1_30"]) for row in report["by_owner"]] == [
        (str(org.rep), report["by_department"][0]["total"], "20000.00")
    ]
    assert report["by_department"][0]["id"] == org.rep.department_id
    elsewhere = rep.get(f"/api/v1/reports/receivables?department={org.south.pk}").json()
    assert (elsewhere["count"], elsewhere["by_owner"]) == (0, [])


def test_scope_and_invoices(org, contract):
    stranger = api_client(org.peer_rep)
    assert stranger.get(f"/api/v1/payment-plans/{contract.pk}").status_code == 404
    refused = post(stranger, "/api/v1/receipts", {"contract": contract.pk, "amount": "1.00"})
    assert (refused.status_code, refused.json()["field"]) == (400, "contract")
    assert stranger.get("/api/v1/reports/receivables").json()["count"] == 0
    assert stranger.get("/api/v1/reports/receivables").json()["by_owner"] == []
    assert stranger.get("/api/v1/reports/receivables?department=x").status_code == 422

    rep = api_client(org.rep)
    invoice = post(
        rep,
        "/api/v1/invoices",
        {"contract": contract.pk, "number": "25442000000012345678", "amount": "90000"},
    )
    assert invoice.status_code == 201, invoice.content
    again = post(rep, "/api/v1/invoices", {"contract": contract.pk, "number": "X2", "amount": "0.01"})
    assert again.status_code == 409
    assert rep.get(f"/api/v1/invoices?contract={contract.pk}").json()["count"] == 1
