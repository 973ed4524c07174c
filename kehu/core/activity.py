"""The activity log: one row per state change, feeding both the timeline and the audit trail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Activity(models.Model):
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verb = models.CharField(_("action"), max_length=64)
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.BigIntegerField()
    data = models.JSONField(default=dict, blank=True)
    # The customer whose timeline shows this entry: the subject itself, or the customer a lead,
    # opportunity or contract belongs to. A plain column, so that every app can point at a customer.
    customer_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "-created_at"], name="activity_subject_idx"),
            models.Index(
                fields=["customer_id", "-created_at", "-id"],
                condition=models.Q(customer_id__isnull=False),
                name="activity_customer_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verb} #{self.subject_id}"


def _timeline_customer_id(subject: models.Model, customer_id: int | None) -> int | None:
    if customer_id is not None:
        return customer_id
    if subject._meta.label_lower == "customers.customer":
        return subject.pk
    return getattr(subject, "customer_id", None)


def activity_record(
    *,
    actor: Any,
    subject: models.Model,
    verb: str,
    data: dict | None = None,
    customer_id: int | None = None,
) -> Activity:
    """Record `verb` on `subject`, on the timeline of `customer_id` (default: the subject's customer)."""
    return Activity.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        data=data or {},
        customer_id=_timeline_customer_id(subject, customer_id),
    )


def activity_record_many(
    *,
    actor: Any,
    verb: str,
    entries: Iterable[tuple[models.Model, dict]],
    customer_ids: Mapping[int, int | None] | None = None,
) -> list[Activity]:
    """One INSERT for the same action on many records (bulk transfer, handover, import).

    `customer_ids` maps a subject's pk to the customer whose timeline shows the entry, where it is not
    the subject's own customer.
    """
    now = timezone.now()
    customer_ids = customer_ids or {}
    rows = [
        Activity(
            created_at=now,
            actor=actor if getattr(actor, "pk", None) else None,
            verb=verb,
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=subject.pk,
            data=data,
            customer_id=_timeline_customer_id(subject, customer_ids.get(subject.pk)),
        )
        for subject, data in entries
    ]
    return Activity.objects.bulk_create(rows, batch_size=1000)


def activity_timeline(customer_id: int) -> models.QuerySet[Activity]:
    """Everything that happened to a customer and to the records that belong to it, newest first."""
    return Activity.objects.filter(customer_id=customer_id).select_related("actor")


def activity_for(subject: models.Model) -> models.QuerySet[Activity]:
    return Activity.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    ).select_related("actor")
