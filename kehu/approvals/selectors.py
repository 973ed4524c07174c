"""Reads for approvals. A request is visible to its submitter, to whoever was asked to decide one of its
steps, and to those who may view every approval (`approvals.view_approvalrequest`, superusers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from kehu.approvals.choices import ApprovalView, RequestStatus, TaskStatus
from kehu.approvals.models import ApprovalFlow, ApprovalRequest, ApprovalStep, ApprovalTask
from kehu.core.exceptions import ConflictError, FilterError
from kehu.org.models import User


def _sees_all(user: User) -> bool:
    return user.has_perm("approvals.view_approvalrequest")


def _with_tasks(qs: QuerySet[ApprovalRequest]) -> QuerySet[ApprovalRequest]:
    """Submitter and flow in the same query; tasks with their approvers and deciders in two more."""
    tasks = ApprovalTask.objects.select_related("decided_by", "step").order_by("position", "id")
    return qs.select_related("submitter", "flow").prefetch_related(
        Prefetch("tasks", queryset=tasks), "tasks__approvers"
    )


def approval_queue(*, user: User) -> QuerySet[ApprovalTask]:
    """The pending tasks the user may decide, oldest first."""
    return (
        ApprovalTask.objects.filter(status=TaskStatus.PENDING, approvers=user)
        .select_related("request__submitter", "request__flow", "step")
        .order_by("created_at", "id")
    )


def _visible(user: User) -> QuerySet[ApprovalRequest]:
    if _sees_all(user):
        return ApprovalRequest.objects.all()
    asked = ApprovalTask.objects.filter(approvers=user).values("request_id")
    return ApprovalRequest.objects.filter(Q(submitter=user) | Q(pk__in=asked))


def approval_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[ApprovalRequest]:
    """Requests for one of the views: queue (waiting for the user, oldest first; the default), submitted
    (by the user), decided (a step the user decided), all (needs `approvals.view_approvalrequest`).

    Filters: view, status, document_type.
    """
    filters = filters or {}
    view = filters.get("view") or ApprovalView.QUEUE
    if view == ApprovalView.QUEUE:
        mine = approval_queue(user=user).values("request_id")
        qs = ApprovalRequest.objects.filter(pk__in=mine).order_by("submitted_at", "id")
    elif view == ApprovalView.SUBMITTED:
        qs = ApprovalRequest.objects.filter(submitter=user)
    elif view == ApprovalView.DECIDED:
        qs = ApprovalRequest.objects.filter(
            pk__in=ApprovalTask.objects.filter(decided_by=user).values("request_id")
        )
    elif view == ApprovalView.ALL and _sees_all(user):
        qs = ApprovalRequest.objects.all()
    elif view == ApprovalView.ALL:
        raise FilterError({"view": [_("You may only see the approvals you submitted or decide.")]})
    else:
        raise FilterError(
            {"view": [_("Use one of %(values)s.") % {"values": ", ".join(ApprovalView.values)}]}
        )
    if status := filters.get("status"):
        if status not in RequestStatus.values:
            raise FilterError(
                {"status": [_("Use one of %(values)s.") % {"values": ", ".join(RequestStatus.values)}]}
            )
        qs = qs.filter(status=status)
    if document_type := filters.get("document_type"):
        qs = qs.filter(document_type=document_type)
    return _with_tasks(qs)


def approval_get(*, user: User, pk: int) -> ApprovalRequest:
    """A request the user may see, with its tasks; Http404 otherwise."""
    return get_object_or_404(_with_tasks(_visible(user)), pk=pk)


def approval_task_get(*, pk: int) -> ApprovalTask:
    """A task by id, for deciding: whether the user may decide it is the services' rule (403), not a 404."""
    return get_object_or_404(ApprovalTask.objects.select_related("request"), pk=pk)


def approval_current_task(*, approval_pk: int) -> ApprovalTask:
    """The step of approval `approval_pk` that waits for a decision: Http404 if there is no such approval,
    ConflictError if it waits for none. Whether the user may decide it is the services' rule (403)."""
    request = get_object_or_404(ApprovalRequest.objects.only("pk"), pk=approval_pk)
    task = (
        ApprovalTask.objects.select_related("request")
        .filter(request=request, status=TaskStatus.PENDING)
        .first()
    )
    if task is None:
        raise ConflictError(_("This approval has already been decided."))
    return task


def approval_history(*, document: models.Model, newest_first: bool = False) -> QuerySet[ApprovalRequest]:
    """Every request of a document, first submission first (or last), with its tasks (the caller checked
    scope)."""
    order = ("-submitted_at", "-id") if newest_first else ("submitted_at", "id")
    return _with_tasks(ApprovalRequest.objects.for_document(document)).order_by(*order)


def approval_flow_list(*, document_type: str | None = None) -> QuerySet[ApprovalFlow]:
    qs = ApprovalFlow.objects.all()
    if document_type:
        qs = qs.for_type(document_type)
    steps = Prefetch("steps", queryset=ApprovalStep.objects.select_related("role").order_by("position"))
    return qs.prefetch_related(steps, "steps__users").order_by("document_type", "position", "id")
