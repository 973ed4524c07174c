"""The quotes API: create with lines, totals as decimal strings, scope (404 outside it, approvers read),
the life-cycle actions, approval through /api/v1/approvals, filters and clear errors."""

from decimal import Decimal as D

import pytest
from django.test import Client

from kehu.approvals.choices import StepKind
from kehu.approvals.flows import approval_flow_create
from kehu.approvals.models import ApprovalTask
from kehu.org.services import api_token_create
from kehu.sales.opportunities.models import OpportunityMember
from kehu.sales.opportunities.tests.factories import OpportunityFactory
from kehu.sales.products.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def api_client(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, url: str, body: dict | None = None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture
def opportunity(org):
    return OpportunityFactory(owner=org.rep, title="门店系统")


@pytest.fixture
def product():
    return ProductFactory(code="POS", name="收银系统", unit="套", list_price=D("2000.00"), tax_rate=D("13"))


@pytest.fixture
def rep(org):
    return api_client(org.rep)


def create(client, opportunity, product, **extra):
    body = {
        "opportunity": opportunity.pk,
        "lines": [
            {"product": product.pk, "quantity": "5", "discount_percent": "10"},
            {"name": "安装调试", "unit": "次", "unit_price": "800.00", "tax_rate": "6"},
        ],
        **extra,
    }
    return post(client, "/api/v1/quotes", body)


def test_create_returns_the_quote_with_lines_and_totals_as_strings(org, rep, opportunity, product):
    response = create(rep, opportunity, product, discount_percent="5", terms="款到发货")

    assert response.status_code == 201, response.content
    quote = response.json()
    assert quote["status"] == "draft"
    assert quote["number"].startswith("QT-")
    assert (quote["title"], quote["customer_name"], quote["terms"]) == (
        "门店系统",
        opportunity.customer.name,
        "款到发货",
    )
    assert [(line["name"], line["unit_price"], line["amount"]) for line in quote["lines"]] == [
        ("收银系统", "2000.00", "9000.00"),
        ("安装调试", "800.00", "800.00"),
    ]
    # 9,800 − 5 % = 9,310; tax 9,000 × .95 × 13 % = 1,111.50 + 800 × .95 × 6 % = 45.60
    assert (quote["subtotal"], quote["discount_amount"], quote["net_amount"]) == (
        "9800.00",
        "490.00",
        "9310.00",
    )
    assert (quote["tax_amount"], quote["total"]) == ("1157.10", "10467.10")
    assert quote["effective_discount"] == "13.80"  # (10,800 − 9,310) / 10,800 = 13.796 %
    assert quote["approvals"] == []
    assert quote["expired"] is False


def test_bad_input_is_a_clear_error(rep, opportunity, product):
    bad_line = post(rep, "/api/v1/quotes", {"opportunity": opportunity.pk, "lines": [{"unit_price": "5"}]})
    assert bad_line.status_code == 400
    assert bad_line.json()["errors"] == {"lines": ["Line 1: choose a product or describe the item."]}
    negative = post(rep, "/api/v1/quotes", {"opportunity": opportunity.pk, "discount_percent": "-1"})
    assert negative.status_code == 422
    assert "discount_percent" in negative.json()["errors"]
    missing = post(rep, "/api/v1/quotes", {"opportunity": 99999})
    assert missing.status_code == 400
    assert missing.json()["field"] == "opportunity"


def test_scope_others_get_404_team_members_and_approvers_read(org, rep, opportunity, product):
    quote_id = create(rep, opportunity, product, discount_percent="5").json()["id"]
    url = f"/api/v1/quotes/{quote_id}"

    stranger = api_client(org.peer_rep)
    assert stranger.get(url).status_code == 404
    assert stranger.get("/api/v1/quotes").json()["count"] == 0
    assert post(stranger, f"{url}/submit").status_code == 404

    OpportunityMember.objects.create(opportunity=opportunity, user=org.peer_rep)
    assert stranger.get(url).status_code == 200
    assert [q["id"] for q in stranger.get("/api/v1/quotes").json()["items"]] == [quote_id]
    refused = post(stranger, f"{url}/submit")  # a member who may not edit
    assert refused.status_code == 403

    approval_flow_create(
        actor=org.admin,
        data={
            "document_type": "quote",
            "name": "Discounts",
            "conditions": [{"field": "discount_percent", "operator": ">", "value": "10"}],
            "steps": [{"kind": StepKind.USER, "users": [org.other_dept_rep.pk]}],
        },
    )
    approver = api_client(org.other_dept_rep)
    assert approver.get(url).status_code == 404
    assert post(rep, f"{url}/submit").json()["status"] == "pending"
    assert approver.get(url).json()["status"] == "pending"
    assert approver.get("/api/v1/quotes").json()["count"] == 0  # the list is the scope; the queue lists it


def test_submit_approve_through_the_approvals_api_send_accept(org, rep, opportunity, product):
    approval_flow_create(
        actor=org.admin,
        data={
            "document_type": "quote",
            "name": "Discounts",
            "conditions": [{"field": "discount_percent", "operator": ">", "value": "10"}],
            "steps": [{"kind": StepKind.USER, "users": [org.team_lead.pk]}],
        },
    )
    quote_id = create(rep, opportunity, product, discount_percent="5").json()["id"]
    url = f"/api/v1/quotes/{quote_id}"

    submitted = post(rep, f"{url}/submit").json()
    assert submitted["status"] == "pending"
    assert [a["flow"] for a in submitted["approvals"]] == ["Discounts"]
    locked = rep.patch(url, {"title": "改"}, content_type="application/json")
    assert locked.status_code == 409
    assert "locked" in locked.json()["detail"]

    task = ApprovalTask.objects.get()
    assert post(rep, f"/api/v1/approvals/{task.request_id}/approve").status_code in (403, 404)
    decided = post(
        api_client(org.team_lead), f"/api/v1/approvals/{task.request_id}/approve", {"comment": "可以"}
    )
    assert decided.status_code == 200, decided.content

    assert rep.get(url).json()["status"] == "approved"
    assert post(rep, f"{url}/send").json()["status"] == "sent"
    accepted = post(rep, f"{url}/accept").json()
    assert accepted["status"] == "accepted"
    assert accepted["closed_at"]
    again = post(rep, f"{url}/decline", {"reason": "x"})
    assert again.status_code == 409


def test_patch_replaces_lines_copy_and_delete(org, rep, opportunity, product):
    quote = create(rep, opportunity, product).json()
    url = f"/api/v1/quotes/{quote['id']}"

    patched = rep.patch(
        url,
        {"lines": [{"name": "年度维护", "unit_price": "1000"}], "discount_percent": "0"},
        content_type="application/json",
    ).json()
    assert [line["name"] for line in patched["lines"]] == ["年度维护"]
    assert patched["total"] == "1130.00"

    copy = post(rep, f"{url}/copy")
    assert copy.status_code == 201
    assert (copy.json()["revision_of"], copy.json()["total"]) == (quote["id"], "1130.00")
    assert rep.delete(url).status_code == 403  # reps may not delete
    manager = api_client(org.dept_manager)
    assert manager.delete(url).status_code == 204
    assert rep.get(url).status_code == 404


def test_list_filters(org, rep, opportunity, product):
    first = create(rep, opportunity, product).json()
    second = create(rep, opportunity, product, title="二期").json()
    post(rep, f"/api/v1/quotes/{second['id']}/submit")

    def ids(query):
        return [q["id"] for q in rep.get(f"/api/v1/quotes?{query}").json()["items"]]

    assert ids("") == [second["id"], first["id"]]
    assert ids("status=approved") == [second["id"]]
    assert ids("q=二期") == [second["id"]]
    assert ids(f"opportunity={opportunity.pk}&sort=number") == [first["id"], second["id"]]
    assert ids("expired=true") == []
    bad = rep.get("/api/v1/quotes?status=nonsense")
    assert bad.status_code in (400, 422)


def test_without_the_view_permission_quotes_are_403(org):
    outsider = api_client(org.outsider)  # no role, so no quotes.view_quote
    assert outsider.get("/api/v1/quotes").status_code == 403
    assert outsider.get("/api/v1/quotes/1").status_code == 403
