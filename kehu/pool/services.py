"""Writes for the shared pool (公海): release, claim, assign, move, leave on transfer, and pool settings.

A customer is either owned (owner set, pool NULL) or pooled (owner and department NULL, pool and
pooled_at set). Every move is a PoolEvent plus an activity on the customer's timeline. Claims are one
conditional UPDATE, so of many people claiming one customer at once exactly one wins. The reclaim job and
its previews live in kehu.pool.reclaim, pool settings in kehu.pool.configuration; both are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehu.core.activity import activity_record, activity_record_many
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.core.permissions import ensure_in_scope, ensure_perm
from kehu.customers.choices import CustomerStatus
from kehu.customers.models import Customer
from kehu.customers.services import _ensure_can_receive
from kehu.customers.signals import owner_changed
from kehu.notifications.services import Message, notify
from kehu.org.models import User
from kehu.pool.configuration import pool_apply, pool_preview, pool_save
from kehu.pool.models import Pool, PoolEvent, PoolEventKind
from kehu.pool.reclaim import pool_reclaim
from kehu.pool.rules import Membership, pool_home, pool_is_admin, pool_is_member

__all__ = [
    "customer_claim",
    "customer_lock",
    "customer_release",
    "customers_assign",
    "customers_claim",
    "customers_move",
    "pool_apply",
    "pool_for_user",
    "pool_is_admin",
    "pool_is_member",
    "pool_leave_on_new_owner",
    "pool_preview",
    "pool_reclaim",
    "pool_save",
]

REASON_MAX = 500
# A customer someone took this recently is reported to the next claimant as lost in a race.
JUST_NOW = timedelta(minutes=5)
SIGNAL_SOURCE = "pool"  # owner_changed sent by these services: pool_leave_on_new_owner has nothing to do


def pool_for_user(user: User) -> Pool | None:
    """The active pool the user belongs to with the lowest position, else the company-wide default."""
    return pool_home(user)


def _ids(customer_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(customer_ids))
    if not ids:
        raise DomainError(_("Choose at least one customer."), field="customer_ids")
    return ids


def _race_lost() -> ConflictError:
    return ConflictError(_("Someone else claimed this customer just now."))


def _pooled(ids: list[int]) -> list[Customer]:
    """The living customers `ids`, all in a pool, locked; a missing or owned one refuses the whole batch."""
    customers = list(
        Customer.objects.alive()
        .filter(pk__in=ids)
        .select_related("pool")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if len(customers) != len(ids):
        raise DomainError(_("Some of these customers do not exist or were deleted."), field="customer_ids")
    if any(c.pool_id is None for c in customers):
        if len(ids) > 1:
            raise ConflictError(_("Some of these customers are no longer in the pool."))
        taken = PoolEvent.objects.filter(
            customer_id=ids[0],
            kind__in=[PoolEventKind.CLAIMED, PoolEventKind.ASSIGNED],
            created_at__gte=timezone.now() - JUST_NOW,
        )
        raise _race_lost() if taken.exists() else ConflictError(_("This customer is not in a pool."))
    return customers


# Limits ----------------------------------------------------------------------------------------------------


def _start_of_day(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def _ensure_cap(owner: User, pool: Pool, adding: int, *, yourself: bool) -> None:
    if not pool.max_private_customers:
        return
    owned = Customer.objects.alive().filter(owner=owner)
    if not pool.count_deal_customers:
        owned = owned.exclude(status=CustomerStatus.DEAL)
    count = owned.count()
    if count + adding > pool.max_private_customers:
        values = {"user": owner, "n": count, "max": pool.max_private_customers}
        if yourself:
            message = _("You already have %(n)d customers; the most allowed is %(max)d.") % values
        else:
            message = _("%(user)s already has %(n)d customers; the most allowed is %(max)d.") % values
        raise DomainError(message)


def _claim_history(actor: User, pool: Pool, customers: list[Customer], now: datetime) -> tuple[int, int]:
    """(claims from the pool today, losses of these customers within the cooldown), in one query."""
    wanted = {}
    if pool.claims_per_day:
        wanted["today"] = Q(
            to_user=actor, pool=pool, kind=PoolEventKind.CLAIMED, created_at__gte=_start_of_day(now)
        )
    if pool.reclaim_cooldown_days:
        wanted["lost"] = Q(
            from_user=actor,
            customer_id__in=[c.pk for c in customers],
            kind__in=[PoolEventKind.RELEASED, PoolEventKind.RECLAIMED],
            created_at__gt=now - timedelta(days=pool.reclaim_cooldown_days),
        )
    if not wanted:
        return 0, 0
    counts = PoolEvent.objects.filter(reduce(or_, wanted.values())).aggregate(
        **{name: Count("pk", filter=condition) for name, condition in wanted.items()}
    )
    return counts.get("today", 0), counts.get("lost", 0)


def _ensure_claim_limits(actor: User, pool: Pool, customers: list[Customer], now: datetime) -> None:
    """The pool's claim limits for `actor` taking `customers` from it; the first broken one is reported."""
    if pool.claims_per_batch and len(customers) > pool.claims_per_batch:
        raise DomainError(
            _("You can claim at most %(n)d customers at a time from this pool.")
            % {"n": pool.claims_per_batch},
            field="customer_ids",
        )
    today, lost = _claim_history(actor, pool, customers, now)
    if pool.claims_per_day and today + len(customers) > pool.claims_per_day:
        raise DomainError(
            _("You have claimed %(done)d of %(n)d customers allowed today from this pool.")
            % {"done": today, "n": pool.claims_per_day}
        )
    if lost:
        raise DomainError(
            _("You lost this customer less than %(n)d days ago: wait for the cooldown to end.")
            % {"n": pool.reclaim_cooldown_days}
        )
    if pool.claim_wait_hours:
        opens = [c.pooled_at + timedelta(hours=pool.claim_wait_hours) for c in customers if c.pooled_at]
        if any(when > now for when in opens):
            raise DomainError(
                _("Newly pooled customers can be claimed %(n)d hours after they entered the pool.")
                % {"n": pool.claim_wait_hours}
            )
    _ensure_cap(actor, pool, len(customers), yourself=True)


# Taking customers out of the pool ------------------------------------------------------------------------


def _take(
    *, actor: User, customers: list[Customer], owner: User, kind: str, reason: str, now: datetime
) -> None:
    """Give pooled customers to `owner` in one conditional UPDATE; record the events and the timeline."""
    ids = [c.pk for c in customers]
    pools = {c.pk: c.pool_id for c in customers}
    won = (
        Customer.objects.alive()
        .filter(pk__in=ids, owner_id__isnull=True, pool_id__isnull=False)
        .update(
            owner=owner,
            department_id=owner.department_id,
            received_at=now,
            pool=None,
            pooled_at=None,
            updated_at=now,
        )
    )
    if won != len(ids):
        raise _race_lost()
    owner_changed.send(Customer, customer_ids=ids, new_owner_id=owner.pk, source=SIGNAL_SOURCE)
    PoolEvent.objects.bulk_create(
        PoolEvent(
            customer_id=c.pk,
            pool_id=pools[c.pk],
            kind=kind,
            actor=actor,
            to_user=owner,
            reason=reason,
            created_at=now,
        )
        for c in customers
    )
    activity_record_many(
        actor=actor,
        verb=f"pool.{kind}",
        entries=((c, {"pool": c.pool.name, "owner": str(owner), "reason": reason}) for c in customers),
    )
    for c in customers:
        c.owner, c.department_id, c.received_at, c.pool, c.pooled_at = (
            owner,
            owner.department_id,
            now,
            None,
            None,
        )


def _ensure_can_claim(actor: User) -> None:
    ensure_perm(actor, "pool.claim_pool_customer")
    if not actor.is_active or actor.on_leave:
        raise DomainError(_("You cannot claim customers while you are on leave."))


@transaction.atomic
def customers_claim(
    *, actor: User, customer_ids: Iterable[int], now: datetime | None = None
) -> list[Customer]:
    """Take customers from their pools; all or none. Limits are the pools' (per day, batch, cooldown, wait,
    cap). A customer someone else took meanwhile refuses the batch with a ConflictError (HTTP 409)."""
    _ensure_can_claim(actor)
    ids = _ids(customer_ids)
    now = now or timezone.now()
    customers = _pooled(ids)
    by_pool: dict[int, list[Customer]] = {}
    for customer in customers:
        by_pool.setdefault(customer.pool_id, []).append(customer)
    if any(g[0].pool.claims_per_day or g[0].pool.max_private_customers for g in by_pool.values()):
        # Serialise this person's claims, so that the daily limit and the cap hold when they click twice.
        User.objects.select_for_update(of=("self",)).filter(pk=actor.pk).values_list("pk").first()
    for group in by_pool.values():
        pool = group[0].pool
        if not pool_is_member(actor, pool):
            raise PermissionDeniedError(_("You are not a member of the pool %(pool)s.") % {"pool": pool.name})
        _ensure_claim_limits(actor, pool, group, now)
    _take(actor=actor, customers=customers, owner=actor, kind=PoolEventKind.CLAIMED, reason="", now=now)
    return customers


def customer_claim(*, actor: User, customer_id: int, now: datetime | None = None) -> Customer:
    """Take one customer from its pool (see customers_claim)."""
    return customers_claim(actor=actor, customer_ids=[customer_id], now=now)[0]


@transaction.atomic
def customers_assign(
    *, actor: User, customer_ids: Iterable[int], owner: User, reason: str = "", now: datetime | None = None
) -> int:
    """Give pooled customers to a rep: a pool admin, or a manager who may give customers to that rep."""
    ids = _ids(customer_ids)
    now = now or timezone.now()
    if not User.objects.assignable().filter(pk=owner.pk).exists():
        raise DomainError(
            _("%(user)s cannot receive customers (inactive or on leave).") % {"user": owner}, field="owner_id"
        )
    customers = _pooled(ids)
    pools = {c.pool_id: c.pool for c in customers}
    admin_of = set(actor.administered_pools.filter(pk__in=pools).values_list("pk", flat=True))
    if not actor.is_superuser and admin_of != set(pools):
        ensure_perm(actor, "pool.assign_pool_customer")
        _ensure_can_receive(actor, owner)
    for pool in pools.values():
        _ensure_cap(owner, pool, sum(1 for c in customers if c.pool_id == pool.pk), yourself=False)
    reason = reason.strip()[:REASON_MAX]
    _take(actor=actor, customers=customers, owner=owner, kind=PoolEventKind.ASSIGNED, reason=reason, now=now)
    if owner.pk != actor.pk:
        title = ngettext(
            "%(n)d customer from the pool was assigned to you",
            "%(n)d customers from the pool were assigned to you",
            len(customers),
        ) % {"n": len(customers)}
        url = f"/customers/{customers[0].pk}/" if len(customers) == 1 else "/customers/"
        notify(messages=[Message(recipient=owner, verb="pool.assigned", title=title, url=url)], email=False)
    return len(customers)


def pool_leave_on_new_owner(
    sender: Any, *, customer_ids: list[int], new_owner_id: int | None, **kwargs: Any
) -> None:
    """Receiver of `owner_changed`: a pooled customer given an owner elsewhere (a transfer) leaves its pool,
    with an `assigned` event. The pool's own services send `source="pool"` and have recorded theirs."""
    if kwargs.get("source") == SIGNAL_SOURCE or new_owner_id is None or not customer_ids:
        return
    rows = list(
        Customer.objects.filter(pk__in=customer_ids, pool__isnull=False, owner_id=new_owner_id).values_list(
            "pk", "pool_id"
        )
    )
    if not rows:
        return
    now = timezone.now()
    Customer.objects.filter(pk__in=[pk for pk, _pool in rows]).update(pool=None, pooled_at=None)
    PoolEvent.objects.bulk_create(
        PoolEvent(
            customer_id=pk,
            pool_id=pool_id,
            kind=PoolEventKind.ASSIGNED,
            actor_id=kwargs.get("actor_id"),
            to_user_id=new_owner_id,
            reason=_("Transferred"),
            created_at=now,
        )
        for pk, pool_id in rows
    )


# Putting customers into a pool ---------------------------------------------------------------------------


def _active_pool(pool: Pool) -> Pool:
    if not pool.is_active:
        raise DomainError(_("The pool %(pool)s is not active.") % {"pool": pool.name}, field="pool_id")
    return pool


def _home_pools(owner_ids: set[int]) -> dict[int, Pool]:
    membership = Membership.load()
    homes: dict[int, Pool] = {}
    for user_id, path in User.objects.filter(pk__in=owner_ids).values_list("pk", "department__path"):
        home = membership.home_of(user_id, path or "")
        if home is None:
            raise DomainError(_("No pool is set up yet: ask an administrator to create one."))
        homes[user_id] = home
    return homes


@transaction.atomic
def customer_release(
    *,
    actor: User,
    customer_ids: Iterable[int],
    reason: str,
    pool: Pool | None = None,
    now: datetime | None = None,
) -> int:
    """Give up customers to a pool, with a reason: to `pool`, else the company-wide default pool, else (none
    set up) each owner's home pool. Open follow-up plans stay with the previous owner until someone takes
    the customer."""
    ensure_perm(actor, "pool.release_pool_customer")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why you release these customers."), field="reason")
    ids = _ids(customer_ids)
    ensure_in_scope(actor, Customer.objects.alive(), *ids)
    now = now or timezone.now()
    customers = list(
        Customer.objects.alive().filter(pk__in=ids).select_related("owner").select_for_update(of=("self",))
    )
    if any(c.owner_id is None for c in customers):
        raise ConflictError(_("Some of these customers are already in a pool."))
    pool = pool or Pool.objects.active().filter(is_default=True).first()
    homes = (
        {c.owner_id: _active_pool(pool) for c in customers}
        if pool
        else _home_pools({c.owner_id for c in customers})
    )
    target = Case(
        *(When(owner_id=owner_id, then=Value(p.pk)) for owner_id, p in homes.items()),
        output_field=IntegerField(),
    )
    Customer.objects.filter(pk__in=ids).update(
        pool_id=target, pooled_at=now, owner=None, department=None, received_at=None, updated_at=now
    )
    reason = reason[:REASON_MAX]
    PoolEvent.objects.bulk_create(
        PoolEvent(
            customer_id=c.pk,
            pool=homes[c.owner_id],
            kind=PoolEventKind.RELEASED,
            actor=actor,
            from_user_id=c.owner_id,
            reason=reason,
            created_at=now,
        )
        for c in customers
    )
    activity_record_many(
        actor=actor,
        verb="pool.released",
        entries=(
            (c, {"pool": homes[c.owner_id].name, "from": str(c.owner), "reason": reason}) for c in customers
        ),
    )
    return len(customers)


@transaction.atomic
def customers_move(*, actor: User, customer_ids: Iterable[int], pool: Pool) -> int:
    """Move pooled customers to another pool: admins of both pools, or superusers."""
    ids = _ids(customer_ids)
    _active_pool(pool)
    customers = [c for c in _pooled(ids) if c.pool_id != pool.pk]
    sources = {c.pool_id: c.pool for c in customers}
    wanted = set(sources) | {pool.pk}
    if (
        not actor.is_superuser
        and set(actor.administered_pools.filter(pk__in=wanted).values_list("pk", flat=True)) != wanted
    ):
        raise PermissionDeniedError(_("Only the admins of both pools may move customers between them."))
    if not customers:
        return 0
    now = timezone.now()
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(pool=pool, updated_at=now)
    PoolEvent.objects.bulk_create(
        PoolEvent(
            customer_id=c.pk,
            pool=pool,
            kind=PoolEventKind.MOVED,
            actor=actor,
            reason=f"{c.pool.name} → {pool.name}"[:REASON_MAX],
            created_at=now,
        )
        for c in customers
    )
    activity_record_many(
        actor=actor,
        verb="pool.moved",
        entries=((c, {"from_pool": c.pool.name, "pool": pool.name}) for c in customers),
    )
    return len(customers)


# Locking ---------------------------------------------------------------------------------------------------


@transaction.atomic
def customer_lock(*, actor: User, customer: Customer, locked: bool = True) -> Customer:
    """Lock an owned customer (exempt from reclaim where the pool says so) or unlock it.

    The owner or a manager in scope may; the owner's home pool caps how many a rep holds locked
    (`max_locked_customers`); without a cap only managers (who may transfer customers) lock. Recorded on
    the timeline.
    """
    ensure_perm(actor, "customers.change_customer")
    ensure_in_scope(actor, Customer.objects.alive(), customer.pk)
    customer = Customer.objects.select_for_update(of=("self",)).select_related("owner").get(pk=customer.pk)
    if customer.owner is None:
        raise ConflictError(_("A customer in a pool cannot be locked."))
    if customer.is_locked == locked:
        return customer
    if locked:
        pool = pool_home(customer.owner)
        cap = pool.max_locked_customers if pool else None
        held = Customer.objects.alive().filter(owner=customer.owner, is_locked=True).count()
        if cap and held >= cap:
            raise DomainError(
                _("%(user)s already has %(n)d locked customers; the most allowed is %(max)d.")
                % {"user": customer.owner, "n": held, "max": cap}
            )
        if not cap and not actor.has_perm("customers.transfer_customer"):
            # Without a cap a rep could lock their whole book out of the pool's reach.
            raise PermissionDeniedError(
                _("The pool sets no limit on locked customers, so only a manager may lock one.")
            )
    now = timezone.now()
    Customer.objects.filter(pk=customer.pk).update(is_locked=locked, updated_at=now)
    customer.is_locked, customer.updated_at = locked, now
    activity_record(actor=actor, subject=customer, verb="customer.locked" if locked else "customer.unlocked")
    return customer
