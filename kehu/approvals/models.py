"""The approval engine: flows (conditions → ordered steps) per document type, and the requests that run them.

A document (a quote, a contract, a campaign…) is referenced by content type + id, so any registered type
(see `registry.py`) plugs in. The history of a document's approvals is its requests, their tasks (one per
step reached: who could decide, who did, when, with what comment) and the activity entries.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.approvals.choices import Operator, RequestStatus, StepKind, TaskStatus

COMMENT_MAX = 2000

_OPERATORS = {
    Operator.GT: operator.gt,
    Operator.GTE: operator.ge,
    Operator.LT: operator.lt,
    Operator.LTE: operator.le,
    Operator.EQ: operator.eq,
}


def condition_holds(condition: Mapping[str, Any], values: Mapping[str, Decimal]) -> bool:
    """{field, operator, value} against the document's values; a value the document lacks never holds."""
    if condition.get("field") not in values:
        return False
    compare = _OPERATORS.get(condition.get("operator"))  # type: ignore[call-overload]
    try:
        limit = Decimal(str(condition.get("value")))
    except InvalidOperation:
        return False
    return bool(compare and compare(values[condition["field"]], limit))


class ApprovalFlowQuerySet(models.QuerySet):
    def active(self) -> ApprovalFlowQuerySet:
        return self.filter(active=True)

    def for_type(self, document_type: str) -> ApprovalFlowQuerySet:
        return self.filter(document_type=document_type)


class ApprovalFlow(models.Model):
    """For one document type: when it applies (all conditions hold) and its ordered steps.

    The first active flow of the type, by position, whose conditions all hold applies; a flow without
    conditions matches every document. `conditions`: [{"field", "operator", "value" (a decimal string)}].
    """

    document_type = models.CharField(_("document type"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ApprovalFlowQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval flow")
        verbose_name_plural = _("approval flows")
        ordering = ["document_type", "position", "id"]
        indexes = [
            models.Index(fields=["document_type", "active", "position"], name="approval_flow_type_idx")
        ]

    def __str__(self) -> str:
        return self.name

    def matches(self, values: Mapping[str, Decimal]) -> bool:
        return all(condition_holds(c, values) for c in self.conditions or [])


class ApprovalStep(models.Model):
    """One step of a flow, in `position` order. Who approves it is resolved when the step is reached."""

    flow = models.ForeignKey(
        ApprovalFlow, verbose_name=_("approval flow"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("approver"), max_length=16, choices=StepKind.choices)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("users"), blank=True, related_name="+"
    )
    role = models.ForeignKey(
        "org.Role", verbose_name=_("role"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["flow", "position"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "position"], name="approval_step_position_unique"),
            models.CheckConstraint(condition=Q(kind__in=StepKind.values), name="approval_step_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.position}. {self.get_kind_display()}"


class ApprovalRequestQuerySet(models.QuerySet):
    def pending(self) -> ApprovalRequestQuerySet:
        return self.filter(status=RequestStatus.PENDING)

    def for_document(self, document: models.Model) -> ApprovalRequestQuerySet:
        return self.filter(
            document_content_type=ContentType.objects.get_for_model(document), document_id=document.pk
        )


class ApprovalRequest(models.Model):
    """One submission of a document for approval. A resubmission after a rejection is a new request."""

    document_content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    document_id = models.BigIntegerField()
    document_type = models.CharField(_("document type"), max_length=32)
    document_label = models.CharField(_("document"), max_length=200, blank=True)
    flow = models.ForeignKey(
        ApprovalFlow, verbose_name=_("approval flow"), on_delete=models.PROTECT, related_name="requests"
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="approval_requests",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    current_step = models.PositiveIntegerField(_("current step"), default=0)
    values = models.JSONField(_("condition values"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = ApprovalRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["document_content_type", "document_id"], name="approval_request_doc_idx"),
            models.Index(fields=["submitter", "-submitted_at"], name="approval_request_submitter_idx"),
        ]
        constraints = [
            # At most one pending request per document, also against two submissions at once.
            models.UniqueConstraint(
                fields=["document_content_type", "document_id"],
                condition=Q(status="pending"),
                name="approval_request_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="approval_request_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_label or self.document_type} · {self.get_status_display()}"


class ApprovalTask(models.Model):
    """A step reached by a request: its resolved approvers (any one of them decides) and the decision."""

    request = models.ForeignKey(
        ApprovalRequest, verbose_name=_("approval request"), on_delete=models.CASCADE, related_name="tasks"
    )
    step = models.ForeignKey(
        ApprovalStep, verbose_name=_("approval step"), on_delete=models.PROTECT, related_name="tasks"
    )
    position = models.PositiveIntegerField(_("position"))
    approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("approvers"), related_name="approval_tasks"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=COMMENT_MAX)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("approval task")
        verbose_name_plural = _("approval tasks")
        ordering = ["request", "position", "id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="approval_task_status_idx"),
            models.Index(fields=["decided_by", "-decided_at"], name="approval_task_decider_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="approval_task_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} · {self.position} · {self.get_status_display()}"
