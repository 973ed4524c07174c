"""The approval pages: queue and tabs, detail, approve / reject, 403 for others, withdrawal."""

import pytest
from django.template import Context, Template
from django.test import Client

from kehu.approvals.choices import RequestStatus, StepKind, TaskStatus
from kehu.approvals.models import ApprovalRequest
from kehu.approvals.services import approval_approve, approval_submit
from kehu.approvals.tests.factories import KEY, make_flow, step
from kehu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submit(org, docs, name="Q-1", submitter=None, **values):
    doc = docs.set(
        CustomerFactory(owner=submitter or org.rep, name=name), **(values or {"discount_percent": "15"})
    )
    return approval_submit(actor=submitter or org.rep, document_type=KEY, document=doc)


@pytest.fixture
def flow(org, docs):
    return make_flow(org.admin, "Discounts", [step(StepKind.USER, org.team_lead, name="Team lead")])


def test_queue_lists_what_waits_for_me_oldest_first(org, docs, flow):
    first = submit(org, docs, "Q-1", discount_percent="15", amount="1000")
    second = submit(org, docs, "Q-2")

    response = client_for(org.team_lead).get("/approvals/")

    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert rows == [first, second]
    html = response.content.decode()
    assert html.index("Q-1") < html.index("Q-2")
    assert f'href="/customers/{first.document_id}/"' in html  # the document, via the registry's url
    assert "Rep1" in html
    assert "1. Team lead" in html
    assert "discount (%): <strong>15</strong>" in html
    assert "amount: <strong>1000</strong>" in html
    assert response.context["tabs"] == [
        ("queue", "waiting for me", 2),
        ("submitted", "submitted by me", 0),
        ("decided", "decided by me", 0),
    ]
    assert 'data-testid="approval-flows-admin"' not in html


def test_queue_is_empty_for_others_and_submitted_tab_shows_mine(org, docs, flow):
    mine = submit(org, docs)

    assert list(client_for(org.peer_rep).get("/approvals/").context["page"].object_list) == []
    response = client_for(org.rep).get("/approvals/?view=submitted")
    assert list(response.context["page"].object_list) == [mine]
    assert [count for _key, _label, count in response.context["tabs"]] == [0, 1, 0]


def test_decided_tab_and_all_tab_for_those_who_see_all(org, docs, flow):
    approval = submit(org, docs)
    approval_approve(actor=org.team_lead, task=approval.tasks.get(), comment="")

    decided = client_for(org.team_lead).get("/approvals/?view=decided")
    assert list(decided.context["page"].object_list) == [approval]
    assert client_for(org.rep).get("/approvals/?view=all").status_code == 404
    everything = client_for(org.admin).get("/approvals/?view=all")
    assert list(everything.context["page"].object_list) == [approval]
    assert [key for key, _label, _count in everything.context["tabs"]] == [
        "queue",
        "submitted",
        "decided",
        "all",
    ]
    assert 'data-testid="approval-flows-admin"' in everything.content.decode()


def test_queue_htmx_page_gets_the_table_only(org, docs, flow):
    submit(org, docs)
    response = client_for(org.team_lead).get(
        "/approvals/?view=queue", headers={"HX-Request": "true", "HX-Target": "approval-table"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="approval-table">')
    assert "<html" not in html


def test_queue_queries_do_not_grow_with_rows(org, docs, flow, django_assert_max_num_queries):
    for i in range(3):
        submit(org, docs, f"Q-{i}")
    client = client_for(org.team_lead)
    client.get("/approvals/")  # warm caches (content types, permissions)
    with django_assert_max_num_queries(20) as few:
        client.get("/approvals/")
    for i in range(3, 12):
        submit(org, docs, f"Q-{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/approvals/")
    assert len(response.context["page"].object_list) == 12


def test_detail_shows_steps_values_and_buttons_for_the_approver(org, docs, flow):
    approval = submit(org, docs, discount_percent="15", amount="1000")

    html = client_for(org.team_lead).get(f"/approvals/{approval.pk}/").content.decode()

    assert 'data-testid="approval-approve"' in html
    assert 'data-testid="approval-reject"' in html
    assert "Who may approve: " in html
    assert "Discount (%)" in html
    assert "1000" in html
    assert 'data-testid="approval-withdraw"' not in html


def test_submitter_sees_no_buttons_and_cannot_decide(org, docs, flow):
    approval = submit(org, docs)
    task = approval.tasks.get()
    client = client_for(org.rep)

    html = client.get(f"/approvals/{approval.pk}/").content.decode()
    response = client.post(f"/approvals/{approval.pk}/decide/", {"task": task.pk, "decision": "approve"})

    assert 'data-testid="approval-approve"' not in html
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING


def test_outsider_gets_404_page_and_403_post(org, docs, flow):
    approval = submit(org, docs)
    task = approval.tasks.get()
    client = client_for(org.peer_rep)

    assert client.get(f"/approvals/{approval.pk}/").status_code == 404
    response = client.post(
        f"/approvals/{approval.pk}/decide/", {"task": task.pk, "decision": "reject", "comment": "no"}
    )
    assert response.status_code == 403
    assert ApprovalRequest.objects.get().status == RequestStatus.PENDING


def test_approve_with_htmx_returns_the_body_and_a_toast(org, docs, flow):
    approval = submit(org, docs)
    task = approval.tasks.get()

    response = client_for(org.team_lead).post(
        f"/approvals/{approval.pk}/decide/",
        {"task": task.pk, "decision": "approve", "comment": "OK"},
        headers={"HX-Request": "true", "HX-Target": "approval-body"},
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == '{"toast": {"message": "Approved.", "level": "success"}}'
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="approval-body">')
    assert 'data-testid="approval-approve"' not in html
    task.refresh_from_db()
    assert (task.status, task.decided_by, task.comment) == (TaskStatus.APPROVED, org.team_lead, "OK")
    assert ApprovalRequest.objects.get().status == RequestStatus.APPROVED


def test_reject_as_plain_post_redirects_and_needs_a_comment(org, docs, flow):
    approval = submit(org, docs)
    task = approval.tasks.get()
    client = client_for(org.team_lead)

    refused = client.post(f"/approvals/{approval.pk}/decide/", {"task": task.pk, "decision": "reject"})
    assert refused.status_code == 200
    assert "Give the reason for rejecting." in refused.content.decode()
    assert ApprovalRequest.objects.get().status == RequestStatus.PENDING

    response = client.post(
        f"/approvals/{approval.pk}/decide/", {"task": task.pk, "decision": "reject", "comment": "折扣太高"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/approvals/{approval.pk}/"
    assert ApprovalRequest.objects.get().status == RequestStatus.REJECTED
    assert "折扣太高" in client.get(response["Location"]).content.decode()


def test_deciding_twice_says_already_decided(org, docs, flow):
    approval = submit(org, docs)
    task = approval.tasks.get()
    client = client_for(org.team_lead)
    client.post(f"/approvals/{approval.pk}/decide/", {"task": task.pk, "decision": "approve"})

    response = client.post(
        f"/approvals/{approval.pk}/decide/", {"task": task.pk, "decision": "approve"}, follow=True
    )

    assert "This step has already been decided." in response.content.decode()


def test_submitter_withdraws_a_pending_request(org, docs, flow):
    approval = submit(org, docs)
    client = client_for(org.rep)
    assert 'data-testid="approval-withdraw"' in client.get(f"/approvals/{approval.pk}/").content.decode()

    response = client.post(
        f"/approvals/{approval.pk}/withdraw/", headers={"HX-Request": "true", "HX-Target": "approval-body"}
    )

    assert response.status_code == 200
    assert "Withdrawn from approval." in response["HX-Trigger"]
    assert ApprovalRequest.objects.get().status == RequestStatus.CANCELLED
    assert ("cancelled", approval.document_id, approval.pk) in docs.calls


def test_approver_cannot_withdraw(org, docs, flow):
    approval = submit(org, docs)
    assert client_for(org.team_lead).post(f"/approvals/{approval.pk}/withdraw/").status_code == 403
    assert ApprovalRequest.objects.get().status == RequestStatus.PENDING


def test_pending_count_tag_uses_one_query(org, docs, flow, django_assert_num_queries):
    submit(org, docs, "Q-1")
    submit(org, docs, "Q-2")
    template = Template("{% load approval_tags %}{% approvals_pending_count user %}")
    with django_assert_num_queries(1):
        assert template.render(Context({"user": org.team_lead})) == "2"
    assert template.render(Context({"user": org.rep})) == "0"
