"""Handover (交接): a departing user's whole book moves in one transaction, and the user is deactivated.

What moves where (docs/handover.md):
- customers the user owns, the recycle bin's too (nothing stays with a departed user): to one rep, split
  evenly across several (round robin in id order), or released to a pool. Living customers go through the
  ordinary `customer_transfer` / `customer_release`, so their timelines, pool events and open follow-up
  plans behave as for any transfer or release; deleted ones get the same statements here;
- open leads (not converted or invalid, deleted ones too): to the recipients, recorded as assignments
  for the reason "handover" (the timeline says "handover: <user>"), or back to the lead pool;
- the user's remaining open follow-up plans on customers someone else owns: to that customer's owner.
  Plans of customers released to the pool stay until someone takes the customer (the pool's rule);
- then, unless told otherwise, the user is deactivated: no login (password unusable, so open sessions
  end too), API tokens revoked,
  never picked by assignment (`User.objects.assignable()` skips inactive users). Pool memberships and
  assignment rules that name the user are left alone: both skip inactive users already. The summary's
  `attention` lists the pools they alone administered and the rules that name them, to review.

Every statement is set-based: the number of queries depends on the number of recipients, not on the size
of the book (an INSERT of history rows per 1,000 rows aside).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehu.core.activity import activity_record, activity_record_many
from kehu.core.exceptions import DomainError, PermissionDeniedError
from kehu.core.permissions import ensure_perm
from kehu.core.scopes import DataScope
from kehu.customers.models import Customer
from kehu.customers.services import customer_transfer
from kehu.customers.signals import owner_changed
from kehu.followups.models import FollowUpPlan
from kehu.leads.choices import OPEN_STATUSES, AssignmentReason, LeadStatus
from kehu.leads.models import AssignmentRule, Lead, LeadAssignment
from kehu.notifications.services import Message, notify
from kehu.org.models import ApiToken, User
from kehu.org.selectors import user_assignable_list
from kehu.pool import handover_display  # noqa: F401  (registers the handover's timeline verbs)
from kehu.pool.models import Handover, HandoverMode, Pool, PoolEvent, PoolEventKind
from kehu.pool.selectors import pool_list
from kehu.pool.services import customer_release, pool_for_user
from kehu.sales.contracts.services import contracts_hand_over, contracts_left_by
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import Opportunity
from kehu.sales.opportunities.services import opportunities_pass_to_owner

__all__ = [
    "handover_get",
    "handover_list",
    "handover_preview",
    "handover_run",
    "handover_user_choices",
]

PERM = "pool.hand_over_user"
NOTE_MAX = 1000


# Reads -----------------------------------------------------------------------------------------------------


def handover_user_choices(*, user: User) -> QuerySet[User]:
    """Whose book `user` may hand over: users in their departments (all users with the "all" scope), not
    themselves; active ones first. Superusers are handed over only by superusers."""
    qs = User.objects.exclude(pk=user.pk).order_by("-is_active", "department__path", "username")
    if not user.is_superuser:
        qs = qs.exclude(is_superuser=True)
    if user.data_scope == DataScope.ALL:
        return qs
    return qs.filter(department_id__in=user.scope_department_ids())


def handover_list(*, user: User) -> QuerySet[Handover]:
    """Handovers the user did, or of users in their departments; newest first."""
    qs = Handover.objects.select_related("from_user", "actor", "pool").prefetch_related("recipients")
    if user.data_scope == DataScope.ALL:
        return qs
    return qs.filter(Q(actor=user) | Q(from_user__department_id__in=user.scope_department_ids()))


def handover_get(*, user: User, pk: int) -> Handover:
    return get_object_or_404(handover_list(user=user), pk=pk)


# Checks ----------------------------------------------------------------------------------------------------


@dataclass
class _Request:
    """A checked handover request: who leaves, how, to whom."""

    from_user: User
    mode: str
    recipients: list[User]
    pool: Pool | None


def _unique(users: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())


def _ensure_recipients(actor: User, from_user: User, recipients: list[User]) -> None:
    allowed = set(
        user_assignable_list(user=actor)
        .filter(pk__in=[r.pk for r in recipients])
        .values_list("pk", flat=True)
    )
    for person in recipients:
        values = {"user": person}
        if person.pk == from_user.pk:
            raise DomainError(_("The departing user cannot be a recipient."), field="recipient_ids")
        if not person.is_active:
            raise DomainError(
                _("%(user)s is deactivated and cannot receive anything.") % values, field="recipient_ids"
            )
        if person.on_leave:
            raise DomainError(
                _("%(user)s is on leave and cannot receive anything.") % values, field="recipient_ids"
            )
        if person.pk not in allowed:
            raise DomainError(
                _("%(user)s is outside your team and cannot receive customers from you.") % values,
                field="recipient_ids",
            )


def _check(
    *, actor: User, from_user: User, mode: str, recipients: Sequence[User], pool: Pool | None
) -> _Request:
    """Every rule of a handover request, shared by the preview and the run."""
    ensure_perm(actor, PERM)
    if from_user.pk == actor.pk:
        raise DomainError(_("You cannot hand over your own book."), field="from_user_id")
    if not handover_user_choices(user=actor).filter(pk=from_user.pk).exists():
        raise PermissionDeniedError(_("%(user)s is outside your departments.") % {"user": from_user})
    if mode not in HandoverMode.values:
        raise DomainError(_("Choose to_one, split or to_pool."), field="mode")
    people = _unique(recipients)
    if mode == HandoverMode.TO_POOL:
        if people:
            raise DomainError(
                _("Customers handed over to the pool have no recipients."), field="recipient_ids"
            )
        pool = pool or pool_for_user(from_user)
        if pool is None:
            raise DomainError(
                _("No pool is set up yet: ask an administrator to create one."), field="pool_id"
            )
        if not pool.is_active:
            raise DomainError(_("The pool %(pool)s is not active.") % {"pool": pool.name}, field="pool_id")
        if not pool_list(user=actor).filter(pk=pool.pk).exists():
            raise DomainError(_("You may not hand customers over to this pool."), field="pool_id")
        return _Request(from_user=from_user, mode=mode, recipients=[], pool=pool)
    if mode == HandoverMode.TO_ONE and len(people) != 1:
        raise DomainError(_("Choose one recipient, or split the book across several."), field="recipient_ids")
    if mode == HandoverMode.SPLIT and len(people) < 2:
        raise DomainError(
            _("Choose at least two recipients to split the book; for one, use to_one."), field="recipient_ids"
        )
    _ensure_recipients(actor, from_user, people)
    return _Request(from_user=from_user, mode=mode, recipients=people, pool=None)


# The book --------------------------------------------------------------------------------------------------


@dataclass
class _Book:
    """What the departing user holds, and who gets which part (by recipient id; 0 = the pool)."""

    customers: dict[int, list[int]] = field(default_factory=dict)
    deleted: dict[int, list[int]] = field(default_factory=dict)
    leads: dict[int, list[tuple[int, int | None]]] = field(default_factory=dict)
    plans: dict[int, int] = field(default_factory=dict)
    plans_to_owners: int = 0
    plans_in_pool: int = 0


POOL_KEY = 0


def _deal(ids: list[Any], keys: list[int]) -> dict[int, list[Any]]:
    """Round robin in the given order: the i-th item goes to keys[i % n], so shares differ by one at most."""
    return {key: ids[i :: len(keys)] for i, key in enumerate(keys)}


def _ensure_customers_visible(actor: User, from_user: User, total: int) -> None:
    if actor.data_scope == DataScope.ALL or not total:
        return
    visible = Customer.objects.filter(owner=from_user).visible_to(actor).count()
    if visible != total:
        raise PermissionDeniedError(
            _(
                "%(n)d of %(user)s's customers are filed under departments outside yours: "
                "ask someone who sees all of them to hand this book over."
            )
            % {"n": total - visible, "user": from_user}
        )


def _book(actor: User, request: _Request) -> _Book:
    """Who gets what, in four queries (five to check the scope); the run then moves exactly this."""
    user = request.from_user
    keys = [r.pk for r in request.recipients] or [POOL_KEY]
    rows = list(Customer.objects.filter(owner=user).order_by("pk").values_list("pk", "deleted_at"))
    _ensure_customers_visible(actor, user, len(rows))
    book = _Book(
        customers=_deal([pk for pk, deleted in rows if deleted is None], keys),
        deleted=_deal([pk for pk, deleted in rows if deleted is not None], keys),
        leads=_deal(
            list(
                Lead.objects.filter(owner=user, status__in=OPEN_STATUSES)
                .order_by("pk")
                .values_list("pk", "customer_id")
            ),
            keys,
        ),
    )
    going_to = {pk: key for key, ids in book.customers.items() for pk in ids}
    for key, ids in book.deleted.items():
        going_to.update(dict.fromkeys(ids, key))
    book.plans = dict.fromkeys(keys, 0)
    plans = FollowUpPlan.objects.open().filter(Q(customer__owner=user) | Q(owner=user))
    for customer_id, owner_id, customer_owner_id in plans.values_list(
        "customer_id", "owner_id", "customer__owner_id"
    ):
        key = going_to.get(customer_id)
        if key is None:  # someone else's customer: a plan of the departing user goes to its owner
            book.plans_to_owners += customer_owner_id is not None
        elif key == POOL_KEY:
            book.plans_in_pool += owner_id == user.pk
        elif owner_id != key:
            book.plans[key] += 1
    return book


def _attention(user: User) -> dict[str, list[str]]:
    """Set-ups that name the user and lose them once they are inactive: pools they alone administer, rules
    whose fallback person or assignee they are. Left as they are (all skip inactive users); shown to check."""
    other_admin = Pool.admins.through.objects.filter(pool_id=OuterRef("pk"), user__is_active=True).exclude(
        user_id=user.pk
    )
    pools = Pool.objects.filter(admins=user).exclude(Exists(other_admin)).order_by("name")
    rules = AssignmentRule.objects.filter(Q(fallback_user=user) | Q(members__user=user)).distinct()
    return {
        "sole_admin_pools": list(pools.values_list("name", flat=True)),
        "rules": sorted(set(rules.values_list("name", flat=True))),
    }


def _summary(request: _Request, book: _Book) -> dict[str, Any]:
    people = {r.pk: r for r in request.recipients}
    per_key = {
        str(key): {
            "name": str(people[key]) if key in people else "",
            "customers": len(book.customers.get(key, [])),
            "recycle_bin": len(book.deleted.get(key, [])),
            "leads": len(book.leads.get(key, [])),
            "plans": book.plans.get(key, 0),
        }
        for key in (list(people) or [POOL_KEY])
    }
    return {
        "from_user": {"id": request.from_user.pk, "name": str(request.from_user)},
        "mode": request.mode,
        "pool": {"id": request.pool.pk, "name": request.pool.name} if request.pool else None,
        "customers": sum(r["customers"] for r in per_key.values()),
        "recycle_bin": sum(r["recycle_bin"] for r in per_key.values()),
        "leads": sum(r["leads"] for r in per_key.values()),
        "plans": sum(r["plans"] for r in per_key.values()) + book.plans_to_owners,
        "plans_to_owners": book.plans_to_owners,
        "plans_in_pool": book.plans_in_pool,
        "recipients": {} if request.mode == HandoverMode.TO_POOL else per_key,
        "attention": _attention(request.from_user),
    }


def handover_preview(
    *, actor: User, from_user: User, mode: str, recipients: Sequence[User] = (), pool: Pool | None = None
) -> dict[str, Any]:
    """What `handover_run` would move, with the same checks; nothing is changed."""
    request = _check(actor=actor, from_user=from_user, mode=mode, recipients=recipients, pool=pool)
    return _summary(request, _book(actor, request)) | {
        "opportunities": _open_opportunities(from_user).count(),
        "contracts": contracts_left_by(from_user).count(),
    }


# Moves -----------------------------------------------------------------------------------------------------


def _reason(from_user: User) -> str:
    return _("handover: %(user)s") % {"user": from_user}


def _give_deleted(actor: User, ids: list[int], owner: User, from_user: User, now: datetime) -> None:
    """Customers in the recycle bin change owner too, as a transfer would (it only takes living ones)."""
    Customer.objects.filter(pk__in=ids).update(
        owner=owner, department_id=owner.department_id, received_at=now, updated_at=now
    )
    owner_changed.send(Customer, customer_ids=ids, new_owner_id=owner.pk)
    data = {"from": str(from_user), "to": str(owner), "reason": _reason(from_user)}
    activity_record_many(
        actor=actor, verb="customer.transferred", entries=((Customer(pk=pk), data) for pk in ids)
    )


def _pool_deleted(actor: User, ids: list[int], pool: Pool, from_user: User, now: datetime) -> None:
    """Customers in the recycle bin go to the pool too, as a release would (it only takes living ones)."""
    Customer.objects.filter(pk__in=ids).update(
        pool=pool, pooled_at=now, owner=None, department=None, received_at=None, updated_at=now
    )
    reason = _reason(from_user)
    PoolEvent.objects.bulk_create(
        (
            PoolEvent(
                customer_id=pk,
                pool=pool,
                kind=PoolEventKind.RELEASED,
                actor=actor,
                from_user=from_user,
                reason=reason,
                created_at=now,
            )
            for pk in ids
        ),
        batch_size=1000,
    )
    data = {"pool": pool.name, "from": str(from_user), "reason": reason}
    activity_record_many(actor=actor, verb="pool.released", entries=((Customer(pk=pk), data) for pk in ids))


def _move_leads(
    actor: User, rows: list[tuple[int, int | None]], owner: User | None, from_user: User, now: datetime
) -> None:
    """Leads to `owner` as `lead_assign` records it, or (owner None) back to the lead pool."""
    ids = [pk for pk, _customer in rows]
    if owner is None:
        Lead.objects.filter(pk__in=ids).update(
            owner=None,
            department=None,
            status=LeadStatus.NEW,
            assigned_at=None,
            sla_due_at=None,
            updated_at=now,
        )
    else:
        Lead.objects.filter(pk__in=ids).update(
            owner=owner,
            department_id=owner.department_id,
            status=LeadStatus.ASSIGNED,
            assigned_at=now,
            sla_due_at=None,
            updated_at=now,
        )
    LeadAssignment.objects.bulk_create(
        (
            LeadAssignment(
                lead_id=pk,
                created_at=now,
                assignee=owner,
                previous_owner=from_user,
                reason=AssignmentReason.HANDOVER,
                actor=actor,
            )
            for pk in ids
        ),
        batch_size=1000,
    )
    data = {"from": str(from_user), "to": str(owner or ""), "reason": _reason(from_user)}
    activity_record_many(
        actor=actor,
        verb="lead.assigned" if owner else "lead.reassigned",
        entries=((Lead(pk=pk, customer_id=customer_id), data) for pk, customer_id in rows),
    )


def _plans_to_customer_owners(from_user: User) -> int:
    """The departing user's open plans on customers someone else owns go to that owner, in one UPDATE."""
    owner = Customer.objects.filter(pk=OuterRef("customer_id")).values("owner_id")[:1]
    return (
        FollowUpPlan.objects.open()
        .filter(owner=from_user, customer__owner__isnull=False)
        .exclude(customer__owner=from_user)
        .update(owner_id=Subquery(owner))
    )


def _open_opportunities(user: User) -> QuerySet[Opportunity]:
    return Opportunity.objects.alive().filter(
        owner=user, status__in=[OpportunityStatus.OPEN, OpportunityStatus.SUSPENDED]
    )


def _move_opportunities(actor: User, from_user: User, book: _Book, request: _Request) -> int:
    """The departing user's open and suspended opportunities follow their customers: to the recipient who
    got the customer, else to the customer's owner; on customers in a pool, to the manager handing over
    (a deal needs someone to work it). One UPDATE per person who receives some."""
    moved = 0
    for person in request.recipients:
        ids = [*book.customers[person.pk], *book.deleted[person.pk]]
        if ids:
            moved += opportunities_pass_to_owner(
                customer_ids=ids, from_user=from_user, to_user=person, actor=actor
            )
    left = _open_opportunities(from_user)
    by_owner: dict[int | None, list[int]] = {}
    for customer_id, owner_id in left.values_list("customer_id", "customer__owner_id").distinct():
        by_owner.setdefault(owner_id if owner_id != from_user.pk else None, []).append(customer_id)
    people = User.objects.in_bulk([pk for pk in by_owner if pk is not None])
    for owner_id, customer_ids in by_owner.items():
        receiver = people[owner_id] if owner_id is not None else actor
        moved += opportunities_pass_to_owner(
            customer_ids=customer_ids, from_user=from_user, to_user=receiver, actor=actor
        )
    return moved


def _deactivate(user: User, now: datetime) -> dict[str, int]:
    """No login and no API tokens; assignment skips inactive users already. The password is made unusable,
    which also ends every open session at its next request (Django checks a hash of the password kept in
    the session): no search through the sessions, and reactivating the user needs a new password."""
    user.set_unusable_password()
    User.objects.filter(pk=user.pk).update(is_active=False, password=user.password)
    user.is_active = False
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    return {"tokens_revoked": tokens}


def _notify(request: _Request, summary: dict[str, Any], handover: Handover) -> None:
    messages = []
    for person in request.recipients:
        counts = summary["recipients"][str(person.pk)]
        title = _("You received %(user)s's book") % {"user": request.from_user}
        body = ", ".join(
            [
                ngettext("%(n)d customer", "%(n)d customers", counts["customers"])
                % {"n": counts["customers"]},
                ngettext("%(n)d lead", "%(n)d leads", counts["leads"]) % {"n": counts["leads"]},
                ngettext("%(n)d follow-up plan", "%(n)d follow-up plans", counts["plans"])
                % {"n": counts["plans"]},
            ]
        )
        messages.append(Message(person, "user.handed_over", title, body, "/customers/?view=mine"))
    notify(messages=messages, email=False)


@transaction.atomic
def handover_run(
    *,
    actor: User,
    from_user: User,
    mode: str,
    recipients: Sequence[User] = (),
    pool: Pool | None = None,
    deactivate: bool = True,
    note: str = "",
) -> Handover:
    """Hand over `from_user`'s book (see the module's docstring) in one transaction: all of it or nothing."""
    # Two managers handing over the same person at once: the second waits, then finds an empty book.
    User.objects.select_for_update(of=("self",)).filter(pk=from_user.pk).values_list("pk").first()
    request = _check(actor=actor, from_user=from_user, mode=mode, recipients=recipients, pool=pool)
    book = _book(actor, request)
    summary = _summary(request, book)
    contracts_before = contracts_left_by(from_user).count()
    now = timezone.now()
    reason = _reason(from_user)
    if request.pool is not None:
        if book.customers[POOL_KEY]:
            customer_release(
                actor=actor, customer_ids=book.customers[POOL_KEY], reason=reason, pool=request.pool, now=now
            )
        if book.deleted[POOL_KEY]:
            _pool_deleted(actor, book.deleted[POOL_KEY], request.pool, from_user, now)
        if book.leads[POOL_KEY]:
            _move_leads(actor, book.leads[POOL_KEY], None, from_user, now)
    for person in request.recipients:
        if book.customers[person.pk]:
            customer_transfer(
                actor=actor, customer_ids=book.customers[person.pk], new_owner=person, reason=reason
            )
        if book.deleted[person.pk]:
            _give_deleted(actor, book.deleted[person.pk], person, from_user, now)
        if book.leads[person.pk]:
            _move_leads(actor, book.leads[person.pk], person, from_user, now)
    _plans_to_customer_owners(from_user)
    summary["opportunities"] = _move_opportunities(actor, from_user, book, request)
    # those of transferred customers went with them (owner_changed); the rest follow the customers' owners
    contracts_hand_over(from_user=from_user, actor=actor)
    summary["contracts"] = contracts_before - contracts_left_by(from_user).count()
    if deactivate:
        summary |= _deactivate(from_user, now)
    handover = Handover.objects.create(
        from_user=from_user,
        actor=actor,
        created_at=now,
        mode=request.mode,
        pool=request.pool,
        deactivated=deactivate,
        note=(note or "").strip()[:NOTE_MAX],
        summary=summary,
    )
    handover.recipients.set(request.recipients)
    activity_record(
        actor=actor,
        subject=from_user,
        verb="user.handed_over",
        data={"handover_id": handover.pk, **{k: summary[k] for k in ("mode", "customers", "leads", "plans")}},
    )
    _notify(request, summary, handover)
    return handover
