"""Reads for the workbench (工作台): the signed-in user's day, each section a fixed number of queries.

Everything here is the user's own: plans they are responsible for on customers they still hold, their pool
warnings, leads assigned to them. Only the team activity reaches further, and only for users whose data
scope is wider than their own records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from kehu.core.activity import Activity
from kehu.core.scopes import DataScope
from kehu.core.verbs import activity_sentence
from kehu.customers.models import Customer
from kehu.followups.choices import PlanStatus
from kehu.followups.models import FollowUpPlan
from kehu.leads.choices import OPEN_STATUSES, LeadStatus
from kehu.leads.models import Lead
from kehu.org.models import User
from kehu.pool.selectors import pool_warnings_top
from kehu.sales.payments.selectors import receivables_due_for_owner

LIST_SIZE = 20  # rows shown in a section; its header counts them all
ACTIVITY_SIZE = 20


@dataclass(frozen=True)
class Section:
    items: Sequence[Any]
    count: int


@dataclass(frozen=True)
class PoolWarning:
    """A customer of the user's that returns to the pool on `due_at` unless something happens first."""

    customer: Customer
    pool: Any
    rule: Any
    rule_label: str
    due_at: datetime
    days_left: int


@dataclass(frozen=True)
class TeamEntry:
    activity: Activity
    sentence: str
    customer_name: str


@dataclass(frozen=True)
class Workbench:
    today: Section
    overdue: Section
    pool_warnings: Section
    new_leads: Section
    receivables: Section  # instalments of the user's contracts overdue or due soon
    team_activity: Section | None  # None: the user sees only their own records

    @property
    def is_empty(self) -> bool:
        """Nothing to tell the user (the daily digest skips them)."""
        return not (
            self.today.count
            or self.overdue.count
            or self.pool_warnings.count
            or self.new_leads.count
            or self.receivables.count
        )


def local_day(now: datetime) -> tuple[datetime, datetime]:
    """The start of the local day (settings.TIME_ZONE) `now` falls in, and of the next one."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def _section(qs: QuerySet) -> Section:
    """The first LIST_SIZE rows, and how many there are: one query, or two when the list is full."""
    limit = LIST_SIZE
    items = list(qs[:limit])
    return Section(items, len(items) if len(items) < limit else qs.count())


def my_open_plans(*, user: User) -> QuerySet[FollowUpPlan]:
    """Open plans the user is responsible for, on living customers they hold (pooled ones have no owner).

    owner + status + due_at: the partial index plan_owner_open_due_idx; the customer is a primary-key join.
    """
    return (
        FollowUpPlan.objects.filter(
            owner=user,
            status=PlanStatus.OPEN,
            customer__owner_id=F("owner_id"),
            customer__deleted_at__isnull=True,
        )
        .select_related("customer")
        .only("id", "customer_id", "owner_id", "due_at", "action", "status", "customer__id", "customer__name")
        .order_by("due_at", "id")
    )


def plans_today(*, user: User, now: datetime) -> Section:
    start, end = local_day(now)
    return _section(my_open_plans(user=user).filter(due_at__gte=start, due_at__lt=end))


def plans_overdue(*, user: User, now: datetime) -> Section:
    """Plans due before today: the oldest first, those are the most urgent."""
    start, _end = local_day(now)
    return _section(my_open_plans(user=user).filter(due_at__lt=start))


def new_leads(*, user: User) -> Section:
    """Leads assigned to the user that nobody has contacted yet, the latest assigned first.

    `status IN (open statuses)` repeats the predicate of the partial index lead_owner_open_idx, so both
    databases can use it.
    """
    qs = (
        Lead.objects.filter(
            owner=user,
            status__in=OPEN_STATUSES,
            deleted_at__isnull=True,
            contacted_at__isnull=True,
        )
        .filter(status__in=(LeadStatus.NEW, LeadStatus.ASSIGNED))
        .only("id", "name", "company_name", "status", "assigned_at", "sla_due_at", "owner_id")
        .order_by(F("assigned_at").desc(nulls_last=True), "-id")
    )
    return _section(qs)


def pool_warnings(*, user: User, now: datetime) -> Section:
    """The user's customers that return to the pool within its warning window, soonest first."""
    items, total = pool_warnings_top(user=user, now=now, limit=LIST_SIZE)
    today = timezone.localdate(now)
    return Section([_warning(item, today) for item in items], total)


def _warning(item: Any, today: date) -> PoolWarning:
    return PoolWarning(
        customer=item.customer,
        pool=item.pool,
        rule=item.rule,
        rule_label=str(item.rule.label),
        due_at=item.due_at,
        days_left=max((timezone.localdate(item.due_at) - today).days, 0),
    )


ACTIVITY_CANDIDATES = 5  # read this many times the limit, then keep the entries on visible customers


def team_activity(*, user: User, limit: int = ACTIVITY_SIZE) -> Section | None:
    """What the people in the user's data scope did lately, on records the user may see; None for a user
    who sees only their own records.

    Two queries, both bounded: the team's latest entries (newest first along the activity time index,
    a few times `limit`), then which of their customers the user may see, with their names, by primary
    key. Entries on customers outside the scope are dropped; a join or EXISTS against the scope would
    make PostgreSQL hash every customer in it.
    """
    scope = user.data_scope
    if scope == DataScope.OWN:
        return None
    qs = Activity.objects.filter(actor__isnull=False).select_related("actor")
    if scope != DataScope.ALL:
        qs = qs.filter(Q(actor_id=user.pk) | Q(actor__department_id__in=user.scope_department_ids()))
    candidates = list(qs.order_by("-created_at", "-id")[: limit * ACTIVITY_CANDIDATES])
    ids = {a.customer_id for a in candidates if a.customer_id}
    names = (
        dict(Customer.objects.visible_to(user).filter(pk__in=ids).order_by().values_list("id", "name"))
        if ids
        else {}
    )
    entries = [
        TeamEntry(a, activity_sentence(a), names.get(a.customer_id, ""))
        for a in candidates
        if a.customer_id is None or a.customer_id in names
    ][:limit]
    return Section(entries, len(entries))


def workbench_get(*, user: User, now: datetime | None = None, with_team: bool = True) -> Workbench:
    """Every section of the user's workbench at `now` (default: the current time)."""
    now = now or timezone.now()
    return Workbench(
        today=plans_today(user=user, now=now),
        overdue=plans_overdue(user=user, now=now),
        pool_warnings=pool_warnings(user=user, now=now),
        new_leads=new_leads(user=user),
        receivables=_section(
            receivables_due_for_owner(
                user=user, within_days=settings.KEHU_RECEIVABLE_WARN_DAYS, today=timezone.localdate(now)
            )
        ),
        team_activity=team_activity(user=user) if with_team else None,
    )
