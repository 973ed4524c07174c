"""The approvals API: queue and views, detail, approve / reject (403 for non-approvers), flows for admins."""

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client

from kehu.approvals.choices import StepKind
from kehu.approvals.models import ApprovalFlow, ApprovalTask
from kehu.approvals.services import approval_submit
from kehu.approvals.tests.factories import KEY, make_flow, step
from kehu.customers.tests.factories import CustomerFactory
from kehu.org.services import api_token_create

pytestmark = pytest.mark.urls("kehu.approvals.tests.urls")

NO_PERMISSION = {"detail": "You do not have permission to do this.", "field": None, "errors": {}}


def api_client(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def stamp(value) -> str:
    return DjangoJSONEncoder().default(value)


def submitted(org, docs, flow_steps):
    make_flow(org.admin, "Discounts", flow_steps)
    doc = docs.set(CustomerFactory(owner=org.rep, name="Q-1"), discount_percent="15", amount="1000")
    return approval_submit(actor=org.rep, document_type=KEY, document=doc)


def test_queue_lists_what_waits_for_me(org, docs):
    request = submitted(org, docs, [step(StepKind.USER, org.team_lead)])
    task = request.tasks.get()

    response = api_client(org.team_lead).get("/api/v1/approvals")

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "items": [
            {
                "id": request.pk,
                "document_type": KEY,
                "document_type_label": "test document",
                "document_id": request.document_id,
                "document_label": "Q-1",
                "flow": request.flow_id,
                "flow_name": "Discounts",
                "submitter": {"id": org.rep.pk, "name": "Rep1"},
                "status": "pending",
                "current_step": 1,
                "current_task": task.pk,
                "values": {"discount_percent": "15", "amount": "1000"},
                "submitted_at": stamp(request.submitted_at),
                "decided_at": None,
                "tasks": [
                    {
                        "id": task.pk,
                        "position": 1,
                        "step_name": "1. a named user",
                        "kind": "user",
                        "status": "pending",
                        "approvers": [{"id": org.team_lead.pk, "name": "Lead"}],
                        "decided_by": None,
                        "decided_at": None,
                        "comment": "",
                        "created_at": stamp(task.created_at),
                    }
                ],
            }
        ],
    }
    assert api_client(org.rep).get("/api/v1/approvals").json()["count"] == 0
    assert api_client(org.rep).get("/api/v1/approvals?view=submitted").json()["count"] == 1
    assert api_client(org.rep).get("/api/v1/approvals?view=all").status_code == 400


def test_detail_is_for_those_involved(org, docs):
    request = submitted(org, docs, [step(StepKind.USER, org.team_lead)])

    assert api_client(org.rep).get(f"/api/v1/approvals/{request.pk}").json()["id"] == request.pk
    assert api_client(org.peer_rep).get(f"/api/v1/approvals/{request.pk}").status_code == 404


def test_approve_moves_on_and_completes(org, docs):
    request = submitted(org, docs, [step(StepKind.USER, org.team_lead), step(StepKind.USER, org.director)])
    request.tasks.get()

    response = api_client(org.team_lead).post(
        f"/api/v1/approvals/{request.pk}/approve", {"comment": "可以"}, content_type="application/json"
    )

    assert response.status_code == 200
    body = response.json()
    second = ApprovalTask.objects.get(position=2)
    assert (body["status"], body["current_step"], body["current_task"]) == ("pending", 2, second.pk)
    assert [(t["status"], t["comment"]) for t in body["tasks"]] == [("approved", "可以"), ("pending", "")]
    done = api_client(org.director).post(
        f"/api/v1/approvals/{request.pk}/approve", {}, content_type="application/json"
    )
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["current_task"]) == ("approved", None)
    assert docs.calls[-1] == ("approved", request.document_id, request.pk)


def test_a_user_who_is_not_the_current_approver_gets_403(org, docs):
    request = submitted(org, docs, [step(StepKind.USER, org.team_lead), step(StepKind.USER, org.director)])
    task = request.tasks.get()

    for user in (org.director, org.rep, org.outsider):
        client = api_client(user)
        approve = client.post(f"/api/v1/approvals/{request.pk}/approve", {}, content_type="application/json")
        reject = client.post(
            f"/api/v1/approvals/{request.pk}/reject", {"comment": "x"}, content_type="application/json"
        )
        assert approve.status_code == reject.status_code == 403
        assert approve.json() == {
            "detail": "You are not an approver of this step.",
            "field": None,
            "errors": {},
        }
    task.refresh_from_db()
    assert task.status == "pending"
    assert (
        api_client(org.team_lead)
        .post("/api/v1/approvals/999999/approve", {}, content_type="application/json")
        .status_code
        == 404
    )


def test_reject_needs_a_comment_and_a_decided_task_is_a_conflict(org, docs):
    request = submitted(org, docs, [step(StepKind.USER, org.team_lead)])
    request.tasks.get()
    client = api_client(org.team_lead)

    missing = client.post(f"/api/v1/approvals/{request.pk}/reject", {}, content_type="application/json")
    blank = client.post(
        f"/api/v1/approvals/{request.pk}/reject", {"comment": " "}, content_type="application/json"
    )
    rejected = client.post(
        f"/api/v1/approvals/{request.pk}/reject", {"comment": "太低"}, content_type="application/json"
    )
    again = client.post(f"/api/v1/approvals/{request.pk}/approve", {}, content_type="application/json")

    assert missing.status_code == 422
    assert (blank.status_code, blank.json()["field"]) == (400, "comment")
    assert (rejected.status_code, rejected.json()["status"]) == (200, "rejected")
    assert again.status_code == 409


FLOW = {
    "document_type": KEY,
    "name": "大额折扣",
    "position": 1,
    "conditions": [{"field": "discount_percent", "operator": ">", "value": "10"}],
    "steps": [{"kind": "department_head"}, {"kind": "any_of", "users": []}],
}


def test_admins_manage_flows(org, docs):
    client = api_client(org.admin)
    data = {
        **FLOW,
        "steps": [FLOW["steps"][0], {"kind": "any_of", "users": [org.team_lead.pk, org.director.pk]}],
    }

    created = client.post("/api/v1/approval-flows", data, content_type="application/json")

    assert created.status_code == 201
    flow = ApprovalFlow.objects.get()
    body = created.json()
    assert body["conditions"] == [{"field": "discount_percent", "operator": ">", "value": "10"}]
    assert [(s["position"], s["kind"], [u["name"] for u in s["users"]]) for s in body["steps"]] == [
        (1, "department_head", []),
        (2, "any_of", ["Director", "Lead"]),
    ]
    assert client.get("/api/v1/approval-flows").json()[0]["id"] == flow.pk
    patched = client.patch(
        f"/api/v1/approval-flows/{flow.pk}",
        {"active": False, "name": "停用"},
        content_type="application/json",
    )
    assert (patched.json()["active"], patched.json()["name"], len(patched.json()["steps"])) == (
        False,
        "停用",
        2,
    )
    assert client.delete(f"/api/v1/approval-flows/{flow.pk}").status_code == 204
    assert not ApprovalFlow.objects.exists()


def test_flow_validation(org, docs):
    client = api_client(org.admin)

    few = client.post("/api/v1/approval-flows", FLOW, content_type="application/json")
    unknown_field = client.post(
        "/api/v1/approval-flows",
        {
            **FLOW,
            "conditions": [{"field": "margin", "operator": ">", "value": "1"}],
            "steps": [{"kind": "department_head"}],
        },
        content_type="application/json",
    )
    unknown_type = client.post(
        "/api/v1/approval-flows", {**FLOW, "document_type": "nope"}, content_type="application/json"
    )

    assert (few.status_code, few.json()["detail"]) == (400, "Step 2: name at least two users.")
    assert (unknown_field.status_code, unknown_field.json()["field"]) == (400, "conditions")
    assert (unknown_type.status_code, unknown_type.json()["field"]) == (400, "document_type")
    assert not ApprovalFlow.objects.exists()


def test_a_flow_in_use_keeps_its_steps_and_cannot_be_deleted(org, docs):
    request = submitted(org, docs, [step(StepKind.USER, org.team_lead)])
    client = api_client(org.admin)

    steps = client.patch(
        f"/api/v1/approval-flows/{request.flow_id}",
        {"steps": [{"kind": "department_head"}]},
        content_type="application/json",
    )
    delete = client.delete(f"/api/v1/approval-flows/{request.flow_id}")

    assert (steps.status_code, delete.status_code) == (409, 409)
    assert list(request.flow.steps.values_list("kind", flat=True)) == ["user"]


def test_reps_may_not_see_or_change_flows(org, docs):
    flow = make_flow(org.admin, "One", [step(StepKind.USER, org.team_lead)])
    client = api_client(org.rep)

    assert client.get("/api/v1/approval-flows").json() == NO_PERMISSION
    assert (
        client.post(
            "/api/v1/approval-flows",
            {**FLOW, "steps": [{"kind": "department_head"}]},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"/api/v1/approval-flows/{flow.pk}", {"active": False}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client.delete(f"/api/v1/approval-flows/{flow.pk}").status_code == 403
    assert ApprovalFlow.objects.get().active


def test_openapi_describes_the_endpoints():
    from kehu.approvals.tests.urls import api

    paths = api.get_openapi_schema()["paths"]

    assert sorted(paths) == [
        "/api/v1/approval-flows",
        "/api/v1/approval-flows/{flow_id}",
        "/api/v1/approvals",
        "/api/v1/approvals/{approval_id}",
        "/api/v1/approvals/{approval_id}/approve",
        "/api/v1/approvals/{approval_id}/reject",
    ]
