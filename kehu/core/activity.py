"""The activity log: one row per state change, feeding both the timeline and the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
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

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "-created_at"], name="activity_subject_idx")
        ]

    def __str__(self) -> str:
        return f"{self.verb} #{self.subject_id}"


def activity_record(*, actor: Any, subject: models.Model, verb: str, data: dict | None = None) -> Activity:
    return Activity.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        data=data or {},
    )


def activity_record_many(
    *, actor: Any, verb: str, entries: Iterable[tuple[models.Model, dict]]
) -> list[Activity]:
    """One INSERT for the same action on many records (bulk transfer, handover)."""
    rows = [
        Activity(
            actor=actor if getattr(actor, "pk", None) else None,
            verb=verb,
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=subject.pk,
            data=data,
        )
        for subject, data in entries
    ]
    return Activity.objects.bulk_create(rows, batch_size=1000)


def activity_for(subject: models.Model) -> models.QuerySet[Activity]:
    return Activity.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    ).select_related("actor")
