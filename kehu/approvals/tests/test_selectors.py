"""Reads: the queue, the lists by view with their scope, and a document's history."""

import pytest
from django.http import Http404

from kehu.approvals.choices import StepKind
from kehu.approvals.selectors import approval_get, approval_history, approval_list, approval_queue
from kehu.approvals.services import approval_approve, approval_reject, approval_submit
from kehu.approvals.tests.factories import KEY, make_flow, step
from kehu.core.exceptions import FilterError
from kehu.customers.tests.factories import CustomerFactory


def submit(org, docs, owner, name):
    doc = docs.set(CustomerFactory(owner=owner, name=name), amount="1")
    return approval_submit(actor=owner, document_type=KEY, document=doc)


def test_queue_holds_the_users_pending_tasks_oldest_first_in_constant_queries(
    org, docs, django_assert_num_queries
):
    make_flow(org.admin, "Any", [step(StepKind.ANY_OF, org.team_lead, org.dept_manager)])
    first = submit(org, docs, org.rep, "A")
    second = submit(org, docs, org.peer_rep, "B")
    decided = submit(org, docs, org.east_rep, "C")
    approval_approve(actor=org.dept_manager, task=decided.tasks.get())

    with django_assert_num_queries(1):
        tasks = list(approval_queue(user=org.team_lead))
        assert [(t.request.document_label, str(t.request.submitter), t.step.kind) for t in tasks] == [
            ("A", "Rep1", "any_of"),
            ("B", "Rep3", "any_of"),
        ]
    assert [t.request for t in tasks] == [first, second]
    assert list(approval_queue(user=org.rep)) == []


def test_lists_by_view_in_constant_queries(org, docs, django_assert_num_queries):
    make_flow(org.admin, "Two", [step(StepKind.USER, org.team_lead), step(StepKind.USER, org.director)])
    mine = [submit(org, docs, org.rep, f"Q{i}") for i in range(3)]
    approval_approve(actor=org.team_lead, task=mine[0].tasks.get())
    approval_reject(actor=org.team_lead, task=mine[1].tasks.get(), comment="no")

    with django_assert_num_queries(3):  # requests (with submitter and flow), tasks, their approvers
        rows = [
            (r.document_label, [(t.position, t.status, len(t.approvers.all())) for t in r.tasks.all()])
            for r in approval_list(user=org.rep, filters={"view": "submitted"})
        ]
    assert sorted(rows) == [
        ("Q0", [(1, "approved", 1), (2, "pending", 1)]),
        ("Q1", [(1, "rejected", 1)]),
        ("Q2", [(1, "pending", 1)]),
    ]
    assert [r.document_label for r in approval_list(user=org.team_lead)] == ["Q2"]
    assert [r.document_label for r in approval_list(user=org.director)] == ["Q0"]
    assert sorted(
        r.document_label for r in approval_list(user=org.team_lead, filters={"view": "decided"})
    ) == ["Q0", "Q1"]
    assert [
        r.document_label
        for r in approval_list(user=org.rep, filters={"view": "submitted", "status": "rejected"})
    ] == ["Q1"]
    assert list(approval_list(user=org.peer_rep, filters={"view": "submitted"})) == []


def test_all_view_is_for_those_who_may_view_every_approval(org, docs):
    make_flow(org.admin, "One", [step(StepKind.USER, org.team_lead)])
    submit(org, docs, org.rep, "Q")

    assert [r.document_label for r in approval_list(user=org.admin, filters={"view": "all"})] == ["Q"]
    with pytest.raises(FilterError):
        approval_list(user=org.rep, filters={"view": "all"})
    with pytest.raises(FilterError):
        approval_list(user=org.rep, filters={"view": "bogus"})


def test_get_scope_matrix(org, docs):
    make_flow(org.admin, "One", [step(StepKind.USER, org.team_lead)])
    request = submit(org, docs, org.rep, "Q")

    for user in (org.rep, org.team_lead, org.admin):
        assert approval_get(user=user, pk=request.pk) == request
    for user in (org.peer_rep, org.director, org.dept_manager, org.outsider):
        with pytest.raises(Http404):
            approval_get(user=user, pk=request.pk)


def test_history_lists_every_submission_of_a_document_first_one_first(org, docs):
    make_flow(org.admin, "One", [step(StepKind.USER, org.team_lead)])
    first = submit(org, docs, org.rep, "Q")
    doc = CustomerFactory._meta.model.objects.get(pk=first.document_id)
    approval_reject(actor=org.team_lead, task=first.tasks.get(), comment="太贵")
    second = approval_submit(actor=org.rep, document_type=KEY, document=doc)

    history = list(approval_history(document=doc))

    assert history == [first, second]
    assert [(t.status, t.comment) for r in history for t in r.tasks.all()] == [
        ("rejected", "太贵"),
        ("pending", ""),
    ]
