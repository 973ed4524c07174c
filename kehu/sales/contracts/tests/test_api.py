"""The contracts API: create (from a customer, from a won opportunity), scope (404 outside it), the life
cycle with submit / approve / reject / start / complete / terminate, amendments, attachments, filters."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kehu.approvals.choices import StepKind
from kehu.approvals.flows import approval_flow_create
from kehu.customers.tests.factories import CustomerFactory
from kehu.org.services import api_token_create
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def api_client(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, url: str, body: dict | None = None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture
def customer(org):
    return CustomerFactory(owner=org.rep, name="杭州云栖科技有限公司")


@pytest.fixture
def rep(org):
    return api_client(org.rep)


def create(client, customer, **extra):
    body = {
        "customer": customer.pk,
        "title": "云平台建设合同",
        "starts_on": "2026-12-01",
        "ends_on": "2027-11-30",
        "lines": [{"name": "平台许可", "unit": "套", "quantity": "1", "unit_price": "180000"}],
        **extra,
    }
    return post(client, "/api/v1/contracts", body)


def test_create_and_read(org, rep, customer):
    response = create(rep, customer)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["amount"], body["customer_name"]) == ("draft", "180000.00", customer.name)
    assert body["number"].startswith("HT-")
    assert [(line["name"], line["amount"]) for line in body["lines"]] == [("平台许可", "180000.00")]
    assert rep.get(f"/api/v1/contracts/{body['id']}").json()["terms"] == ""


def test_scope_others_get_404_and_see_nothing(org, rep, customer):
    contract_id = create(rep, customer).json()["id"]
    other = api_client(org.peer_rep)
    assert other.get(f"/api/v1/contracts/{contract_id}").status_code == 404
    assert other.get("/api/v1/contracts").json()["count"] == 0
    assert post(other, f"/api/v1/contracts/{contract_id}/submit").status_code == 404
    foreign = create(other, customer)
    assert (foreign.status_code, foreign.json()["field"]) == (400, "customer")
    assert api_client(org.dept_manager).get(f"/api/v1/contracts/{contract_id}").status_code == 200
    assert api_client(org.outsider).get("/api/v1/contracts").status_code == 403


def test_from_a_won_opportunity(org, rep, customer):
    opportunity = OpportunityFactory(owner=org.rep, customer=customer, amount=D("66000"))
    refused = post(rep, "/api/v1/contracts", {"customer": customer.pk, "opportunity": opportunity.pk})
    assert refused.status_code == 409
    opportunity.status = OpportunityStatus.WON
    opportunity.save()
    body = post(rep, "/api/v1/contracts", {"customer": customer.pk, "opportunity": opportunity.pk}).json()
    assert (body["opportunity"], body["amount"], body["title"]) == (
        opportunity.pk,
        "66000.00",
        opportunity.title,
    )


def test_life_cycle_with_approval(org, rep, customer):
    approval_flow_create(
        actor=org.admin,
        data={
            "document_type": "contract",
            "name": "大额合同",
            "conditions": [{"field": "amount", "operator": ">", "value": "100000"}],
            "steps": [{"kind": StepKind.USER, "users": [org.team_lead.pk]}],
        },
    )
    url = f"/api/v1/contracts/{create(rep, customer).json()['id']}"

    assert post(rep, f"{url}/submit").json()["status"] == "pending"
    assert rep.patch(url, {"title": "改"}, content_type="application/json").status_code == 409
    assert post(rep, f"{url}/approve").status_code == 403  # not the approver
    lead = api_client(org.team_lead)
    assert post(lead, f"{url}/reject", {"comment": ""}).status_code == 400  # a reason is required
    approved = post(lead, f"{url}/approve", {"comment": "同意"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["signed_on"]
    customer.refresh_from_db()
    assert customer.status == "deal"

    assert post(rep, f"{url}/start").json()["status"] == "executing"
    amended = post(rep, f"{url}/amendments", {"reason": "延长服务期", "ends_on": "2028-05-31"})
    assert amended.status_code == 201
    assert amended.json()["changes"] == {"ends_on": ["2027-11-30", "2028-05-31"]}
    assert rep.get(url).json()["ends_on"] == "2028-05-31"
    assert post(rep, f"{url}/terminate", {"reason": ""}).status_code == 400
    assert post(rep, f"{url}/complete").json()["status"] == "completed"
    assert post(rep, f"{url}/terminate", {"reason": "x"}).status_code == 409


def test_attachments_upload_and_refusals(org, rep, customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = f"/api/v1/contracts/{create(rep, customer).json()['id']}/attachments"
    uploaded = rep.post(url, {"file": SimpleUploadedFile("盖章版.pdf", b"%PDF-1.7")})
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["name"] == "盖章版.pdf"
    refused = rep.post(url, {"file": SimpleUploadedFile("run.exe", b"MZ")})
    assert (refused.status_code, refused.json()["field"]) == (400, "file")
    assert rep.delete(f"{url}/{uploaded.json()['id']}").status_code == 204


def test_list_filters(org, rep, customer):
    first = create(rep, customer).json()
    second = create(rep, customer, title="二期合同").json()
    post(rep, f"/api/v1/contracts/{second['id']}/submit")

    def ids(query):
        return [c["id"] for c in rep.get(f"/api/v1/contracts?{query}").json()["items"]]

    assert ids("") == [second["id"], first["id"]]
    assert ids("status=approved") == [second["id"]]
    assert ids("q=二期") == [second["id"]]
    assert ids(f"customer={customer.pk}&sort=number") == [first["id"], second["id"]]
    assert rep.get("/api/v1/contracts?customer=99999999999999999999999").status_code in (400, 422)
