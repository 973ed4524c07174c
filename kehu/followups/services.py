"""Writes for follow-ups and their plans. Every rule about them lives here; pages and API call these.

The customer carries two denormalised times that these services keep right in every path, with set-based
UPDATEs: `last_followup_at` (the latest living follow-up) and `next_followup_at` (the earliest open plan).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField, F, Max, Min, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.activity import activity_record
from kehu.core.exceptions import ConflictError
from kehu.core.params import id_param
from kehu.core.permissions import ensure_in_scope, ensure_perm
from kehu.customers.models import Contact, Customer
from kehu.followups.choices import FollowUpMethod, PlanStatus
from kehu.followups.models import ACTION_MAX, CONTENT_MAX, FollowUp, FollowUpPlan
from kehu.notifications.services import Message, notify
from kehu.org.models import User

FOLLOWUP_FIELDS = frozenset({"contact", "method", "content", "occurred_at", "next_at", "next_action"})
# Clocks differ a little between a phone and the server: a follow-up may be dated this far ahead.
FUTURE_TOLERANCE = timedelta(minutes=5)
EXCERPT_LENGTH = 80


def end_of_today(now: datetime | None = None) -> datetime:
    """The last moment of the local day (settings.TIME_ZONE) that `now` falls in."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=23, minute=59, second=59, microsecond=999999)


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


# The customer's denormalised times ---------------------------------------------------------------------


def _next_open_due(customer_id: int) -> Subquery:
    return Subquery(
        FollowUpPlan.objects.open()
        .filter(customer_id=customer_id)
        .order_by()
        .values("customer_id")
        .annotate(first=Min("due_at"))
        .values("first")[:1],
        output_field=DateTimeField(),
    )


def customer_refresh_next_followup(*, customer_id: int) -> None:
    """next_followup_at = the earliest open plan's due time, or NULL: one UPDATE."""
    Customer.objects.filter(pk=customer_id).update(next_followup_at=_next_open_due(customer_id))


def _customer_refresh_last_followup(customer_id: int) -> None:
    """last_followup_at = the latest living follow-up's time, or NULL: one UPDATE."""
    latest = (
        FollowUp.objects.alive()
        .filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(last=Max("occurred_at"))
        .values("last")[:1]
    )
    Customer.objects.filter(pk=customer_id).update(
        last_followup_at=Subquery(latest, output_field=DateTimeField())
    )


# Checks --------------------------------------------------------------------------------------------------


def _ensure_customer_in_scope(actor: User, customer: Customer) -> None:
    ensure_in_scope(actor, Customer.objects.alive(), customer.pk)


def _lock_customer(customer: Customer) -> None:
    """Serialise writes to one customer's follow-up times (a no-op on SQLite, which writes one at a time)."""
    list(Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk", flat=True))


def _clean_future(value: Any, field: str, errors: dict[str, list[str]], now: datetime) -> datetime | None:
    if not isinstance(value, datetime):
        errors[field] = [_("Enter a date and time.")]
        return None
    value = _aware(value)
    if value <= now:
        errors[field] = [_("The next contact must be planned for a time in the future.")]
    return value


def _clean_followup(customer: Customer, data: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The follow-up's fields from `data`, checked; a ValidationError names every field at fault."""
    errors: dict[str, list[str]] = {
        name: [_("This field cannot be set here.")] for name in sorted(set(data) - FOLLOWUP_FIELDS)
    }
    method = data.get("method") or ""
    if method not in FollowUpMethod.values:
        errors["method"] = [_("Choose how you contacted the customer.")]
    content = (data.get("content") or "").strip()
    if not content:
        errors["content"] = [_("Write what was discussed.")]
    elif len(content) > CONTENT_MAX:
        errors["content"] = [_("Write at most %(n)d characters.") % {"n": CONTENT_MAX}]
    occurred_at = data.get("occurred_at") or now
    if not isinstance(occurred_at, datetime):
        errors["occurred_at"] = [_("Enter a date and time.")]
    elif _aware(occurred_at) > now + FUTURE_TOLERANCE:
        errors["occurred_at"] = [_("A follow-up cannot be dated in the future.")]
    contact = _clean_contact(customer, data.get("contact"), errors)
    next_at = data.get("next_at")
    next_action = (data.get("next_action") or "").strip()
    if next_at is not None:
        next_at = _clean_future(next_at, "next_at", errors, now)
    elif next_action:
        errors["next_at"] = [_("Give the time of the next contact.")]
    if len(next_action) > ACTION_MAX:
        errors["next_action"] = [_("Write at most %(n)d characters.") % {"n": ACTION_MAX}]
    if errors:
        raise ValidationError(errors)
    return {
        "contact": contact,
        "method": method,
        "content": content,
        "occurred_at": _aware(occurred_at),
        "next_at": next_at,
        "next_action": next_action,
    }


def _clean_contact(customer: Customer, value: Any, errors: dict[str, list[str]]) -> Contact | None:
    if value in (None, ""):
        return None
    contact_id = value.pk if isinstance(value, Contact) else str(value)
    contact = None
    if id_param(contact_id):
        contact = Contact.objects.alive().filter(pk=id_param(contact_id), customer_id=customer.pk).first()
    if contact is None:
        errors["contact"] = [_("This contact does not belong to the customer.")]
    return contact


# Follow-ups ----------------------------------------------------------------------------------------------


@transaction.atomic
def followup_record(*, actor: User, customer: Customer, data: Mapping[str, Any]) -> FollowUp:
    """Record a contact with a customer, fulfil the plans due by today, and plan the next contact.

    `data`: method, content, contact (id), occurred_at (default now), next_at and next_action (optional).
    The new plan belongs to the customer's owner (the actor if the customer has none). The follow-up is
    returned with `new_plan` set to that plan, or None.
    """
    ensure_perm(actor, "followups.add_followup")
    _ensure_customer_in_scope(actor, customer)
    now = timezone.now()
    cleaned = _clean_followup(customer, data, now)
    _lock_customer(customer)
    followup = FollowUp.objects.create(
        customer=customer,
        contact=cleaned["contact"],
        method=cleaned["method"],
        content=cleaned["content"],
        occurred_at=cleaned["occurred_at"],
        created_by=actor,
        created_at=now,
    )
    fulfilled = (
        FollowUpPlan.objects.open()
        .filter(customer=customer, due_at__lte=end_of_today(now))
        .update(status=PlanStatus.DONE, done_at=now, done_by_followup=followup)
    )
    followup.new_plan = _plan_from(followup, cleaned, actor=actor, now=now)  # type: ignore[attr-defined]
    occurred = Value(followup.occurred_at, output_field=DateTimeField())
    Customer.objects.filter(pk=customer.pk).update(
        last_followup_at=Greatest(Coalesce("last_followup_at", occurred), occurred),
        next_followup_at=_next_open_due(customer.pk),
        updated_at=now,
    )
    activity_record(
        actor=actor,
        subject=followup,
        verb="followup.recorded",
        data={
            "method": followup.method,
            "excerpt": _excerpt(followup.content),
            "contact": str(followup.contact or ""),
            "plans_done": fulfilled,
            "next_at": followup.new_plan.due_at.isoformat() if followup.new_plan else None,  # type: ignore[attr-defined]
        },
    )
    return followup


def _plan_from(
    followup: FollowUp, cleaned: Mapping[str, Any], *, actor: User, now: datetime
) -> FollowUpPlan | None:
    if cleaned["next_at"] is None:
        return None
    customer = followup.customer
    return FollowUpPlan.objects.create(
        customer=customer,
        owner_id=customer.owner_id or actor.pk,
        due_at=cleaned["next_at"],
        action=cleaned["next_action"],
        source=followup,
        created_by=actor,
        created_at=now,
    )


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


@transaction.atomic
def followup_delete(*, actor: User, followup: FollowUp) -> FollowUp:
    """Move a follow-up to the recycle bin: its author may, and whoever may delete others' in their scope.

    The customer's last follow-up time falls back to the latest one left. Plans it fulfilled stay done.
    """
    if followup.created_by_id == actor.pk:
        ensure_perm(actor, "followups.delete_followup")
    else:
        ensure_perm(actor, "followups.delete_any_followup")
    _ensure_customer_in_scope(actor, followup.customer)
    if followup.deleted_at is not None:
        raise ConflictError(_("This follow-up has already been deleted."))
    _lock_customer(followup.customer)
    followup.deleted_at = timezone.now()
    followup.save(update_fields=["deleted_at"])
    _customer_refresh_last_followup(followup.customer_id)
    activity_record(
        actor=actor,
        subject=followup,
        verb="followup.deleted",
        data={"method": followup.method, "excerpt": _excerpt(followup.content)},
    )
    return followup


# Plans ---------------------------------------------------------------------------------------------------


def _ensure_can_change_plan(actor: User, plan: FollowUpPlan) -> None:
    ensure_perm(actor, "followups.change_followupplan")
    _ensure_customer_in_scope(actor, plan.customer)
    if plan.status != PlanStatus.OPEN:
        raise ConflictError(
            _("This plan is already %(status)s.") % {"status": plan.get_status_display().lower()}
        )


def _plan_close(*, actor: User, plan: FollowUpPlan, status: str, verb: str) -> FollowUpPlan:
    _ensure_can_change_plan(actor, plan)
    _lock_customer(plan.customer)
    plan.status = status
    plan.done_at = timezone.now()
    plan.save(update_fields=["status", "done_at"])
    customer_refresh_next_followup(customer_id=plan.customer_id)
    activity_record(
        actor=actor,
        subject=plan,
        verb=verb,
        data={"due_at": plan.due_at.isoformat(), "action": plan.action},
    )
    return plan


@transaction.atomic
def plan_complete(*, actor: User, plan: FollowUpPlan) -> FollowUpPlan:
    """Mark an open plan done without recording a follow-up (recording one fulfils it by itself)."""
    return _plan_close(actor=actor, plan=plan, status=PlanStatus.DONE, verb="followup_plan.completed")


@transaction.atomic
def plan_cancel(*, actor: User, plan: FollowUpPlan) -> FollowUpPlan:
    return _plan_close(actor=actor, plan=plan, status=PlanStatus.CANCELLED, verb="followup_plan.cancelled")


@transaction.atomic
def plan_reschedule(
    *, actor: User, plan: FollowUpPlan, due_at: datetime, action: str | None = None
) -> FollowUpPlan:
    """Move an open plan to another (future) time, and optionally change what is to be done."""
    _ensure_can_change_plan(actor, plan)
    errors: dict[str, list[str]] = {}
    due = _clean_future(due_at, "due_at", errors, timezone.now())
    if action is not None and len(action.strip()) > ACTION_MAX:
        errors["action"] = [_("Write at most %(n)d characters.") % {"n": ACTION_MAX}]
    if errors:
        raise ValidationError(errors)
    _lock_customer(plan.customer)
    before = plan.due_at
    plan.due_at = due
    if action is not None:
        plan.action = action.strip()
    plan.save(update_fields=["due_at", "action"])
    customer_refresh_next_followup(customer_id=plan.customer_id)
    activity_record(
        actor=actor,
        subject=plan,
        verb="followup_plan.rescheduled",
        data={"from": before.isoformat(), "to": plan.due_at.isoformat(), "action": plan.action},
    )
    return plan


def plans_pass_to_owner(*, customer_ids: list[int], new_owner_id: int | None) -> int:
    """Give the open plans of customers that changed owner to the new owner, in one UPDATE.

    For the services that move customers (transfer, pool claim and assign, handover), inside their
    transaction. A customer without an owner (in a pool) keeps its plans with the previous owner until
    someone takes it. Returns how many plans moved.
    """
    if new_owner_id is None or not customer_ids:
        return 0
    return (
        FollowUpPlan.objects.open()
        .filter(customer_id__in=customer_ids)
        .exclude(owner_id=new_owner_id)
        .update(owner_id=new_owner_id)
    )


def plans_follow_new_owner(
    sender: Any, *, customer_ids: list[int], new_owner_id: int | None, **kwargs: Any
) -> None:
    """Receiver of `kehu.customers.signals.owner_changed`: open plans go with the customers."""
    plans_pass_to_owner(customer_ids=customer_ids, new_owner_id=new_owner_id)


# Reminders -----------------------------------------------------------------------------------------------

REMIND_BATCH = 1000
# A plan found this long after its due time (the worker was down, or the feature just switched on) is
# marked reminded without a notification: the workbench's overdue list shows it already.
REMIND_WINDOW = timedelta(hours=24)


def _plans_to_remind(now: datetime) -> QuerySet[FollowUpPlan]:
    """Open plans due by `now`, not yet reminded, on a customer their owner still holds (not in a pool)."""
    return FollowUpPlan.objects.filter(
        status=PlanStatus.OPEN,
        reminded_at__isnull=True,
        due_at__lte=now,
        customer__owner_id=F("owner_id"),
        customer__deleted_at__isnull=True,
    )


def plans_remind_due(*, now: datetime | None = None) -> int:
    """Notify each plan's owner (in-app, no email) once its time has come; returns the notifications sent.

    Set-based and safe with several workers: each batch is claimed in one transaction (rows locked with
    SKIP LOCKED on PostgreSQL; SQLite runs write transactions one at a time) and stamped `reminded_at` in
    one UPDATE, so a plan is reminded once however many workers run.
    """
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            plans = list(
                _plans_to_remind(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("customer", "owner")
                .order_by("due_at", "id")[:REMIND_BATCH]
            )
            if not plans:
                return sent
            FollowUpPlan.objects.filter(pk__in=[p.pk for p in plans]).update(reminded_at=now)
            fresh = [p for p in plans if p.due_at >= now - REMIND_WINDOW]
            sent += len(notify(messages=[_reminder(p) for p in fresh], email=False))
        if len(plans) < REMIND_BATCH:
            return sent


def _reminder(plan: FollowUpPlan) -> Message:
    customer = plan.customer
    return Message(
        recipient=plan.owner,
        verb="followup_plan.due",
        title=_("Time to follow up: %(customer)s") % {"customer": customer.name},
        body=_("Planned for %(when)s: %(action)s")
        % {
            "when": timezone.localtime(plan.due_at).strftime("%Y-%m-%d %H:%M"),
            "action": plan.action or _("contact the customer"),
        },
        url=reverse("customers:detail", args=[customer.pk]) + "?tab=followups",
    )
