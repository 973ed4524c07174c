"""The shared pool (公海): pools with their members and rules, and the record of every move in or out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.customers.choices import CustomerLevel


class PoolEventKind(models.TextChoices):
    RELEASED = "released", _("Released")
    RECLAIMED = "reclaimed", _("Reclaimed")
    CLAIMED = "claimed", _("Claimed")
    ASSIGNED = "assigned", _("Assigned")
    MOVED = "moved", _("Moved")


class PoolRule(models.TextChoices):
    """The rule that sent a customer back to its pool (stored as a reclaim's reason)."""

    NO_FOLLOWUP = "no_followup", _("No follow-up")
    NOT_CLOSED = "not_closed", _("Not closed")


MAX_DAYS = 3650  # ten years of days (or hours of waiting): anything more is a typing mistake


def clean_level_days(value: Any) -> dict[str, int]:
    """{"A": 30, ...}: customer levels with whole days from 1 to MAX_DAYS; empty for none."""
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(_('Give days per level, e.g. {"A": 30, "B": 20}.'))
    cleaned = {}
    for level, days in value.items():
        if level not in CustomerLevel.values:
            raise ValidationError(_("%(level)s is not a customer level.") % {"level": level})
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
            raise ValidationError(_("Days must be a whole number from 1 to %(max)d.") % {"max": MAX_DAYS})
        cleaned[level] = days
    return cleaned


class PoolQuerySet(models.QuerySet):
    def active(self) -> PoolQuerySet:
        return self.filter(is_active=True)


class Pool(models.Model):
    """A shared pool of customers nobody owns, with the people who may claim from it and its rules.

    A rep belongs to a pool directly (`users`) or through a department (`departments`: the whole subtree).
    The reclaim job sends a member's neglected customers to the member's pool: of several pools, the
    active one with the lowest `position`. Every rule is switched off by an empty value (or 0).

    `not_closed_days`: until contracts exist (issue 6) a customer counts as closed when its status is
    "deal". `no_opportunity_days` is stored and shown but takes effect only when opportunities exist
    (issue 5); reclaim ignores it for now.
    """

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Lower comes first."))
    is_default = models.BooleanField(
        _("company-wide default"), default=False, help_text=_("Released customers go here unless told.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("member users"), blank=True, related_name="pools"
    )
    departments = models.ManyToManyField(
        "org.Department",
        verbose_name=_("member departments"),
        blank=True,
        related_name="pools",
        help_text=_("Everyone in these departments and the departments below them."),
    )
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("pool admins"), blank=True, related_name="administered_pools"
    )
    # Reclaim rules.
    no_followup_days = models.PositiveIntegerField(
        _("days without follow-up"),
        null=True,
        blank=True,
        help_text=_("Counted from the later of the last follow-up and the day the owner received it."),
    )
    level_days = models.JSONField(
        _("days without follow-up per level"),
        default=dict,
        blank=True,
        help_text=_('Per customer level, e.g. {"A": 30, "B": 20}; overrides the days without follow-up.'),
    )
    no_opportunity_days = models.PositiveIntegerField(
        _("days without opportunity"),
        null=True,
        blank=True,
        help_text=_("Takes effect once opportunities exist."),
    )
    not_closed_days = models.PositiveIntegerField(
        _("days not closed"),
        null=True,
        blank=True,
        help_text=_("Days after the owner received it without the customer becoming a deal."),
    )
    exempt_deal = models.BooleanField(_("deal customers are exempt"), default=True)
    exempt_locked = models.BooleanField(_("locked customers are exempt"), default=True)
    warn_days_before = models.PositiveIntegerField(_("warning days before"), null=True, blank=True)
    # Caps per rep.
    max_private_customers = models.PositiveIntegerField(
        _("most private customers per rep"), null=True, blank=True
    )
    max_locked_customers = models.PositiveIntegerField(
        _("most locked customers per rep"), null=True, blank=True
    )
    count_deal_customers = models.BooleanField(_("deal customers count toward the cap"), default=False)
    # Claim limits.
    claims_per_day = models.PositiveIntegerField(_("claims per rep per day"), null=True, blank=True)
    claims_per_batch = models.PositiveIntegerField(_("claims per batch"), null=True, blank=True)
    reclaim_cooldown_days = models.PositiveIntegerField(
        _("cooldown days"),
        null=True,
        blank=True,
        help_text=_("The previous owner may not claim back what they lost for this many days."),
    )
    claim_wait_hours = models.PositiveIntegerField(
        _("wait before claiming (hours)"),
        null=True,
        blank=True,
        help_text=_("Newly pooled customers can be claimed after this many hours."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PoolQuerySet.as_manager()

    class Meta:
        verbose_name = _("pool")
        verbose_name_plural = _("pools")
        ordering = ["position", "id"]
        permissions = [
            ("claim_pool_customer", _("Can claim customers from pools")),
            ("release_pool_customer", _("Can release customers to a pool")),
            ("assign_pool_customer", _("Can assign pool customers to reps")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="pool_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Numbers within 1..MAX_DAYS and per-level days for real levels (also what the admin saves)."""
        errors = {}
        message = _("Enter a whole number from 1 to %(max)d, or leave it empty.")
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            is_rule = isinstance(field, models.PositiveIntegerField) and field.null
            if is_rule and value is not None and not 1 <= value <= MAX_DAYS:
                errors[field.name] = message % {"max": MAX_DAYS}
        try:
            self.level_days = clean_level_days(self.level_days)
        except ValidationError as exc:
            errors["level_days"] = exc.messages
        if errors:
            raise ValidationError(errors)

    def days_for_level(self, level: str) -> int | None:
        """Days without follow-up for a customer of `level`; None (or 0) means the rule is off for it."""
        if level and level in (self.level_days or {}):
            return self.level_days[level] or None
        return self.no_followup_days or None


class PoolEvent(models.Model):
    """One move of a customer into, out of or between pools. The timeline shows each as an activity."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="pool_events",
        db_index=False,  # pool_event_customer_idx starts with it
    )
    pool = models.ForeignKey(Pool, verbose_name=_("pool"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=PoolEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # pool_event_loss_idx starts with it
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # pool_event_claims_idx starts with it
    )
    reason = models.TextField(
        _("reason"), blank=True, max_length=500, help_text=_("The release reason, or the rule that fired.")
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("pool event")
        verbose_name_plural = _("pool events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="pool_event_customer_idx"),
            # Claims by a rep per pool per day (the daily limit).
            models.Index(fields=["to_user", "pool", "kind", "created_at"], name="pool_event_claims_idx"),
            # Losses by a rep per customer (the cooldown).
            models.Index(fields=["from_user", "customer", "created_at"], name="pool_event_loss_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer_id} · {self.pool_id}"


class HandoverMode(models.TextChoices):
    TO_ONE = "to_one", _("To one rep")
    SPLIT = "split", _("Split across reps")
    TO_POOL = "to_pool", _("Back to the pool")


class Handover(models.Model):
    """A departing user's whole book handed over in one action: who, how, to whom, and what moved.

    `summary` holds the counts: {"customers": n, "leads": n, "plans": n, "recipients": {"<user id>":
    {"customers": n, "leads": n, "plans": n}}}. See kehu/pool/handover.py.
    """

    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("departing user"),
        on_delete=models.PROTECT,
        related_name="handovers_from",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    mode = models.CharField(_("mode"), max_length=16, choices=HandoverMode.choices)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("recipients"), blank=True, related_name="handovers_received"
    )
    pool = models.ForeignKey(
        Pool,
        verbose_name=_("pool"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handovers",
    )
    deactivated = models.BooleanField(_("deactivated"), default=False)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-created_at", "-id"]
        permissions = [("hand_over_user", _("Can hand over a user's book"))]

    def __str__(self) -> str:
        return f"{self.from_user} · {self.get_mode_display()} · {self.created_at:%Y-%m-%d}"
