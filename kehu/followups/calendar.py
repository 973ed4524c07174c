"""The calendar feed: a user's open plans as iCalendar (RFC 5545), read by calendar apps at a secret URL.

The address carries a random token (CalendarToken) instead of a login; rotating or revoking the token
turns the old address off at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from icalendar import Calendar, Event

from kehu.followups.choices import PlanStatus
from kehu.followups.models import CalendarToken, FollowUpPlan, new_calendar_token
from kehu.org.models import User

HORIZON = timedelta(days=90)
FEED_MAX = 2000  # events in one feed: overdue plans first, then the next 90 days
EVENT_LENGTH = timedelta(minutes=30)
PRODID = "-//Kehu CRM//Follow-up plans//EN"


def calendar_token_get(*, user: User) -> CalendarToken | None:
    return CalendarToken.objects.filter(user=user).first()


@transaction.atomic
def calendar_token_rotate(*, actor: User) -> CalendarToken:
    """Give the actor a new feed address (the first one, or a replacement: the old one stops working)."""
    token, created = CalendarToken.objects.get_or_create(user=actor)
    if not created:
        token.token = new_calendar_token()
        token.created_at = timezone.now()
        token.save(update_fields=["token", "created_at"])
    return token


def calendar_token_revoke(*, actor: User) -> int:
    """Turn the actor's feed off; returns how many addresses stopped working (0 or 1)."""
    return CalendarToken.objects.filter(user=actor).delete()[0]


def calendar_owner(*, token: str) -> User:
    """The active user whose feed `token` opens; Http404 for an unknown, rotated or revoked token."""
    row = (
        CalendarToken.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .only("user")
        .first()
    )
    if row is None:
        raise Http404
    return row.user


def calendar_plans(*, user: User, now: datetime | None = None) -> QuerySet[FollowUpPlan]:
    """The user's open plans on customers they hold: overdue ones and those due in the next 90 days."""
    now = now or timezone.now()
    return (
        FollowUpPlan.objects.filter(
            owner=user,
            status=PlanStatus.OPEN,
            due_at__lt=now + HORIZON,
            customer__owner=user,
            customer__deleted_at__isnull=True,
        )
        .select_related("customer")
        .only("id", "due_at", "action", "created_at", "customer__id", "customer__name")
        .order_by("due_at", "id")[:FEED_MAX]
    )


def calendar_ics(
    *, plans: QuerySet[FollowUpPlan], host: str, customer_url: Callable[[int], str], name: str
) -> bytes:
    """The plans as a VCALENDAR: one 30-minute VEVENT per plan, in UTC, with a UID that stays the same."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for plan in plans:
        customer = plan.customer
        event = Event()
        event.add("uid", f"followup-plan-{plan.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", plan.due_at.astimezone(UTC))
        event.add("dtend", (plan.due_at + EVENT_LENGTH).astimezone(UTC))
        event.add("summary", f"{customer.name} — {plan.action}" if plan.action else customer.name)
        event.add("url", customer_url(customer.pk))
        if plan.action:
            event.add("description", plan.action)
        calendar.add_component(event)
    return calendar.to_ical()
