"""Reads for the shared pool: the pools a user may use, their customers, the moves, and the warnings of
customers about to return to the pool (the workbench)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kehu.core.exceptions import FilterError
from kehu.core.scopes import DataScope
from kehu.customers.models import Customer
from kehu.customers.search import search_condition
from kehu.customers.selectors import customer_get
from kehu.org.models import User
from kehu.pool.models import Pool, PoolEvent, PoolEventKind, PoolRule
from kehu.pool.rules import due_from, member_condition, owned_by, pool_home, rule_conditions


@dataclass(frozen=True)
class PoolWarning:
    """An owned customer that the pool's rule `rule` will reclaim at `due_at`."""

    customer: Customer
    pool: Pool
    rule: PoolRule
    due_at: datetime


def pool_warnings(*, user: User, now: datetime | None = None) -> list[PoolWarning]:
    """The user's customers their home pool will reclaim within its warn_days_before, soonest first."""
    return pool_warnings_top(user=user, now=now)[0]


def pool_warnings_top(
    *, user: User, now: datetime | None = None, limit: int | None = None
) -> tuple[list[PoolWarning], int]:
    """The first `limit` (all with None) of the user's pool warnings, soonest first, and how many there are.

    Three queries: the home pool; the due customers' level and clock anchors (by now + warn_days_before,
    already due ones too, until the job runs), from which the due times are computed; then the customers
    shown. A customer due under both rules is listed once, at the earlier time.
    """
    now = now or timezone.now()
    pool = pool_home(user)
    if pool is None or not pool.warn_days_before:
        return [], 0
    horizon = now + timedelta(days=pool.warn_days_before)
    conditions = rule_conditions(pool, horizon)
    if not conditions:
        return [], 0
    any_due = Q()
    for _rule, condition in conditions:
        any_due |= condition
    anchors = (
        owned_by(pool, [user.pk])
        .filter(any_due)
        .values_list("pk", "level", "followup_anchor", "received_anchor")
    )
    dues = []
    for pk, level, followup_anchor, received_anchor in anchors:
        times = [
            (due, rule)
            for rule, _c in conditions
            if (due := due_from(pool, rule, level, followup_anchor, received_anchor)) and due <= horizon
        ]
        due, rule = min(times)
        dues.append((due, pk, rule))
    dues.sort()
    shown = dues if limit is None else dues[:limit]
    customers = Customer.objects.in_bulk([pk for _due, pk, _rule in shown])
    warnings = [
        PoolWarning(customer=customers[pk], pool=pool, rule=PoolRule(rule), due_at=due)
        for due, pk, rule in shown
    ]
    return warnings, len(dues)


def pool_list(*, user: User) -> QuerySet[Pool]:
    """Pools the user belongs to or administers, and the company-wide default for those who may claim or
    assign; every pool for those who see all records (superusers, directors)."""
    qs = Pool.objects.order_by("position", "id")
    if user.data_scope == DataScope.ALL:
        return qs
    admins = Pool.admins.through.objects.filter(pool_id=OuterRef("pk"), user_id=user.pk)
    condition = member_condition(user) | Q(Exists(admins))
    if user.has_perm("pool.claim_pool_customer") or user.has_perm("pool.assign_pool_customer"):
        condition |= Q(is_default=True)  # open to every salesperson; not to other staff
    if user.has_perm("pool.assign_pool_customer") and user.scope_department_ids():
        # Managers also see the pools of the teams they may hand customers to.
        teams = Pool.departments.through.objects.filter(
            pool_id=OuterRef("pk"), department_id__in=user.scope_department_ids()
        )
        condition |= Q(Exists(teams))
    return qs.filter(condition)


def pool_get(*, user: User, pk: int) -> Pool:
    """A pool the user may see (pool_list); Http404 otherwise."""
    return get_object_or_404(pool_list(user=user).prefetch_related("users", "departments", "admins"), pk=pk)


def _latest_entry(field: str) -> Subquery:
    return Subquery(
        PoolEvent.objects.filter(
            customer_id=OuterRef("pk"),
            kind__in=[PoolEventKind.RELEASED, PoolEventKind.RECLAIMED, PoolEventKind.MOVED],
        )
        .order_by("-created_at", "-id")
        .values(field)[:1]
    )


def _filter_error(name: str, message: str) -> FilterError:
    return FilterError({name: [message]})


def pool_customers(*, user: User, pool: Pool, filters: Mapping[str, Any] | None = None) -> QuerySet[Customer]:
    """The pool's customers, newest in the pool first, with how each came in (`entry_kind`, `entry_reason`).

    Filters: q (name, phone, contacts), level, industry, province, city, entry (released / reclaimed /
    moved), rule (a reclaim rule or a word of the release reason), pooled_before / pooled_after (times).
    """
    pool_get(user=user, pk=pool.pk)  # members, admins and superusers only
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    qs = Customer.objects.alive().filter(pool=pool).prefetch_related("tags")
    qs = qs.annotate(entry_kind=_latest_entry("kind"), entry_reason=_latest_entry("reason"))
    if filters.get("q"):
        qs = qs.filter(search_condition(str(filters["q"])))
    for name in ("level", "industry", "province", "city"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("entry"):
        if filters["entry"] not in (PoolEventKind.RELEASED, PoolEventKind.RECLAIMED, PoolEventKind.MOVED):
            raise _filter_error("entry", _("Use released, reclaimed or moved."))
        qs = qs.filter(entry_kind=filters["entry"])
    if filters.get("rule"):
        qs = qs.filter(entry_reason__icontains=str(filters["rule"]))
    for name, lookup in (("pooled_before", "pooled_at__lt"), ("pooled_after", "pooled_at__gte")):
        if filters.get(name):
            value = filters[name]
            moment = value if isinstance(value, datetime) else parse_datetime(str(value))
            if moment is None:
                raise _filter_error(name, _("Enter a date and time."))
            qs = qs.filter(**{lookup: moment})
    return qs.order_by("-pooled_at", "-id")


def pool_events(*, customer: Customer) -> QuerySet[PoolEvent]:
    """Every move of the customer into, out of and between pools, newest first."""
    return PoolEvent.objects.filter(customer=customer).select_related("pool", "actor", "from_user", "to_user")


def customer_get_or_pooled(*, user: User, pk: int) -> tuple[Customer, bool]:
    """A customer the user may see, or else one sitting in a pool the user may see (to look at before
    claiming it: its history stays with it); and whether it is within the user's own data scope."""
    try:
        return customer_get(user=user, pk=pk), True
    except Http404:
        pooled = Customer.objects.alive().filter(pool__in=pool_list(user=user)).prefetch_related("tags")
        return get_object_or_404(pooled, pk=pk), False
