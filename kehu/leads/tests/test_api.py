"""The leads API: capture (single and batch), scope, actions, rules, report, and the JSON it promises."""

import pytest

from kehu.customers.services import customer_create
from kehu.customers.tests.test_api import api_client
from kehu.leads.choices import LeadStatus
from kehu.leads.models import AssignmentRule, Lead
from kehu.leads.services import lead_capture
from kehu.leads.tests.rules import capture, lead_data, make_rule
from kehu.sales.opportunities.models import Opportunity


def test_post_one_lead_assigns_it_at_once_and_shows_owner(org):
    make_rule([org.rep])
    response = api_client(org.dept_manager).post(
        "/api/v1/leads", lead_data(), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["owner"], body["status"], body["channel"], body["duplicate_of"]) == (
        org.rep.pk,
        "assigned",
        "api",
        None,
    )


def test_post_a_duplicate_names_what_it_duplicates(org):
    customer = customer_create(
        actor=org.rep, data={"name": "苏州工业园区某某有限公司", "phone": "13912340000"}
    )
    response = api_client(org.rep).post(
        "/api/v1/leads", {"name": "孙", "phone": "+86 139-1234-0000"}, content_type="application/json"
    )
    assert response.json()["duplicate_of"] == {"type": "customer", "id": customer.pk, "key": "phone"}
    assert response.json()["owner"] == org.rep.pk


def test_batch_creates_all_or_refuses_all_naming_the_item(org):
    client = api_client(org.rep)
    good = client.post(
        "/api/v1/leads", {"items": [lead_data(), lead_data()]}, content_type="application/json"
    )
    assert good.status_code == 201
    assert good.json()["count"] == 2
    bad = client.post(
        "/api/v1/leads",
        {"items": [lead_data(), lead_data(phone="12345")]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "items.1.phone"
    assert Lead.objects.count() == 2


def test_unknown_fields_and_oversized_batches_are_refused(org):
    client = api_client(org.rep)
    assert (
        client.post("/api/v1/leads", {**lead_data(), "owner": 3}, content_type="application/json").status_code
        == 422
    )
    many = {"items": [lead_data() for _ in range(501)]}
    assert client.post("/api/v1/leads", many, content_type="application/json").status_code == 422
    assert not Lead.objects.exists()


def test_list_is_scoped_and_the_pool_is_a_view(org):
    mine = lead_capture(actor=org.rep, data=lead_data(), owner=org.rep)
    lead_capture(actor=org.other_dept_rep, data=lead_data(), owner=org.other_dept_rep)
    [pooled] = capture()
    rep = api_client(org.rep)
    assert [i["id"] for i in rep.get("/api/v1/leads").json()["items"]] == [mine.pk]
    assert [i["id"] for i in rep.get("/api/v1/leads?view=pool").json()["items"]] == [pooled.pk]
    assert api_client(org.dept_manager).get("/api/v1/leads").json()["count"] == 2
    assert api_client(org.outsider).get("/api/v1/leads?view=pool").json()["count"] == 0
    other = Lead.objects.get(owner=org.other_dept_rep)
    assert rep.get(f"/api/v1/leads/{other.pk}").status_code == 404
    assert (
        rep.patch(f"/api/v1/leads/{other.pk}", {"title": "x"}, content_type="application/json").status_code
        == 404
    )


def test_claim_answers_200_to_the_winner_and_409_to_the_next(org):
    [pooled] = capture()
    first = api_client(org.rep).post(f"/api/v1/leads/{pooled.pk}/claim")
    second = api_client(org.peer_rep).post(f"/api/v1/leads/{pooled.pk}/claim")
    assert (first.status_code, first.json()["owner"]) == (200, org.rep.pk)
    assert second.status_code == 409
    assert "already taken" in second.json()["detail"]


def test_status_invalidate_and_convert(org):
    lead = lead_capture(actor=org.rep, data=lead_data(company_name="测试有限公司"), owner=org.rep)
    client = api_client(org.rep)
    assert (
        client.post(
            f"/api/v1/leads/{lead.pk}/status", {"status": "contacted"}, content_type="application/json"
        ).json()["status"]
        == "contacted"
    )
    converted = client.post(f"/api/v1/leads/{lead.pk}/convert", {}, content_type="application/json")
    assert converted.status_code == 200
    assert converted.json()["lead"]["customer"] == converted.json()["customer_id"]
    again = client.post(f"/api/v1/leads/{lead.pk}/convert", {}, content_type="application/json")
    assert again.status_code == 409
    other = lead_capture(actor=org.rep, data=lead_data(), owner=org.rep)
    bad = client.post(
        f"/api/v1/leads/{other.pk}/invalidate", {"reason": "nope"}, content_type="application/json"
    )
    assert (bad.status_code, bad.json()["field"]) == (400, "reason")
    ok = client.post(
        f"/api/v1/leads/{other.pk}/invalidate", {"reason": "spam"}, content_type="application/json"
    )
    assert (ok.status_code, ok.json()["status"], ok.json()["invalid_reason"]) == (200, "invalid", "spam")


def test_convert_with_an_opportunity(org):
    lead = lead_capture(actor=org.rep, data=lead_data(company_name="苏州明达有限公司"), owner=org.rep)
    body = {"opportunity": {"title": "明达 CRM", "amount": "50000.00", "expected_close_date": "2026-12-31"}}
    converted = api_client(org.rep).post(
        f"/api/v1/leads/{lead.pk}/convert", body, content_type="application/json"
    )
    assert converted.status_code == 200, converted.content
    opportunity = Opportunity.objects.get(pk=converted.json()["opportunity_id"])
    assert (opportunity.title, opportunity.customer_id, str(opportunity.amount)) == (
        "明达 CRM",
        converted.json()["customer_id"],
        "50000.00",
    )
    other = lead_capture(actor=org.rep, data=lead_data(), owner=org.rep)
    bad = api_client(org.rep).post(
        f"/api/v1/leads/{other.pk}/convert",
        {"opportunity": {"amount": "-5"}},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert "opportunity.amount" in bad.json()["errors"]


def test_assignments_log_is_readable(org):
    make_rule([org.rep], name="全部线索")
    lead = lead_capture(actor=org.dept_manager, data=lead_data())
    [entry] = api_client(org.rep).get(f"/api/v1/leads/{lead.pk}/assignments").json()
    assert (entry["reason"], entry["strategy"], entry["assignee"]) == ("rule", "round_robin", org.rep.pk)


def test_manual_assignment_through_the_api(org):
    [pooled] = capture()
    client = api_client(org.dept_manager)
    response = client.post(
        "/api/v1/leads/assign",
        {"lead_ids": [pooled.pk], "owner": org.rep.pk},
        content_type="application/json",
    )
    assert response.json() == {"assigned": 1}
    denied = api_client(org.rep).post(
        "/api/v1/leads/assign",
        {"lead_ids": [pooled.pk], "owner": org.rep.pk},
        content_type="application/json",
    )
    assert denied.status_code == 403


@pytest.fixture
def ops(org):
    from kehu.org.roles import roles_ensure_standard
    from kehu.org.tests.factories import UserFactory

    return UserFactory(username="ops", department=org.sales, role=roles_ensure_standard()["Sales operations"])


def test_rules_crud_and_preview_need_the_permission(org, ops):
    body = {
        "name": "华东网站线索",
        "is_active": True,
        "match_sources": ["website"],
        "strategy": "weighted",
        "members": [{"user": org.rep.pk, "weight": 2}, {"user": org.peer_rep.pk}],
        "departments": [org.east.pk],
        "daily_cap": 50,
        "sla_hours": 24,
    }
    assert (
        api_client(org.rep)
        .post("/api/v1/assignment-rules", body, content_type="application/json")
        .status_code
        == 403
    )
    client = api_client(ops)
    created = client.post("/api/v1/assignment-rules", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    rule = created.json()
    assert rule["members"] == [
        {"user": org.rep.pk, "weight": 2, "monthly_capacity": None},
        {"user": org.peer_rep.pk, "weight": 1, "monthly_capacity": None},
    ]
    capture(count=9, source="website")
    preview = client.post(f"/api/v1/assignment-rules/{rule['id']}/preview?last=9").json()
    assert preview["matching"] == 9
    assert sum(n for _name, n in preview["to_people"]) == 9
    bad = client.put(
        f"/api/v1/assignment-rules/{rule['id']}",
        {**body, "strategy": "capacity"},
        content_type="application/json",
    )
    assert (bad.status_code, bad.json()["field"]) == (400, "strategy")
    fallback = client.put(
        f"/api/v1/assignment-rules/{rule['id']}",
        {**body, "fallback": "user"},
        content_type="application/json",
    )
    assert (fallback.status_code, fallback.json()["field"]) == (400, "fallback_user")
    assert client.delete(f"/api/v1/assignment-rules/{rule['id']}").status_code == 204
    assert not AssignmentRule.objects.exists()


def test_conversion_report_counts_what_the_caller_may_see(org):
    for _ in range(3):
        lead_capture(actor=org.rep, data=lead_data(source="exhibition"), owner=org.rep)
    lead = Lead.objects.first()
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.CONVERTED)
    lead_capture(actor=org.other_dept_rep, data=lead_data(source="website"), owner=org.other_dept_rep)
    report = api_client(org.rep).get("/api/v1/leads/report").json()
    assert report["by_source"] == [
        {
            "source": "exhibition",
            "total": 3,
            "converted": 1,
            "invalid": 0,
            "rate": 33.3,
            "owner_id": None,
            "owner": None,
        }
    ]
    assert api_client(org.dept_manager).get("/api/v1/leads/report").json()["by_owner"][0]["total"] == 3
