"""GET /api/v1/workbench: the page's sections as JSON, through the same selector, for the caller only."""

from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kehu.core.activity import activity_record
from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.tests.factories import PlanFactory
from kehu.leads.tests.factories import LeadFactory
from kehu.pool.models import PoolRule
from kehu.sales.contracts import services as contracts
from kehu.sales.payments import services as payments
from kehu.workbench.api import get_workbench
from kehu.workbench.schemas import WorkbenchOut
from kehu.workbench.tests.fakes import FakeWarning, install_pool_warnings


def call(user) -> dict:
    request = RequestFactory().get("/api/v1/workbench")
    request.user = user
    return WorkbenchOut.model_validate(get_workbench(request)).model_dump(mode="json")


def test_the_sections_as_json(org, monkeypatch):
    customer = CustomerFactory(owner=org.rep, name="星河科技")
    plan = PlanFactory(customer=customer, due_at=timezone.now() - timedelta(days=2), action="回访")
    lead = LeadFactory(owner=org.rep, company_name="新线索")
    PlanFactory(customer=CustomerFactory(owner=org.peer_rep), due_at=timezone.now() - timedelta(days=2))
    due = timezone.now() + timedelta(days=1)
    install_pool_warnings(
        monkeypatch, {org.rep.pk: [FakeWarning(customer, "华东公海", PoolRule.NOT_CLOSED, due)]}
    )

    body = call(org.rep)

    assert body["overdue"] == {
        "count": 1,
        "items": [
            {
                "id": plan.pk,
                "customer": customer.pk,
                "customer_name": "星河科技",
                "due_at": body["overdue"]["items"][0]["due_at"],
                "action": "回访",
            }
        ],
    }
    assert body["today"] == {"count": 0, "items": []}
    assert [item["id"] for item in body["new_leads"]["items"]] == [lead.pk]
    warning = body["pool_warnings"]["items"][0]
    assert (warning["rule"], warning["rule_label"], warning["pool"]) == (
        "not_closed",
        "Not closed",
        "华东公海",
    )
    assert body["team_activity"] is None


def test_a_manager_gets_the_team_activity(org, monkeypatch):
    install_pool_warnings(monkeypatch, {})
    customer = CustomerFactory(owner=org.east_rep, name="华东客户")
    activity_record(actor=org.east_rep, subject=customer, verb="customer.created")

    body = call(org.team_lead)

    (entry,) = body["team_activity"]["items"]
    assert (entry["customer"], entry["customer_name"], entry["actor"]) == (customer.pk, "华东客户", "Rep4")


def test_over_http_once_mounted(org, monkeypatch):
    """Runs when kehu/api.py mounts the router (api.add_router("/", workbench_router))."""
    try:
        url = reverse("api:get_workbench")
    except NoReverseMatch:
        pytest.skip("the workbench router is not mounted in kehu/api.py yet")
    install_pool_warnings(monkeypatch, {})
    client = Client()
    assert client.get(url).status_code == 401
    client.force_login(org.rep)
    response = client.get(url)
    assert response.status_code == 200
    assert set(response.json()) == {
        "today",
        "overdue",
        "pool_warnings",
        "new_leads",
        "receivables",
        "team_activity",
    }


def test_receivables_remind_the_owner_of_overdue_and_soon_due_payments(org, client):
    today = timezone.localdate()
    customer = CustomerFactory(owner=org.rep, name="回款客户")
    contract = contracts.contract_submit(
        actor=org.rep,
        contract=contracts.contract_create(
            actor=org.rep, customer=customer, data={"amount": "3000"}, lines=[]
        ),
    )
    payments.plan_set(
        actor=org.rep,
        contract=contract,
        instalments=[
            {"amount": "1000", "due_on": today - timedelta(days=3)},
            {"amount": "1000", "due_on": today + timedelta(days=5)},
            {"amount": "1000", "due_on": today + timedelta(days=30)},  # beyond the 7-day warning
        ],
    )
    payments.receipt_record(actor=org.rep, contract=contract, data={"amount": "400"})

    client.force_login(org.rep)
    section = client.get("/api/v1/workbench").json()["receivables"]

    assert section["count"] == 2
    assert [(i["outstanding"], i["status"]) for i in section["items"]] == [
        ("600.00", "overdue"),
        ("1000.00", "unpaid"),
    ]
    page = client.get("/").content.decode()
    assert "Payments to collect" in page
    assert "Overdue since" in page
    client.force_login(org.peer_rep)
    assert client.get("/api/v1/workbench").json()["receivables"]["count"] == 0
