"""The reclaim job: owned customers their owners neglected go back to the owner's home pool.

Per pool and rule, a condition on the customer's own columns and a subquery for the pool's members picks
the due customers: they are locked (ids and owners read once), their events and timeline entries are
written with INSERT … SELECT (one statement each; one per distinct number of days for the timeline), and
one UPDATE … WHERE pk IN (the same subquery) moves them. No Python loop over customers. The condition
depends only on stored times and `now`, so a run that comes late moves what an earlier one would have,
and a second run moves nothing. Each owner who lost customers gets one in-app notification.

Measured at scale M on PostgreSQL (100k customers): a run with nothing due 0.15 s, a daily run moving
~300 customers 0.8 s, the first run of new rules moving 61,500 customers 14.6 s (almost all of it the
UPDATE's index maintenance: about 0.15 ms per row for the customer table's 17 indexes).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Count, DateTimeField, F, JSONField, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehu.core.activity import Activity
from kehu.customers.models import Customer
from kehu.notifications.services import Message, notify
from kehu.org.models import User
from kehu.pool.models import Pool, PoolEvent, PoolEventKind, PoolRule
from kehu.pool.rules import Membership, owned_by, rule_conditions

logger = logging.getLogger(__name__)

# A run that moves this many customers refreshes PostgreSQL's statistics of the customers table.
ANALYZE_AFTER = 1000
Summary = dict[str, Any]  # {"no_followup": n, "not_closed": m, "by_owner": {owner_id: count}}


def _empty() -> Summary:
    return {"no_followup": 0, "not_closed": 0, "by_owner": {}}


def pool_counts(pool: Pool, *, members: Any, now: datetime) -> Summary:
    """What reclaim would move from `pool` at `now`, per rule and per owner, without moving anything."""
    summary = _empty()
    by_owner: Counter[int] = Counter()
    fired = None
    for rule, condition in rule_conditions(pool, now):
        qs = owned_by(pool, members).filter(condition)
        if fired is not None:
            qs = qs.exclude(fired)  # counted under the earlier rule, as the real run would move it there
        fired = condition if fired is None else fired | condition
        for owner_id, n in qs.order_by().values_list("owner_id").annotate(n=Count("pk")):
            summary[rule] += n
            by_owner[owner_id] += n
    summary["by_owner"] = dict(by_owner)
    return summary


def _insert_select(model: type[models.Model], source: QuerySet, columns: dict[str, Any]) -> None:
    """INSERT INTO model (columns) SELECT … FROM source: one statement, however many rows."""
    names = list(columns)
    aliases = {f"_col{i}": value for i, value in enumerate(columns.values())}
    select = source.order_by().values(**aliases)
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    target = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({target}) {sql}", params)


def _days_groups(pool: Pool, rule: str) -> list[tuple[int | None, Q]]:
    """(days, customers it applies to): the days of the rule that fired, per customer level."""
    if rule != PoolRule.NO_FOLLOWUP:
        return [(pool.not_closed_days, Q())]
    levels = dict(pool.level_days or {})
    groups = [(days, Q(level=level)) for level, days in levels.items() if days]
    return [*groups, (pool.no_followup_days, ~Q(level__in=sorted(levels)))]


def _move(pool: Pool, rule: str, condition: Any, *, members: Any, now: datetime) -> list[tuple[int, int]]:
    """Lock the due customers (their ids and owners are read once), record their events and timeline
    entries with INSERT … SELECT, and move them with one UPDATE."""
    due = owned_by(pool, members).filter(condition)
    rows = list(due.select_for_update(of=("self",)).values_list("pk", "owner_id"))
    if not rows:
        return []
    moment = Value(now, output_field=DateTimeField())
    _insert_select(
        PoolEvent,
        due,
        {
            "customer": F("pk"),
            "pool": Value(pool.pk),
            "kind": Value(PoolEventKind.RECLAIMED.value),
            "from_user": F("owner_id"),
            "reason": Value(rule),
            "created_at": moment,
        },
    )
    subject_type = ContentType.objects.get_for_model(Customer).pk
    for days, level in _days_groups(pool, rule):
        data = {"pool": pool.name, "rule": rule, "days": days}
        _insert_select(
            Activity,
            due.filter(level),
            {
                "created_at": moment,
                "verb": Value("pool.reclaimed"),
                "subject_type": Value(subject_type),
                "subject_id": F("pk"),
                "data": Value(data, output_field=JSONField()),
                "customer_id": F("pk"),
            },
        )
    moved = Customer.objects.filter(pk__in=due.values("pk")).update(
        owner=None, department=None, received_at=None, pool=pool, pooled_at=now, updated_at=now
    )
    if moved != len(rows):
        raise RuntimeError(f"Reclaim locked {len(rows)} customers but moved {moved}.")
    return rows


@transaction.atomic
def pool_reclaim(
    *, now: datetime | None = None, dry_run: bool = False, pool: Pool | None = None
) -> dict[int, Summary]:
    """Send due customers back to their owners' pools (all active pools, or one). Returns, per pool,
    {"no_followup": n, "not_closed": m, "by_owner": {owner_id: count}}; `dry_run` only counts."""
    now = now or timezone.now()
    # One reclaim at a time: a second worker waits here, then finds nothing left to move.
    pools = list(Pool.objects.active().select_for_update().order_by("position", "id"))
    membership = Membership.load()
    summaries: dict[int, Summary] = {}
    lost: Counter[int] = Counter()
    for each in pools:
        if pool is not None and each.pk != pool.pk:
            continue
        members = membership.home_members(each)
        if dry_run:
            summaries[each.pk] = pool_counts(each, members=members, now=now)
            continue
        summary = _empty()
        try:
            with transaction.atomic():  # one pool that fails does not stop the others
                moved = [
                    (rule, _move(each, rule, condition, members=members, now=now))
                    for rule, condition in rule_conditions(each, now)
                ]
        except (DatabaseError, ValueError, TypeError, OverflowError):
            logger.exception("Reclaim of the pool %s (id %s) failed; the other pools go on.", each, each.pk)
            continue
        for rule, rows in moved:
            summary[rule] = len(rows)
            for _pk, owner_id in rows:
                summary["by_owner"][owner_id] = summary["by_owner"].get(owner_id, 0) + 1
                lost[owner_id] += 1
        summaries[each.pk] = summary
    if lost:
        _notify_losers(lost)
        logger.info("Reclaim moved %d customers back to their pools.", sum(lost.values()))
    if sum(lost.values()) >= ANALYZE_AFTER and connection.vendor == "postgresql":
        transaction.on_commit(_analyze_customers)
    return summaries


def _analyze_customers() -> None:
    """Refresh the planner's statistics after a large move: with stale ones, PostgreSQL believes the
    pool index nearly empty and reads it, not the primary key, for a claim's UPDATE (45 ms, not 1 ms)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Customer._meta.db_table}")


def _notify_losers(lost: Counter[int]) -> None:
    messages = [
        Message(
            recipient=user,
            verb="pool.reclaimed",
            title=ngettext(
                "%(n)d of your customers went back to the pool",
                "%(n)d of your customers went back to the pool",
                lost[user.pk],
            )
            % {"n": lost[user.pk]},
            body=_("They were not followed up or not closed in time."),
            url="/customers/",
        )
        for user in User.objects.filter(pk__in=list(lost))
    ]
    notify(messages=messages, email=False)
