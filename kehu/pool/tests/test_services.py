"""The pool's services: release, claim and its limits, assign, move, leaving on transfer, settings."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehu.core.activity import Activity
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.core.verbs import activity_sentence
from kehu.customers.models import Customer
from kehu.customers.services import customer_transfer
from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.choices import PlanStatus
from kehu.followups.models import FollowUpPlan
from kehu.followups.tests.factories import PlanFactory
from kehu.notifications.models import Notification
from kehu.pool import services
from kehu.pool.models import Pool, PoolEvent, PoolEventKind
from kehu.pool.tests.factories import PoolFactory, pooled_customer


@pytest.fixture
def pools(org):
    """The company-wide default pool, and the East pool (East and Shanghai reps; team lead is its admin)."""
    default = PoolFactory(name="公海", is_default=True, position=10)
    east = PoolFactory(name="华东公海", position=1, departments=[org.east], admins=[org.team_lead])
    return default, east


# pool_for_user -------------------------------------------------------------------------------------------


def test_pool_for_user_is_the_lowest_active_pool_of_the_user_else_the_default(org, pools):
    default, east = pools
    first = PoolFactory(name="VIP", position=0, users=[org.peer_rep])
    PoolFactory(name="inactive", position=0, is_active=False, users=[org.rep])

    assert services.pool_for_user(org.rep) == east  # through the East department's subtree
    assert services.pool_for_user(org.peer_rep) == first
    assert services.pool_for_user(org.other_dept_rep) == default
    assert services.pool_for_user(org.outsider) == default


# Release -------------------------------------------------------------------------------------------------


def test_owner_releases_a_customer_to_their_pool_with_a_reason(org, pools):
    _default, east = pools
    customer = CustomerFactory(owner=org.rep, received_at=timezone.now())
    plan = PlanFactory(customer=customer)

    released = services.customer_release(
        actor=org.rep, customer_ids=[customer.pk], reason="预算取消", pool=east
    )

    assert released == 1
    customer.refresh_from_db()
    assert (customer.owner_id, customer.department_id, customer.received_at) == (None, None, None)
    assert customer.pool == east
    assert customer.pooled_at is not None
    event = PoolEvent.objects.get()
    assert (event.kind, event.pool, event.from_user, event.actor, event.reason) == (
        PoolEventKind.RELEASED,
        east,
        org.rep,
        org.rep,
        "预算取消",
    )
    activity = Activity.objects.get(verb="pool.released")
    assert activity.customer_id == customer.pk
    assert activity_sentence(activity) == "released the customer to the pool 华东公海: 预算取消"
    plan.refresh_from_db()
    assert plan.owner == org.rep  # open plans wait for the next owner


def test_release_needs_a_reason_and_changes_nothing_without_one(org, pools):
    customer = CustomerFactory(owner=org.rep)

    with pytest.raises(DomainError, match=re.escape("Say why you release these customers.")) as exc:
        services.customer_release(actor=org.rep, customer_ids=[customer.pk], reason="  ")

    assert exc.value.field == "reason"
    assert Customer.objects.get().owner == org.rep
    assert not PoolEvent.objects.exists()


def test_rep_cannot_release_another_reps_customer(org, pools):
    customer = CustomerFactory(owner=org.peer_rep)

    with pytest.raises(PermissionDeniedError):
        services.customer_release(actor=org.rep, customer_ids=[customer.pk], reason="x")

    assert Customer.objects.get().owner == org.peer_rep


def test_released_customers_go_to_the_company_wide_pool_unless_told(org, pools):
    default, _east = pools
    mine = CustomerFactory(owner=org.rep)
    south = CustomerFactory(owner=org.other_dept_rep)

    services.customer_release(actor=org.dept_manager, customer_ids=[mine.pk, south.pk], reason="整理")

    assert dict(Customer.objects.values_list("pk", "pool_id")) == {mine.pk: default.pk, south.pk: default.pk}


def test_without_a_company_wide_pool_released_customers_go_to_each_owners_home_pool(org, pools):
    default, east = pools
    Pool.objects.filter(pk=default.pk).update(is_active=False)
    mine = CustomerFactory(owner=org.rep)

    services.customer_release(actor=org.dept_manager, customer_ids=[mine.pk], reason="整理")

    assert Customer.objects.get().pool == east


def test_release_to_a_named_pool(org, pools):
    default, _east = pools
    customer = CustomerFactory(owner=org.rep)

    services.customer_release(actor=org.rep, customer_ids=[customer.pk], reason="x", pool=default)

    assert Customer.objects.get().pool == default


# Claim ---------------------------------------------------------------------------------------------------


def test_member_claims_a_pooled_customer_and_its_open_plans_follow(org, pools):
    _default, east = pools
    customer = pooled_customer(east)
    plan = PlanFactory(customer=customer, owner=org.peer_rep, created_by=org.peer_rep)
    now = timezone.now()

    claimed = services.customer_claim(actor=org.rep, customer_id=customer.pk, now=now)

    assert claimed.pk == customer.pk
    customer.refresh_from_db()
    assert (customer.owner, customer.department, customer.received_at) == (org.rep, org.shanghai, now)
    assert (customer.pool, customer.pooled_at) == (None, None)
    event = PoolEvent.objects.get()
    assert (event.kind, event.pool, event.to_user, event.actor) == (
        PoolEventKind.CLAIMED,
        east,
        org.rep,
        org.rep,
    )
    plan.refresh_from_db()
    assert (plan.owner, plan.status) == (org.rep, PlanStatus.OPEN)
    activity = Activity.objects.get(verb="pool.claimed")
    assert activity_sentence(activity) == "claimed the customer from the pool 华东公海"


def test_rep_cannot_claim_from_a_pool_they_do_not_belong_to(org, pools):
    _default, east = pools
    customer = pooled_customer(east)

    with pytest.raises(PermissionDeniedError, match=re.escape("You are not a member of the pool 华东公海.")):
        services.customer_claim(actor=org.other_dept_rep, customer_id=customer.pk)

    assert Customer.objects.get().owner is None
    assert not PoolEvent.objects.exists()


def test_everyone_may_claim_from_the_company_wide_default(org, pools):
    default, _east = pools
    customer = pooled_customer(default)

    services.customer_claim(actor=org.other_dept_rep, customer_id=customer.pk)

    assert Customer.objects.get().owner == org.other_dept_rep


def test_an_owned_customer_cannot_be_claimed(org, pools):
    customer = CustomerFactory(owner=org.peer_rep)

    with pytest.raises(ConflictError, match=re.escape("This customer is not in a pool.")):
        services.customer_claim(actor=org.rep, customer_id=customer.pk)


def test_the_loser_of_a_race_gets_a_conflict(org, pools, monkeypatch):
    _default, east = pools
    customer = pooled_customer(east)
    stale = list(Customer.objects.select_related("pool").filter(pk=customer.pk))
    services.customer_claim(actor=org.peer_rep, customer_id=customer.pk)
    monkeypatch.setattr(services, "_pooled", lambda ids: stale)

    with pytest.raises(ConflictError, match=re.escape("Someone else claimed this customer just now.")) as exc:
        services.customer_claim(actor=org.rep, customer_id=customer.pk)

    assert exc.value.status_code == 409
    assert Customer.objects.get().owner == org.peer_rep
    assert PoolEvent.objects.count() == 1


def test_claims_per_day_counts_todays_claims_in_the_pool(org, pools):
    _default, east = pools
    Pool.objects.filter(pk=east.pk).update(claims_per_day=2)
    now = timezone.now()
    first, second, third = (pooled_customer(east, pooled_at=now - timedelta(days=1)) for _ in range(3))
    services.customers_claim(actor=org.rep, customer_ids=[first.pk, second.pk], now=now)

    with pytest.raises(
        DomainError, match=re.escape("You have claimed 2 of 2 customers allowed today from this pool.")
    ):
        services.customer_claim(actor=org.rep, customer_id=third.pk, now=now)
    services.customer_claim(actor=org.rep, customer_id=third.pk, now=now + timedelta(days=1))

    assert Customer.objects.filter(owner=org.rep).count() == 3


def test_claims_per_batch(org, pools):
    _default, east = pools
    Pool.objects.filter(pk=east.pk).update(claims_per_batch=1)
    ids = [pooled_customer(east).pk for _ in range(2)]

    with pytest.raises(
        DomainError, match=re.escape("You can claim at most 1 customers at a time from this pool.")
    ):
        services.customers_claim(actor=org.rep, customer_ids=ids)

    assert not Customer.objects.filter(owner__isnull=False).exists()


def test_previous_owner_waits_for_the_cooldown(org, pools):
    _default, east = pools
    Pool.objects.filter(pk=east.pk).update(reclaim_cooldown_days=7)
    customer = CustomerFactory(owner=org.rep)
    released_at = timezone.now()
    services.customer_release(
        actor=org.rep, customer_ids=[customer.pk], reason="x", pool=east, now=released_at
    )

    with pytest.raises(DomainError, match="You lost this customer less than 7 days ago"):
        services.customer_claim(actor=org.rep, customer_id=customer.pk, now=released_at + timedelta(days=6))
    services.customer_claim(actor=org.peer_rep, customer_id=customer.pk, now=released_at + timedelta(days=1))

    assert Customer.objects.get().owner == org.peer_rep


def test_cooldown_ends(org, pools):
    _default, east = pools
    Pool.objects.filter(pk=east.pk).update(reclaim_cooldown_days=7)
    customer = CustomerFactory(owner=org.rep)
    released_at = timezone.now()
    services.customer_release(
        actor=org.rep, customer_ids=[customer.pk], reason="x", pool=east, now=released_at
    )

    services.customer_claim(
        actor=org.rep, customer_id=customer.pk, now=released_at + timedelta(days=7, seconds=1)
    )

    assert Customer.objects.get().owner == org.rep


def test_newly_pooled_customers_wait_before_they_can_be_claimed(org, pools):
    _default, east = pools
    Pool.objects.filter(pk=east.pk).update(claim_wait_hours=24)
    pooled_at = timezone.now()
    customer = pooled_customer(east, pooled_at=pooled_at)

    with pytest.raises(DomainError, match="Newly pooled customers can be claimed 24 hours after"):
        services.customer_claim(actor=org.rep, customer_id=customer.pk, now=pooled_at + timedelta(hours=23))
    services.customer_claim(actor=org.rep, customer_id=customer.pk, now=pooled_at + timedelta(hours=24))

    assert Customer.objects.get().owner == org.rep


def test_private_customer_cap_counts_deals_only_when_told(org, pools):
    _default, east = pools
    Pool.objects.filter(pk=east.pk).update(max_private_customers=2)
    CustomerFactory(owner=org.rep)
    CustomerFactory(owner=org.rep, status="deal")
    customer = pooled_customer(east)
    Pool.objects.filter(pk=east.pk).update(count_deal_customers=True)

    with pytest.raises(DomainError, match=re.escape("You already have 2 customers; the most allowed is 2.")):
        services.customer_claim(actor=org.rep, customer_id=customer.pk)
    Pool.objects.filter(pk=east.pk).update(count_deal_customers=False)
    services.customer_claim(actor=org.rep, customer_id=customer.pk)

    assert Customer.objects.get(pk=customer.pk).owner == org.rep


# Assign and move -----------------------------------------------------------------------------------------


def test_pool_admin_assigns_customers_and_the_owner_is_told(org, pools):
    _default, east = pools
    customers = [pooled_customer(east) for _ in range(2)]

    count = services.customers_assign(
        actor=org.team_lead, customer_ids=[c.pk for c in customers], owner=org.east_rep, reason="重点跟进"
    )

    assert count == 2
    assert set(Customer.objects.values_list("owner_id", "department_id")) == {(org.east_rep.pk, org.east.pk)}
    assert list(PoolEvent.objects.order_by().values_list("kind", "to_user_id", "reason").distinct()) == [
        (PoolEventKind.ASSIGNED, org.east_rep.pk, "重点跟进")
    ]
    assert Notification.objects.get().title == "2 customers from the pool were assigned to you"


def test_rep_cannot_assign(org, pools):
    default, _east = pools
    customer = pooled_customer(default)

    with pytest.raises(PermissionDeniedError):
        services.customers_assign(actor=org.rep, customer_ids=[customer.pk], owner=org.rep)

    assert Customer.objects.get().owner is None


def test_manager_assigns_only_to_their_team(org, pools):
    default, _east = pools
    customer = pooled_customer(default)

    with pytest.raises(DomainError, match="cannot receive customers from you"):
        services.customers_assign(actor=org.team_lead, customer_ids=[customer.pk], owner=org.other_dept_rep)
    services.customers_assign(actor=org.dept_manager, customer_ids=[customer.pk], owner=org.other_dept_rep)

    assert Customer.objects.get().owner == org.other_dept_rep


def test_nobody_assigns_to_a_rep_on_leave_or_over_the_cap(org, pools):
    _default, east = pools
    customer = pooled_customer(east)
    org.east_rep.on_leave = True
    org.east_rep.save()

    with pytest.raises(DomainError, match="cannot receive customers"):
        services.customers_assign(actor=org.team_lead, customer_ids=[customer.pk], owner=org.east_rep)
    Pool.objects.filter(pk=east.pk).update(max_private_customers=1)
    CustomerFactory(owner=org.rep)
    with pytest.raises(DomainError, match=re.escape("Rep1 already has 1 customers; the most allowed is 1.")):
        services.customers_assign(actor=org.team_lead, customer_ids=[customer.pk], owner=org.rep)


def test_admin_of_both_pools_moves_customers(org, pools):
    default, east = pools
    default.admins.add(org.team_lead)
    customer = pooled_customer(east)

    moved = services.customers_move(actor=org.team_lead, customer_ids=[customer.pk], pool=default)

    assert moved == 1
    assert Customer.objects.get().pool == default
    event = PoolEvent.objects.get()
    assert (event.kind, event.pool, event.reason) == (PoolEventKind.MOVED, default, "华东公海 → 公海")


def test_only_admins_move_customers(org, pools):
    default, east = pools
    customer = pooled_customer(east)

    with pytest.raises(PermissionDeniedError, match="Only the admins of both pools"):
        services.customers_move(actor=org.team_lead, customer_ids=[customer.pk], pool=default)

    assert Customer.objects.get().pool == east


# Leaving the pool by a transfer --------------------------------------------------------------------------


def test_a_transferred_pooled_customer_leaves_its_pool(org, pools):
    _default, east = pools
    customer = pooled_customer(east)
    plan = PlanFactory(customer=customer, owner=org.peer_rep, created_by=org.peer_rep)

    customer_transfer(actor=org.director, customer_ids=[customer.pk], new_owner=org.rep)

    customer.refresh_from_db()
    assert (customer.owner, customer.pool, customer.pooled_at) == (org.rep, None, None)
    event = PoolEvent.objects.get()
    assert (event.kind, event.pool, event.to_user) == (PoolEventKind.ASSIGNED, east, org.rep)
    assert FollowUpPlan.objects.get(pk=plan.pk).owner == org.rep


def test_a_claim_records_one_event_only(org, pools):
    _default, east = pools
    customer = pooled_customer(east)

    services.customer_claim(actor=org.rep, customer_id=customer.pk)

    assert list(PoolEvent.objects.values_list("kind", flat=True)) == [PoolEventKind.CLAIMED]


# Settings ------------------------------------------------------------------------------------------------


def test_pool_save_validates_days_and_level_days(org, pools):
    _default, east = pools

    with pytest.raises(ValidationError) as exc:
        services.pool_save(
            actor=org.admin,
            pool=east,
            data={"no_followup_days": 0, "level_days": {"Z": 3}, "claims_per_day": -1},
        )

    assert exc.value.message_dict == {
        "no_followup_days": ["Enter a whole number from 1 to 3650, or leave it empty."],
        "level_days": ["Z is not a customer level."],
        "claims_per_day": ["Enter a whole number from 1 to 3650, or leave it empty."],
    }


def test_pool_save_keeps_exactly_one_default(org, pools):
    _default, east = pools

    services.pool_save(actor=org.admin, pool=east, data={"is_default": True, "no_followup_days": 30})
    with pytest.raises(ValidationError, match="One pool must be the default"):
        services.pool_save(actor=org.admin, pool=Pool.objects.get(pk=east.pk), data={"is_default": False})

    assert list(Pool.objects.filter(is_default=True)) == [east]
    assert Pool.objects.get(pk=east.pk).no_followup_days == 30


def test_pool_admin_changes_their_pool_a_rep_cannot(org, pools):
    _default, east = pools

    services.pool_save(
        actor=org.team_lead, pool=east, data={"level_days": {"A": 60}, "name": east.name, "users": []}
    )
    with pytest.raises(PermissionDeniedError):
        services.pool_save(actor=org.rep, pool=east, data={"name": "x"})
    with pytest.raises(PermissionDeniedError):
        services.pool_save(actor=org.team_lead, data={"name": "新公海"})

    east.refresh_from_db()
    assert (east.level_days, list(east.users.all())) == ({"A": 60}, [])


def test_a_pool_admin_may_not_widen_their_pool_or_make_it_the_company_wide_one(org, pools):
    """Members, rank and default would let a team's admin pull other teams' customers into their pool."""
    default, east = pools
    for change in ({"departments": [org.sales.pk]}, {"users": [org.other_dept_rep.pk]}, {"position": 0},
                   {"is_default": True}, {"is_active": False}, {"admins": [org.rep.pk]}):  # fmt: skip
        with pytest.raises(PermissionDeniedError, match="rules and limits"):
            services.pool_save(actor=org.team_lead, pool=east, data=change)

    east.refresh_from_db()
    assert list(east.departments.all()) == [org.east]
    assert (east.position, east.is_default, Pool.objects.get(is_default=True)) == (1, False, default)


def test_numbers_out_of_range_are_refused_everywhere_a_pool_is_saved(org, pools):
    _default, east = pools
    with pytest.raises(ValidationError) as exc:
        services.pool_save(actor=org.admin, pool=east, data={"no_followup_days": 800000})
    assert "no_followup_days" in exc.value.message_dict
    east.level_days = {"A": "x", "Z": -3}
    with pytest.raises(ValidationError):
        east.full_clean()  # what the Django admin runs
    with pytest.raises(ValidationError):
        services.pool_preview(pool=east, changes={"not_closed_days": 10**9})


def test_first_pool_created_becomes_the_default(org):
    pool = services.pool_save(actor=org.admin, data={"name": "公海", "no_followup_days": 15})

    assert (pool.is_default, pool.no_followup_days) == (True, 15)


def test_standard_roles_carry_the_pool_permissions(org):
    assert org.rep.has_perm("pool.claim_pool_customer")
    assert org.rep.has_perm("pool.release_pool_customer")
    assert not org.rep.has_perm("pool.assign_pool_customer")
    assert org.team_lead.has_perm("pool.assign_pool_customer")
    assert not org.team_lead.has_perm("pool.change_pool")


def test_a_pooled_customer_cannot_be_locked(org, pools):
    _default, east = pools
    customer = pooled_customer(east)

    with pytest.raises(ConflictError, match=re.escape("A customer in a pool cannot be locked.")):
        services.customer_lock(actor=org.admin, customer=customer)

    assert not Customer.objects.get().is_locked


def test_without_a_cap_on_locked_customers_only_a_manager_locks(org, pools):
    customer = CustomerFactory(owner=org.rep)

    with pytest.raises(PermissionDeniedError, match="only a manager may lock"):
        services.customer_lock(actor=org.rep, customer=customer)
    services.customer_lock(actor=org.dept_manager, customer=customer)

    assert Customer.objects.get().is_locked
