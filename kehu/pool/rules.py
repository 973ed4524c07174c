"""Who belongs to which pool, and when a pool's rules send an owned customer back: shared by the reclaim
job, its dry run and preview, and the workbench's warnings, so that they can never disagree.

Membership: a user belongs to a pool through `users` or through a department (its whole subtree). A user's
*home* pool is the active pool they belong to with the lowest (position, id), else the company-wide
default; the reclaim job applies the home pool's rules to the customers they own. The default pool is
open to everyone for claiming.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import DateTimeField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest

from kehu.customers.choices import CustomerStatus
from kehu.customers.models import Customer
from kehu.org.models import User
from kehu.pool.models import Pool, PoolRule


def ancestor_ids(user: Any) -> list[int]:
    """The user's department and every department above it (read from its path, no query)."""
    if not getattr(user, "department_id", None):
        return []
    return [int(part) for part in user.department.path.strip("/").split("/") if part]


def member_condition(user: Any) -> Q:
    """Pools `user` belongs to explicitly (as a user or through a department), for Pool querysets."""
    through_user = Pool.users.through.objects.filter(pool_id=OuterRef("pk"), user_id=user.pk)
    through_dept = Pool.departments.through.objects.filter(
        pool_id=OuterRef("pk"), department_id__in=ancestor_ids(user)
    )
    return Q(Exists(through_user)) | Q(Exists(through_dept))


def pool_home(user: Any) -> Pool | None:
    """The user's home pool in one query: their lowest active pool, else the active default."""
    return (
        Pool.objects.active()
        .annotate(is_member=member_condition(user))
        .filter(Q(is_member=True) | Q(is_default=True))
        .order_by("-is_member", "position", "id")
        .first()
    )


@dataclass(frozen=True)
class Membership:
    """Every active pool's explicit members, loaded once (three small queries), to compute home pools in
    SQL (`home_members`) or in Python (`home_of`)."""

    pools: list[Pool]
    user_ids: dict[int, set[int]]
    paths: dict[int, list[str]]

    @classmethod
    def load(cls) -> Membership:
        pools = list(Pool.objects.active().order_by("position", "id"))
        ids = [p.pk for p in pools]
        user_ids: dict[int, set[int]] = {pk: set() for pk in ids}
        for pool_id, user_id in Pool.users.through.objects.filter(pool_id__in=ids).values_list(
            "pool_id", "user_id"
        ):
            user_ids[pool_id].add(user_id)
        paths: dict[int, list[str]] = {pk: [] for pk in ids}
        for pool_id, path in Pool.departments.through.objects.filter(pool_id__in=ids).values_list(
            "pool_id", "department__path"
        ):
            paths[pool_id].append(path)
        return cls(pools=pools, user_ids=user_ids, paths=paths)

    def _matches(self, pool: Pool) -> Q:
        condition = Q(pk__in=sorted(self.user_ids.get(pool.pk, ())))
        for path in self.paths.get(pool.pk, ()):
            condition |= Q(department__path__startswith=path)
        return condition

    def home_members(self, pool: Pool) -> QuerySet[User]:
        """Users whose home pool is `pool`, as a queryset (a subquery in the reclaim statements)."""
        earlier = [p for p in self.pools if p.pk != pool.pk and (p.position, p.pk) < (pool.position, pool.pk)]
        condition = self._matches(pool)
        for other in earlier:
            condition &= ~self._matches(other)
        if pool.is_default:
            condition |= ~reduce(or_, (self._matches(p) for p in self.pools), Q(pk__in=[]))
        return User.objects.filter(condition).order_by().values("pk")

    def home_of(self, user_id: int, path: str) -> Pool | None:
        for pool in self.pools:
            if user_id in self.user_ids[pool.pk] or any(path.startswith(p) for p in self.paths[pool.pk]):
                return pool
        return next((p for p in self.pools if p.is_default), None)


def pool_is_member(user: Any, pool: Pool) -> bool:
    """May `user` claim from `pool`: a member (user or department subtree) of it; everyone for the default."""
    if user.is_superuser or pool.is_default:
        return True
    return Pool.objects.filter(pk=pool.pk).filter(member_condition(user)).exists()


def pool_is_admin(user: Any, pool: Pool) -> bool:
    """Whether `user` administers `pool` (read from the pool's prefetched admins when it has them)."""
    return user.is_superuser or any(admin.pk == user.pk for admin in pool.admins.all())


# Rules ---------------------------------------------------------------------------------------------------


def _with_anchors(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """followup_anchor: the later of the last follow-up and receipt (created_at if both are unknown);
    received_anchor: receipt (or creation)."""
    moment = DateTimeField()
    return qs.annotate(
        followup_anchor=Greatest(
            Coalesce("last_followup_at", "received_at", "created_at"),
            Coalesce("received_at", "last_followup_at", "created_at"),
            output_field=moment,
        ),
        received_anchor=Coalesce("received_at", "created_at", output_field=moment),
    )


def no_followup_condition(pool: Pool, cutoff: datetime) -> Q | None:
    """Due for the no-follow-up rule at `cutoff`: the clock started `days(level)` or more before it."""
    level_days = dict(pool.level_days or {})
    parts = [
        Q(level=level, followup_anchor__lte=cutoff - timedelta(days=days))
        for level, days in level_days.items()
        if days
    ]
    if pool.no_followup_days:
        cut = cutoff - timedelta(days=pool.no_followup_days)
        parts.append(~Q(level__in=sorted(level_days)) & Q(followup_anchor__lte=cut))
    return reduce(or_, parts) if parts else None


def not_closed_condition(pool: Pool, cutoff: datetime) -> Q | None:
    if not pool.not_closed_days:
        return None
    cut = cutoff - timedelta(days=pool.not_closed_days)
    return Q(received_anchor__lte=cut) & ~Q(status=CustomerStatus.DEAL)


def owned_by(pool: Pool, members: QuerySet[User] | list[int]) -> QuerySet[Customer]:
    """Owned, living customers of the pool's members that its exemptions do not protect."""
    qs = Customer.objects.alive().filter(owner_id__in=members, pool__isnull=True)
    if pool.exempt_deal:
        qs = qs.exclude(status=CustomerStatus.DEAL)
    if pool.exempt_locked:
        qs = qs.exclude(is_locked=True)
    return _with_anchors(qs)


def rule_conditions(pool: Pool, cutoff: datetime) -> list[tuple[str, Q]]:
    """(rule, condition) in the order they fire; a customer due under both counts under the first."""
    rules = [
        (PoolRule.NO_FOLLOWUP.value, no_followup_condition(pool, cutoff)),
        (PoolRule.NOT_CLOSED.value, not_closed_condition(pool, cutoff)),
    ]
    return [(rule, condition) for rule, condition in rules if condition is not None]


def due_from(
    pool: Pool, rule: str, level: str, followup_anchor: datetime, received_anchor: datetime
) -> datetime | None:
    """When `rule` sends back a customer of `level` whose clocks started at these anchors; None when the
    rule is off for that level (per-level days without general days)."""
    if rule == PoolRule.NO_FOLLOWUP:
        days = pool.days_for_level(level)
        return followup_anchor + timedelta(days=days) if days else None
    return received_anchor + timedelta(days=pool.not_closed_days) if pool.not_closed_days else None
