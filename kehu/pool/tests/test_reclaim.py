"""The reclaim job: rules, level days, exemptions, idempotence, late runs, dry runs and previews."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kehu.core.activity import Activity
from kehu.core.verbs import activity_sentence
from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.tests.factories import PlanFactory
from kehu.notifications.models import Notification
from kehu.pool.models import PoolEvent, PoolEventKind
from kehu.pool.services import pool_preview, pool_reclaim
from kehu.pool.tests.factories import PoolFactory

NOW = timezone.now()
EMPTY = {"no_followup": 0, "not_closed": 0, "by_owner": {}}


def days_ago(n: float):
    return NOW - timedelta(days=n)


@pytest.fixture
def pools(org):
    default = PoolFactory(name="公海", is_default=True, position=10)
    east = PoolFactory(
        name="华东公海",
        position=1,
        departments=[org.east],
        no_followup_days=10,
        level_days={"A": 30},
        not_closed_days=60,
    )
    return default, east


@pytest.fixture
def book(org, pools):
    """The Shanghai rep's customers (East pool) and a South rep's (the default pool, which has no rules)."""
    rep = org.rep
    return {
        "stale": CustomerFactory(owner=rep, received_at=days_ago(20), last_followup_at=days_ago(11)),
        "fresh": CustomerFactory(owner=rep, received_at=days_ago(20), last_followup_at=days_ago(5)),
        "a_recent": CustomerFactory(
            owner=rep, level="A", received_at=days_ago(40), last_followup_at=days_ago(20)
        ),
        "a_stale": CustomerFactory(
            owner=rep, level="A", received_at=days_ago(40), last_followup_at=days_ago(31)
        ),
        "never": CustomerFactory(owner=rep, created_at=days_ago(11)),
        "new_owner": CustomerFactory(owner=rep, received_at=days_ago(2), last_followup_at=days_ago(30)),
        "deal": CustomerFactory(owner=rep, status="deal", received_at=days_ago(90)),
        "locked": CustomerFactory(owner=rep, is_locked=True, received_at=days_ago(90)),
        "not_closed": CustomerFactory(owner=rep, received_at=days_ago(61), last_followup_at=days_ago(1)),
        "south": CustomerFactory(owner=org.other_dept_rep, received_at=days_ago(90)),
    }


def pooled(book) -> set[str]:
    ids = set(Customer.objects.filter(pool__isnull=False).values_list("pk", flat=True))
    return {name for name, customer in book.items() if customer.pk in ids}


def test_reclaim_moves_what_each_rule_makes_due_and_spares_the_exempt(org, pools, book):
    default, east = pools
    plan = PlanFactory(customer=book["stale"])

    summary = pool_reclaim(now=NOW)

    assert summary == {
        east.pk: {"no_followup": 3, "not_closed": 1, "by_owner": {org.rep.pk: 4}},
        default.pk: EMPTY,
    }
    assert pooled(book) == {"stale", "a_stale", "never", "not_closed"}
    stale = Customer.objects.get(pk=book["stale"].pk)
    assert (stale.owner, stale.department, stale.pool, stale.pooled_at) == (None, None, east, NOW)
    reasons = dict(PoolEvent.objects.values_list("customer_id", "reason"))
    assert reasons == {
        book["stale"].pk: "no_followup",
        book["a_stale"].pk: "no_followup",
        book["never"].pk: "no_followup",
        book["not_closed"].pk: "not_closed",
    }
    assert set(PoolEvent.objects.values_list("kind", "from_user_id", "pool_id")) == {
        (PoolEventKind.RECLAIMED, org.rep.pk, east.pk)
    }
    sentences = {a.customer_id: activity_sentence(a) for a in Activity.objects.filter(verb="pool.reclaimed")}
    assert sentences[book["a_stale"].pk] == "returned to the pool 华东公海: no follow-up for 30 days"
    assert sentences[book["not_closed"].pk] == "returned to the pool 华东公海: not closed within 60 days"
    assert list(Notification.objects.values_list("recipient_id", "title")) == [
        (org.rep.pk, "4 of your customers went back to the pool")
    ]
    plan.refresh_from_db()
    assert plan.owner == org.rep  # the plan waits for whoever claims the customer


def test_reclaim_is_idempotent(org, pools, book):
    pool_reclaim(now=NOW)

    second = pool_reclaim(now=NOW)

    assert all(s == EMPTY for s in second.values())
    assert PoolEvent.objects.count() == 4
    assert Notification.objects.count() == 1


def test_a_late_run_moves_everything_that_fell_due_meanwhile_once(org, pools, book):
    pool_reclaim(now=NOW + timedelta(days=100))

    assert pooled(book) == {"stale", "fresh", "a_recent", "a_stale", "never", "new_owner", "not_closed"}
    assert PoolEvent.objects.count() == 7


def test_exemptions_can_be_switched_off(org, pools, book):
    _default, east = pools
    east.exempt_deal = east.exempt_locked = False
    east.save()

    pool_reclaim(now=NOW)

    assert {"deal", "locked"} <= pooled(book)
    assert PoolEvent.objects.get(customer=book["deal"]).reason == "no_followup"


def test_dry_run_counts_what_the_real_run_moves_and_changes_nothing(org, pools, book):
    dry = pool_reclaim(now=NOW, dry_run=True)

    assert pooled(book) == set()
    assert not PoolEvent.objects.exists()
    assert dry == pool_reclaim(now=NOW)


def test_reclaim_of_one_pool(org, pools, book):
    default, _east = pools

    assert pool_reclaim(now=NOW, pool=default) == {default.pk: EMPTY}
    assert pooled(book) == set()


def test_preview_counts_a_rule_change_without_saving_it(org, pools, book):
    _default, east = pools

    preview = pool_preview(pool=east, changes={"no_followup_days": 4, "not_closed_days": None}, now=NOW)

    assert preview == {
        "no_followup": 4,
        "not_closed": 0,
        "by_owner": {org.rep.pk: 4},
    }  # fresh, not_closed too
    east.refresh_from_db()
    assert (east.no_followup_days, east.not_closed_days) == (10, 60)
    assert pooled(book) == set()


def test_members_of_an_earlier_pool_follow_its_rules_only(org, pools, book):
    _default, east = pools
    PoolFactory(name="VIP", position=0, users=[org.rep])  # no rules: the rep's customers stay

    summary = pool_reclaim(now=NOW)

    assert summary[east.pk] == EMPTY
    assert pooled(book) == set()


def test_the_default_pool_reclaims_for_everyone_else(org, pools, book):
    default, _east = pools
    default.not_closed_days = 30
    default.save()

    summary = pool_reclaim(now=NOW)

    assert summary[default.pk] == {"no_followup": 0, "not_closed": 1, "by_owner": {org.other_dept_rep.pk: 1}}
    assert "south" in pooled(book)


def test_the_hourly_task_reclaims(org, pools, book):
    from kehu.pool.tasks import reclaim_neglected_customers

    reclaim_neglected_customers.call_local()

    assert pooled(book) == {"stale", "a_stale", "never", "not_closed"}


def test_a_pool_whose_reclaim_fails_does_not_stop_the_others(org, monkeypatch):
    from kehu.pool import reclaim

    broken = PoolFactory(name="坏的公海", position=1, departments=[org.east], no_followup_days=10)
    fine = PoolFactory(name="好的公海", position=2, departments=[org.south], no_followup_days=10)
    old = timezone.now() - timedelta(days=30)
    east_customer = CustomerFactory(owner=org.rep, received_at=old, last_followup_at=old)
    south_customer = CustomerFactory(owner=org.other_dept_rep, received_at=old, last_followup_at=old)
    real_move = reclaim._move

    def move(pool, *args, **kwargs):
        if pool.pk == broken.pk:
            raise ValueError("a broken rule")
        return real_move(pool, *args, **kwargs)

    monkeypatch.setattr(reclaim, "_move", move)
    summaries = reclaim.pool_reclaim()

    assert broken.pk not in summaries
    assert summaries[fine.pk]["no_followup"] == 1
    assert Customer.objects.get(pk=east_customer.pk).owner == org.rep
    assert Customer.objects.get(pk=south_customer.pk).pool == fine
