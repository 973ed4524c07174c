"""The approval engine's services: matching, steps, approvers, decisions, locking, notifications."""

from decimal import Decimal

import pytest

from kehu.approvals.choices import RequestStatus, StepKind, TaskStatus
from kehu.approvals.models import ApprovalRequest, ApprovalTask
from kehu.approvals.services import (
    approval_approve,
    approval_cancel,
    approval_ensure_unlocked,
    approval_is_locked,
    approval_reject,
    approval_submit,
)
from kehu.approvals.tests.factories import KEY, make_flow, step
from kehu.core.activity import activity_for
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.customers.tests.factories import CustomerFactory
from kehu.notifications.models import Notification
from kehu.org.tests.factories import UserFactory

DISCOUNT_OVER_10 = [("discount_percent", ">", "10")]
AMOUNT_OVER_500K = [("amount", ">", "500000")]


def notes(user):
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("verb", "title"))


@pytest.fixture
def doc(org, docs):
    return docs.set(CustomerFactory(owner=org.rep, name="报价单 Q-1"), discount_percent="12", amount="100000")


def test_no_matching_flow_approves_at_once(org, docs, doc):
    make_flow(org.admin, "Big discounts", [step(StepKind.USER, org.team_lead)], conditions=DISCOUNT_OVER_10)
    docs.set(doc, discount_percent="10", amount="100000")  # 10 is not > 10

    assert approval_submit(actor=org.rep, document_type=KEY, document=doc) is None

    assert docs.calls == [("approved", doc.pk, None)]
    assert ApprovalRequest.objects.count() == 0
    assert not approval_is_locked(doc)
    assert [a.verb for a in activity_for(doc)] == ["approval.not_required"]


def test_discount_over_ten_percent_starts_the_flow_and_notifies_the_approver(org, docs, doc):
    flow = make_flow(
        org.admin, "Big discounts", [step(StepKind.USER, org.team_lead)], conditions=DISCOUNT_OVER_10
    )

    request = approval_submit(actor=org.rep, document_type=KEY, document=doc)

    assert request.flow == flow
    assert (request.status, request.current_step, request.submitter) == ("pending", 1, org.rep)
    assert request.values == {"discount_percent": "12", "amount": "100000"}
    task = request.tasks.get()
    assert (task.position, task.status, list(task.approvers.all())) == (1, "pending", [org.team_lead])
    assert docs.calls == [("submitted", doc.pk, request.pk)]
    assert notes(org.team_lead) == [("approval.requested", "Please approve test document: 报价单 Q-1")]
    assert approval_is_locked(doc)


def test_amount_over_half_a_million_matches_and_all_conditions_must_hold(org, docs, doc):
    both = [*DISCOUNT_OVER_10, *AMOUNT_OVER_500K]
    make_flow(org.admin, "Both", [step(StepKind.USER, org.director)], conditions=both, position=1)
    big = make_flow(
        org.admin,
        "Big deals",
        [step(StepKind.USER, org.dept_manager)],
        conditions=AMOUNT_OVER_500K,
        position=2,
    )
    docs.set(doc, discount_percent="5", amount="500000.01")

    assert approval_submit(actor=org.rep, document_type=KEY, document=doc).flow == big


def test_first_matching_active_flow_wins_and_a_flow_without_conditions_catches_all(org, docs, doc):
    make_flow(org.admin, "Inactive", [step(StepKind.USER, org.admin)], position=0, active=False)
    make_flow(org.admin, "Catch all", [step(StepKind.USER, org.director)], position=9)
    first = make_flow(
        org.admin, "Discount", [step(StepKind.USER, org.team_lead)], conditions=DISCOUNT_OVER_10, position=1
    )
    make_flow(
        org.admin,
        "Also discount",
        [step(StepKind.USER, org.dept_manager)],
        conditions=DISCOUNT_OVER_10,
        position=2,
    )
    other = docs.set(CustomerFactory(owner=org.rep), discount_percent="0", amount="1")

    assert approval_submit(actor=org.rep, document_type=KEY, document=doc).flow == first
    assert approval_submit(actor=org.rep, document_type=KEY, document=other).flow.name == "Catch all"


def test_steps_run_in_order_and_the_document_is_approved_after_the_last(org, docs, doc):
    org.east.manager = org.team_lead
    org.east.save()
    make_flow(
        org.admin,
        "Three steps",
        [
            step(StepKind.DEPARTMENT_HEAD),
            step(StepKind.ROLE, role=org.director.role),
            step(StepKind.USER, org.admin),
        ],
    )
    request = approval_submit(actor=org.rep, document_type=KEY, document=doc)

    first = request.tasks.get()
    assert list(first.approvers.all()) == [org.team_lead]  # Shanghai has no head: East's
    approval_approve(actor=org.team_lead, task=first, comment="ok")
    second = request.tasks.get(position=2)
    assert list(second.approvers.all()) == [org.director]
    assert docs.calls == [("submitted", doc.pk, request.pk)]
    approval_approve(actor=org.director, task=second)
    third = request.tasks.get(position=3)
    result = approval_approve(actor=org.admin, task=third, comment="done")

    assert result.status == RequestStatus.APPROVED
    assert result.decided_at is not None
    assert list(request.tasks.values_list("position", "status", "decided_by", "comment")) == [
        (1, "approved", org.team_lead.pk, "ok"),
        (2, "approved", org.director.pk, ""),
        (3, "approved", org.admin.pk, "done"),
    ]
    assert docs.calls[-1] == ("approved", doc.pk, request.pk)
    assert [v for v, _t in notes(org.rep)] == [
        "approval.step_approved",
        "approval.step_approved",
        "approval.approved",
    ]
    assert notes(org.rep)[-1] == ("approval.approved", "Approved: 报价单 Q-1")
    assert not approval_is_locked(doc)
    assert [a.verb for a in activity_for(doc)][::-1] == [
        "approval.submitted",
        "approval.step_approved",
        "approval.step_approved",
        "approval.approved",
    ]


def test_any_of_step_any_one_approver_decides(org, docs, doc):
    make_flow(org.admin, "Any", [step(StepKind.ANY_OF, org.team_lead, org.dept_manager)])
    request = approval_submit(actor=org.rep, document_type=KEY, document=doc)
    task = request.tasks.get()
    assert set(task.approvers.all()) == {org.team_lead, org.dept_manager}
    assert notes(org.dept_manager) == notes(org.team_lead) != []

    approval_approve(actor=org.dept_manager, task=task)

    with pytest.raises(ConflictError, match="already been decided"):
        approval_approve(actor=org.team_lead, task=ApprovalTask.objects.get(pk=task.pk))
    assert ApprovalRequest.objects.get().status == RequestStatus.APPROVED
    assert ApprovalTask.objects.get().decided_by == org.dept_manager


def test_department_head_walks_up_when_the_submitter_heads_the_department(org, docs):
    org.east.manager = org.team_lead
    org.sales.manager = org.dept_manager
    for department in (org.east, org.sales):
        department.save()
    make_flow(org.admin, "Head", [step(StepKind.DEPARTMENT_HEAD)])
    doc = docs.set(CustomerFactory(owner=org.team_lead), discount_percent="1")

    request = approval_submit(actor=org.team_lead, document_type=KEY, document=doc)

    assert list(request.tasks.get().approvers.all()) == [org.dept_manager]


def test_department_head_missing_all_the_way_up_is_a_clear_error_and_nothing_is_submitted(org, docs, doc):
    make_flow(org.admin, "Head", [step(StepKind.DEPARTMENT_HEAD)])

    with pytest.raises(DomainError, match="No department head above Rep1 can approve this"):
        approval_submit(actor=org.rep, document_type=KEY, document=doc)

    assert ApprovalRequest.objects.count() == 0
    assert docs.calls == []
    assert not approval_is_locked(doc)


def test_role_step_resolves_active_users_of_the_role(org, docs, doc):
    gone = UserFactory(username="gone", role=org.director.role, is_active=False)
    make_flow(org.admin, "Role", [step(StepKind.ROLE, role=org.director.role)])

    task = approval_submit(actor=org.rep, document_type=KEY, document=doc).tasks.get()

    assert list(task.approvers.all()) == [org.director]
    assert gone not in task.approvers.all()


def test_locked_while_pending(org, docs, doc):
    make_flow(org.admin, "Any", [step(StepKind.USER, org.team_lead)])
    approval_submit(actor=org.rep, document_type=KEY, document=doc)

    with pytest.raises(ConflictError, match="already waiting for approval"):
        approval_submit(actor=org.rep, document_type=KEY, document=doc)
    with pytest.raises(ConflictError, match="locked while it waits for approval"):
        approval_ensure_unlocked(doc)
    assert ApprovalRequest.objects.count() == 1


def test_only_a_current_approver_may_decide(org, docs, doc):
    make_flow(org.admin, "Two", [step(StepKind.USER, org.team_lead), step(StepKind.USER, org.director)])
    task = approval_submit(actor=org.rep, document_type=KEY, document=doc).tasks.get()

    for intruder in (org.director, org.rep, org.peer_rep):  # the next step's approver, the submitter, others
        with pytest.raises(PermissionDeniedError, match="not an approver of this step"):
            approval_approve(actor=intruder, task=task)
        with pytest.raises(PermissionDeniedError):
            approval_reject(actor=intruder, task=task, comment="no")

    task.refresh_from_db()
    assert (task.status, task.decided_by) == (TaskStatus.PENDING, None)
    assert ApprovalTask.objects.count() == 1


def test_rejection_needs_a_comment_then_resubmission_keeps_the_history(org, docs, doc):
    make_flow(org.admin, "One", [step(StepKind.USER, org.team_lead)])
    first = approval_submit(actor=org.rep, document_type=KEY, document=doc)
    task = first.tasks.get()

    with pytest.raises(DomainError, match="Give the reason for rejecting"):
        approval_reject(actor=org.team_lead, task=task, comment="  ")
    approval_reject(actor=org.team_lead, task=task, comment="折扣太高")

    first.refresh_from_db()
    assert first.status == RequestStatus.REJECTED
    assert docs.calls[-1] == ("rejected", doc.pk, first.pk)
    assert notes(org.rep) == [("approval.rejected", "Rejected: 报价单 Q-1")]
    assert Notification.objects.get(recipient=org.rep).body == "Lead: 折扣太高"
    assert not approval_is_locked(doc)

    docs.set(doc, discount_percent="11", amount="100000")
    second = approval_submit(actor=org.rep, document_type=KEY, document=doc)
    approval_approve(actor=org.team_lead, task=second.tasks.get())

    history = list(ApprovalRequest.objects.for_document(doc).order_by("id").values_list("status", "values"))
    assert history == [
        ("rejected", {"discount_percent": "12", "amount": "100000"}),
        ("approved", {"discount_percent": "11", "amount": "100000"}),
    ]


def test_submitter_withdraws_and_approvers_are_told(org, docs, doc):
    make_flow(org.admin, "One", [step(StepKind.USER, org.team_lead)])
    request = approval_submit(actor=org.rep, document_type=KEY, document=doc)

    with pytest.raises(PermissionDeniedError, match="Only the submitter"):
        approval_cancel(actor=org.team_lead, request=request)
    approval_cancel(actor=org.rep, request=request)

    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    assert request.tasks.get().status == TaskStatus.SKIPPED
    assert docs.calls[-1] == ("cancelled", doc.pk, request.pk)
    assert notes(org.team_lead)[-1] == ("approval.cancelled", "Approval withdrawn: 报价单 Q-1")
    with pytest.raises(ConflictError):
        approval_approve(actor=org.team_lead, task=request.tasks.get())
    with pytest.raises(ConflictError):
        approval_cancel(actor=org.rep, request=request)


def test_unknown_document_type_is_refused(org, doc):
    with pytest.raises(DomainError, match="not a document type that can be approved"):
        approval_submit(actor=org.rep, document_type="nope", document=doc)


def test_condition_values_are_decimals(org, docs, doc):
    make_flow(org.admin, "Exact", [step(StepKind.USER, org.team_lead)], conditions=[("amount", "==", "0.1")])
    docs.values[doc.pk] = {"amount": Decimal("0.10")}

    assert approval_submit(actor=org.rep, document_type=KEY, document=doc) is not None


def test_nobody_approves_their_own_document(org, docs):
    make_flow(
        org.admin,
        "Self",
        [step(StepKind.USER, org.team_lead), step(StepKind.ANY_OF, org.team_lead, org.director)],
    )
    doc = docs.set(CustomerFactory(owner=org.team_lead, name="Q-9"), amount="1")

    request = approval_submit(actor=org.team_lead, document_type=KEY, document=doc)

    first, second = request.tasks.order_by("position")
    assert (first.status, first.comment) == (
        "skipped",
        "The submitter is this step's only approver and has no department head above.",
    )
    assert (second.status, list(second.approvers.all())) == ("pending", [org.director])
    assert request.current_step == 2


def test_a_flow_the_submitter_alone_would_approve_completes_at_once(org, docs):
    make_flow(org.admin, "Self", [step(StepKind.USER, org.director)])
    doc = docs.set(CustomerFactory(owner=org.director), amount="1")

    request = approval_submit(actor=org.director, document_type=KEY, document=doc)

    assert request.status == RequestStatus.APPROVED
    assert docs.calls == [("submitted", doc.pk, request.pk), ("approved", doc.pk, request.pk)]
    assert not approval_is_locked(doc)


def test_a_submitter_named_as_the_approver_goes_to_their_department_head(org, docs):
    org.shanghai.manager = org.team_lead
    org.shanghai.save()
    make_flow(org.admin, "Self", [step(StepKind.USER, org.rep)], conditions=[("amount", ">", "0")])
    doc = docs.set(CustomerFactory(owner=org.rep), amount="500000")

    request = approval_submit(actor=org.rep, document_type=KEY, document=doc)

    assert request.status == RequestStatus.PENDING
    assert list(request.tasks.get().approvers.all()) == [org.team_lead]
