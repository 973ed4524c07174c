"""The approval engine's writes: submit, approve, reject, withdraw. Document apps call these.

A document service submits with `approval_submit` (after its own checks), and refuses edits while
`approval_is_locked(document)`. The registered callbacks (see `registry.py`) set the document's status
inside the same transaction. Deciding is safe under concurrency: the request row is locked and the
task is claimed with a conditional UPDATE, so when two approvers of an any-of step decide at once,
exactly one decision counts and the other gets a ConflictError.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.approvals import registry
from kehu.approvals.choices import RequestStatus, StepKind, TaskStatus
from kehu.approvals.models import COMMENT_MAX, ApprovalFlow, ApprovalRequest, ApprovalStep, ApprovalTask
from kehu.core.activity import activity_record
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.notifications.services import Message, notify
from kehu.org.models import User

# Lookup ------------------------------------------------------------------------------------------------


def approval_flow_for(*, document_type: str, values: dict) -> ApprovalFlow | None:
    """The first active flow of the type, by position, whose conditions all hold; None if none does."""
    flows = ApprovalFlow.objects.active().for_type(document_type).order_by("position", "id")
    return next((flow for flow in flows if flow.matches(values)), None)


def approval_is_locked(document: models.Model) -> bool:
    """Whether the document waits for approval; its app must refuse edits while it does."""
    return ApprovalRequest.objects.for_document(document).pending().exists()


def approval_ensure_unlocked(document: models.Model) -> None:
    """For document services: ConflictError while the document waits for approval."""
    if approval_is_locked(document):
        raise ConflictError(_("This document is locked while it waits for approval."))


# Approvers ---------------------------------------------------------------------------------------------


def _department_head(submitter: User) -> User:
    """The head of the submitter's department; if there is none, or it is the submitter, the next one up."""
    department = submitter.department
    while department is not None:
        head = department.manager
        if head is not None and head.pk != submitter.pk and head.is_active:
            return head
        department = department.parent
    raise DomainError(
        _("No department head above %(user)s can approve this: ask an administrator to set one.")
        % {"user": submitter}
    )


def resolve_approvers(*, step: ApprovalStep, submitter: User) -> list[User]:
    """Who may decide `step` for a request of `submitter`: active users only; never an empty list."""
    if step.kind == StepKind.DEPARTMENT_HEAD:
        return [_department_head(submitter)]
    if step.kind == StepKind.ROLE:
        users = list(User.objects.filter(role_id=step.role_id, is_active=True).order_by("pk"))
    else:
        users = [u for u in step.users.order_by("pk") if u.is_active]
    if not users:
        raise DomainError(
            _("No active user can approve step %(step)s of the flow “%(flow)s”: ask an administrator.")
            % {"step": step.position, "flow": step.flow.name}
        )
    return users


def _advance(request: ApprovalRequest, document: models.Model, *, after: int) -> bool:
    """Open the first step after position `after` that someone other than the submitter must decide.

    Nobody approves their own document: a step whose only approver is the submitter goes to the
    submitter's department head instead (the next head up); only when there is none above them (the top
    of the organisation) is the step recorded as skipped. Returns False when no step is left (the request
    is then complete).
    """
    for step in request.flow.steps.filter(position__gt=after).select_related("flow").order_by("position"):
        approvers = resolve_approvers(step=step, submitter=request.submitter)
        others = [user for user in approvers if user.pk != request.submitter_id]
        if not others:
            try:
                others = [_department_head(request.submitter)]
            except DomainError:
                others = []
        task = ApprovalTask.objects.create(request=request, step=step, position=step.position)
        request.current_step = step.position
        if not others:
            task.status, task.decided_at = TaskStatus.SKIPPED, timezone.now()
            task.comment = _("The submitter is this step's only approver and has no department head above.")
            task.save(update_fields=["status", "decided_at", "comment"])
            task.approvers.set(approvers)
            continue
        task.approvers.set(others)
        request.save(update_fields=["current_step"])
        _notify_approvers(request, task, others, document)
        return True
    request.save(update_fields=["current_step"])
    return False


def _complete(*, actor: User, request: ApprovalRequest, document: models.Model, **data: Any) -> None:
    request.status, request.decided_at = RequestStatus.APPROVED, timezone.now()
    request.save(update_fields=["status", "decided_at"])
    registry.document_type(request.document_type).on_approved(actor=actor, document=document, request=request)
    _record(actor, request, document, "approval.approved", **data)


# Submit ------------------------------------------------------------------------------------------------


@transaction.atomic
def approval_submit(*, actor: User, document_type: str, document: models.Model) -> ApprovalRequest | None:
    """Submit a document: None if no flow applies (it is approved at once), else the request: pending,
    or approved already if the submitter was the only approver of every step.

    The document's own permissions are its service's to check before calling this.
    """
    doc_type = registry.document_type(document_type)
    if not isinstance(document, doc_type.model):
        raise DomainError(_("This document is not a %(type)s.") % {"type": doc_type.label})
    content_type = ContentType.objects.get_for_model(document)
    if ApprovalRequest.objects.for_document(document).pending().exists():
        raise ConflictError(_("This document is already waiting for approval."))
    values = doc_type.condition_values(document)
    flow = approval_flow_for(document_type=document_type, values=values)
    if flow is None:
        doc_type.on_approved(actor=actor, document=document, request=None)
        activity_record(actor=actor, subject=document, verb="approval.not_required", data={})
        return None
    if not flow.steps.exists():
        raise DomainError(_("The flow “%(flow)s” has no steps: ask an administrator.") % {"flow": flow.name})
    try:
        with transaction.atomic():
            request = ApprovalRequest.objects.create(
                document_content_type=content_type,
                document_id=document.pk,
                document_type=document_type,
                document_label=str(document)[:200],
                flow=flow,
                submitter=actor,
                values={k: str(v) for k, v in values.items()},
            )
    except IntegrityError:
        raise ConflictError(_("This document is already waiting for approval.")) from None
    has_step = _advance(request, document, after=0)
    doc_type.on_submitted(actor=actor, document=document, request=request)
    _record(actor, request, document, "approval.submitted", flow=flow.name, values=request.values)
    if not has_step:
        _complete(actor=actor, request=request, document=document)
    return request


# Decide ------------------------------------------------------------------------------------------------


def _claim(*, actor: User, task: ApprovalTask, status: str, comment: str) -> ApprovalRequest:
    """Lock the request and mark the task decided, if it still waits and `actor` is one of its approvers."""
    if not task.approvers.filter(pk=actor.pk).exists():
        raise PermissionDeniedError(_("You are not an approver of this step."))
    request = (
        ApprovalRequest.objects.select_for_update(of=("self",))
        .select_related("flow", "submitter")
        .get(pk=task.request_id)
    )
    now = timezone.now()
    claimed = request.status == RequestStatus.PENDING and ApprovalTask.objects.filter(
        pk=task.pk, status=TaskStatus.PENDING
    ).update(status=status, decided_by=actor, decided_at=now, comment=comment)
    if not claimed:
        raise ConflictError(_("This step has already been decided."))
    task.status, task.decided_by, task.decided_at, task.comment = status, actor, now, comment
    return request


def _document(request: ApprovalRequest) -> Any:
    model = request.document_content_type.model_class()
    document = model._default_manager.filter(pk=request.document_id).first() if model else None
    if document is None:
        raise ConflictError(_("The document of this approval no longer exists."))
    return document


def _clean_comment(comment: str, *, required: bool) -> str:
    comment = (comment or "").strip()
    if required and not comment:
        raise DomainError(_("Give the reason for rejecting."), field="comment")
    if len(comment) > COMMENT_MAX:
        raise DomainError(_("Write at most %(n)d characters.") % {"n": COMMENT_MAX}, field="comment")
    return comment


@transaction.atomic
def approval_approve(*, actor: User, task: ApprovalTask, comment: str = "") -> ApprovalRequest:
    """Approve the current step as one of its approvers; the next step starts, or the document is approved."""
    comment = _clean_comment(comment, required=False)
    request = _claim(actor=actor, task=task, status=TaskStatus.APPROVED, comment=comment)
    document = _document(request)
    if _advance(request, document, after=task.position):
        _record(actor, request, document, "approval.step_approved", step=task.position, comment=comment)
        _notify_submitter(request, document, "approval.step_approved", actor, comment)
        return request
    _complete(actor=actor, request=request, document=document, step=task.position, comment=comment)
    _notify_submitter(request, document, "approval.approved", actor, comment)
    return request


@transaction.atomic
def approval_reject(*, actor: User, task: ApprovalTask, comment: str) -> ApprovalRequest:
    """Reject at the current step (a comment is required); the document may be edited and resubmitted."""
    comment = _clean_comment(comment, required=True)
    request = _claim(actor=actor, task=task, status=TaskStatus.REJECTED, comment=comment)
    request.status, request.decided_at = RequestStatus.REJECTED, timezone.now()
    request.save(update_fields=["status", "decided_at"])
    document = _document(request)
    registry.document_type(request.document_type).on_rejected(actor=actor, document=document, request=request)
    _record(actor, request, document, "approval.rejected", step=task.position, comment=comment)
    _notify_submitter(request, document, "approval.rejected", actor, comment)
    return request


@transaction.atomic
def approval_cancel(*, actor: User, request: ApprovalRequest) -> ApprovalRequest:
    """The submitter withdraws a pending request; its open step is skipped and its approvers are told."""
    if request.submitter_id != actor.pk:
        raise PermissionDeniedError(_("Only the submitter can withdraw this approval."))
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise ConflictError(_("This approval has already been decided."))
    registry.document_type(request.document_type).check_withdraw(actor=actor, document=_document(request))
    open_tasks = list(request.tasks.filter(status=TaskStatus.PENDING).prefetch_related("approvers"))
    request.tasks.filter(status=TaskStatus.PENDING).update(status=TaskStatus.SKIPPED)
    request.status, request.decided_at = RequestStatus.CANCELLED, timezone.now()
    request.save(update_fields=["status", "decided_at"])
    document = _document(request)
    registry.document_type(request.document_type).on_cancelled(
        actor=actor, document=document, request=request
    )
    _record(actor, request, document, "approval.cancelled")
    title = _("Approval withdrawn: %(document)s") % {"document": request.document_label}
    url = _url(request, document)
    notify(
        messages=[
            Message(recipient=user, verb="approval.cancelled", title=title, url=url)
            for task in open_tasks
            for user in task.approvers.all()
        ]
    )
    return request


# Side effects ------------------------------------------------------------------------------------------


def _record(actor: User, request: ApprovalRequest, document: models.Model, verb: str, **data: Any) -> None:
    data = {"request": request.pk, "document_type": request.document_type, **data}
    activity_record(actor=actor, subject=document, verb=verb, data=data)


def _url(request: ApprovalRequest, document: models.Model | None = None) -> str:
    entry = registry.document_types().get(request.document_type)
    if entry is None or document is None:
        return ""
    return entry.document_url(document)


def _notify_approvers(
    request: ApprovalRequest, task: ApprovalTask, approvers: Iterable[User], document: models.Model
) -> None:
    title = _("Please approve %(type)s: %(document)s") % {
        "type": registry.document_type_label(request.document_type),
        "document": request.document_label,
    }
    body = _("Submitted by %(user)s; step %(step)s of “%(flow)s”.") % {
        "user": request.submitter,
        "step": task.position,
        "flow": request.flow.name,
    }
    url = _url(request, document)
    notify(
        messages=[
            Message(recipient=user, verb="approval.requested", title=title, body=body, url=url)
            for user in approvers
        ]
    )


def _notify_submitter(
    request: ApprovalRequest, document: models.Model, verb: str, actor: User, comment: str
) -> None:
    names = {"document": request.document_label, "user": actor}
    if verb == "approval.approved":
        title = _("Approved: %(document)s") % names
    elif verb == "approval.rejected":
        title = _("Rejected: %(document)s") % names
    else:
        title = _("%(user)s approved a step of %(document)s; it moves on to the next step.") % names
    body = _("%(user)s: %(comment)s") % {"user": actor, "comment": comment} if comment else str(actor)
    message = Message(
        recipient=request.submitter, verb=verb, title=title, body=body, url=_url(request, document)
    )
    notify(messages=[message])
