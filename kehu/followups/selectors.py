"""Reads for follow-ups and plans. Their data scope is their customer's (`customers` data scope)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.exceptions import FilterError
from kehu.customers.models import Customer
from kehu.followups.choices import PlanDue
from kehu.followups.filters import FollowUpFilter
from kehu.followups.models import FollowUp, FollowUpPlan
from kehu.org.models import User


def _start_of_today(now: datetime | None = None) -> datetime:
    return timezone.localtime(now or timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)


def _with_related(qs: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    """Contact, author and customer in the same query; the plan each one made in one more."""
    return qs.select_related("customer", "contact", "created_by").prefetch_related(
        Prefetch("plans", queryset=FollowUpPlan.objects.select_related("owner", "customer").order_by("id"))
    )


def followup_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[FollowUp]:
    """Living follow-ups of customers the user may see, newest first.

    Filters: customer (id), method, author (user id), date_from and date_to (local dates, inclusive).
    """
    qs = _with_related(FollowUp.objects.visible_to(user).alive())
    followup_filter = FollowUpFilter(filters or {}, queryset=qs)
    if not followup_filter.is_valid():
        raise FilterError({k: [str(m) for m in v] for k, v in followup_filter.errors.items()})
    return followup_filter.qs.order_by("-occurred_at", "-id")


def followup_get(*, user: User, pk: int) -> FollowUp:
    return get_object_or_404(_with_related(FollowUp.objects.visible_to(user).alive()), pk=pk)


def customer_followups(*, customer: Customer) -> QuerySet[FollowUp]:
    """One customer's living follow-ups, newest first (the caller has checked the customer's scope)."""
    return _with_related(FollowUp.objects.alive().filter(customer=customer)).order_by("-occurred_at", "-id")


def _plans(qs: QuerySet[FollowUpPlan]) -> QuerySet[FollowUpPlan]:
    return qs.select_related("customer", "owner")


def plan_list(
    *, user: User, due: str | None = None, customer: Customer | None = None
) -> QuerySet[FollowUpPlan]:
    """Open plans, soonest first: the user's own, or (with `customer`) that customer's.

    `due`: today (due in the local day, any hour), overdue (due before today), upcoming (after today).
    """
    qs = FollowUpPlan.objects.visible_to(user).open()
    qs = qs.filter(customer=customer) if customer is not None else qs.filter(owner=user)
    today = _start_of_today()
    tomorrow = today + timedelta(days=1)
    if due == PlanDue.TODAY:
        qs = qs.filter(due_at__gte=today, due_at__lt=tomorrow)
    elif due == PlanDue.OVERDUE:
        qs = qs.filter(due_at__lt=today)
    elif due == PlanDue.UPCOMING:
        qs = qs.filter(due_at__gte=tomorrow)
    elif due:
        raise FilterError({"due": [_("Use one of %(values)s.") % {"values": ", ".join(PlanDue.values)}]})
    return _plans(qs).order_by("due_at", "id")


def plan_get(*, user: User, pk: int) -> FollowUpPlan:
    """A plan on a customer the user may see, open or not."""
    return get_object_or_404(_plans(FollowUpPlan.objects.visible_to(user)), pk=pk)
