"""Follow-ups (跟进): each contact with a customer, and the next-contact plans that come out of them."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import Contact, Customer
from kehu.followups.choices import FollowUpMethod, PlanStatus

CONTENT_MAX = 5000
ACTION_MAX = 500


def _visible_customer_ids(user: Any) -> models.QuerySet:
    """The data scope of follow-ups and plans is their customer's."""
    return Customer.objects.visible_to(user).alive().values("id")


class FollowUpQuerySet(models.QuerySet):
    def alive(self) -> FollowUpQuerySet:
        return self.filter(deleted_at__isnull=True)

    def visible_to(self, user: Any) -> FollowUpQuerySet:
        return self.filter(customer__in=_visible_customer_ids(user))


class FollowUp(models.Model):
    """One contact with a customer: how, with whom, when and what was said. Deleted ones keep `deleted_at`."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="followups",
        db_index=False,  # followup_customer_idx starts with it
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
    )
    method = models.CharField(_("method"), max_length=16, choices=FollowUpMethod.choices)
    content = models.TextField(_("content"), max_length=CONTENT_MAX)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # followup_author_idx starts with it
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-occurred_at", "-id"]
        permissions = [("delete_any_followup", _("Can delete follow-ups recorded by others"))]
        indexes = [
            models.Index(fields=["customer", "-occurred_at", "-id"], name="followup_customer_idx"),
            models.Index(fields=["created_by", "-occurred_at", "-id"], name="followup_author_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} · {self.customer_id} · {self.occurred_at:%Y-%m-%d %H:%M}"


class FollowUpPlanQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> FollowUpPlanQuerySet:
        return self.filter(customer__in=_visible_customer_ids(user))

    def open(self) -> FollowUpPlanQuerySet:
        return self.filter(status=PlanStatus.OPEN)

    def due_before(self, moment: datetime) -> FollowUpPlanQuerySet:
        return self.filter(due_at__lt=moment)


class FollowUpPlan(models.Model):
    """The next contact planned with a customer, owned by the person responsible (the customer's owner)."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="followup_plans",
        db_index=False,  # plan_customer_status_idx starts with it
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_at = models.DateTimeField(_("planned for"))
    action = models.CharField(_("what to do"), max_length=ACTION_MAX, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    source = models.ForeignKey(
        FollowUp,
        verbose_name=_("planned in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by_followup = models.ForeignKey(
        FollowUp,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fulfilled_plans",
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = FollowUpPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up plan")
        verbose_name_plural = _("follow-up plans")
        ordering = ["due_at", "id"]
        indexes = [
            # "My plans for today / overdue": only open plans, per owner, by due time.
            models.Index(
                fields=["owner", "due_at"], condition=Q(status="open"), name="plan_owner_open_due_idx"
            ),
            models.Index(fields=["customer", "status", "due_at"], name="plan_customer_status_idx"),
            # The reminder job: open plans not yet reminded, by due time (reminded ones leave the index).
            models.Index(
                fields=["due_at"],
                condition=Q(status="open", reminded_at__isnull=True),
                name="plan_remind_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "done", "cancelled"]), name="plan_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} · {self.due_at:%Y-%m-%d %H:%M} · {self.action}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret of a user's calendar feed (/followups/calendar/<token>.ics), which calendars read unsigned.

    Kept as is (not hashed), so the user can copy their address again; 256 random bits. Rotating it
    replaces it, revoking deletes the row: either way the old address stops working at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_token",
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.token[:6]}…"
