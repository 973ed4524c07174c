"""Pool reads: warnings of customers about to be reclaimed (window edges), pool lists, pool customers."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from kehu.customers.tests.factories import CustomerFactory
from kehu.pool.models import Pool, PoolRule
from kehu.pool.selectors import (
    customer_get_or_pooled,
    pool_customers,
    pool_events,
    pool_list,
    pool_warnings,
    pool_warnings_top,
)
from kehu.pool.services import customer_release
from kehu.pool.tests.factories import PoolFactory, pooled_customer

NOW = timezone.now()


def days_ago(n: float):
    return NOW - timedelta(days=n)


@pytest.fixture
def pools(org):
    default = PoolFactory(name="公海", is_default=True, position=10)
    east = PoolFactory(
        name="华东公海",
        position=1,
        departments=[org.east],
        admins=[org.team_lead],
        no_followup_days=10,
        not_closed_days=60,
        warn_days_before=3,
    )
    return default, east


def test_warnings_list_customers_due_within_the_warning_days_soonest_first(
    org, pools, django_assert_max_num_queries
):
    _default, east = pools
    rep = org.rep
    in_two_days = CustomerFactory(owner=rep, received_at=days_ago(30), last_followup_at=days_ago(8))
    edge = CustomerFactory(owner=rep, received_at=days_ago(30), last_followup_at=days_ago(7))
    CustomerFactory(owner=rep, received_at=days_ago(30), last_followup_at=days_ago(7) + timedelta(seconds=1))
    overdue = CustomerFactory(owner=rep, received_at=days_ago(30), last_followup_at=days_ago(12))
    closing = CustomerFactory(owner=rep, received_at=days_ago(59), last_followup_at=days_ago(1))
    CustomerFactory(owner=rep, status="deal", received_at=days_ago(90))
    CustomerFactory(owner=org.peer_rep, received_at=days_ago(30), last_followup_at=days_ago(9))

    with django_assert_max_num_queries(3):
        warnings = pool_warnings(user=rep, now=NOW)

    assert [(w.customer, w.pool, w.rule, w.due_at) for w in warnings] == [
        (overdue, east, PoolRule.NO_FOLLOWUP, NOW - timedelta(days=2)),
        (closing, east, PoolRule.NOT_CLOSED, NOW + timedelta(days=1)),
        (in_two_days, east, PoolRule.NO_FOLLOWUP, NOW + timedelta(days=2)),
        (edge, east, PoolRule.NO_FOLLOWUP, NOW + timedelta(days=3)),
    ]
    assert len(warnings) == 4


def test_the_first_warnings_and_how_many_there_are(org, pools, django_assert_max_num_queries):
    soonest = [
        CustomerFactory(owner=org.rep, received_at=days_ago(30), last_followup_at=days_ago(20 - n))
        for n in range(5)
    ]

    with django_assert_max_num_queries(3):
        first, total = pool_warnings_top(user=org.rep, now=NOW, limit=2)

    assert ([w.customer for w in first], total) == (soonest[:2], 5)
    assert pool_warnings_top(user=org.rep, now=NOW) == (pool_warnings(user=org.rep, now=NOW), 5)


def test_no_warnings_without_warning_days(org, pools):
    _default, _east = pools
    CustomerFactory(owner=org.other_dept_rep, received_at=days_ago(300))

    assert pool_warnings(user=org.other_dept_rep, now=NOW) == []


def test_pool_list_shows_members_admins_and_the_default(org, pools):
    default, east = pools
    vip = PoolFactory(name="VIP", position=5, users=[org.other_dept_rep])

    assert list(pool_list(user=org.rep)) == [east, default]
    assert list(pool_list(user=org.other_dept_rep)) == [vip, default]
    assert list(pool_list(user=org.team_lead)) == [east, default]
    assert list(pool_list(user=org.admin)) == [east, vip, default]


def test_pool_customers_filters_and_needs_membership(org, pools):
    _default, east = pools
    old = pooled_customer(east, name="老客户", level="A", pooled_at=days_ago(30))
    new = pooled_customer(east, name="新客户", pooled_at=days_ago(1))
    released = CustomerFactory(owner=org.rep, name="放弃客户")
    customer_release(actor=org.rep, customer_ids=[released.pk], reason="预算取消", pool=east, now=NOW)

    assert list(pool_customers(user=org.rep, pool=east)) == [released, new, old]
    assert list(pool_customers(user=org.rep, pool=east, filters={"level": "A"})) == [old]
    assert list(pool_customers(user=org.rep, pool=east, filters={"pooled_before": days_ago(7)})) == [old]
    assert list(pool_customers(user=org.rep, pool=east, filters={"entry": "released", "rule": "预算"})) == [
        released
    ]
    assert pool_customers(user=org.rep, pool=east).get(pk=released.pk).entry_reason == "预算取消"
    with pytest.raises(Http404):
        pool_customers(user=org.other_dept_rep, pool=east)
    assert [e.kind for e in pool_events(customer=released)] == ["released"]


def test_managers_see_the_pools_of_their_teams_directors_see_all(org, pools):
    default, east = pools
    south = PoolFactory(name="华南公海", position=2, departments=[org.south])

    assert list(pool_list(user=org.dept_manager)) == [east, south, default]
    assert list(pool_list(user=org.team_lead)) == [east, default]
    assert list(pool_list(user=org.director)) == [east, south, default]
    assert list(pool_list(user=org.east_rep)) == [east, default]


def test_a_level_the_no_followup_rule_leaves_out_warns_under_the_other_rule(org, pools):
    _default, east = pools
    Pool.objects.filter(pk=east.pk).update(
        no_followup_days=None, level_days={"A": 30}, not_closed_days=60, warn_days_before=3
    )
    level_d = CustomerFactory(
        owner=org.rep, level="D", received_at=days_ago(58), last_followup_at=days_ago(40)
    )

    [warning] = pool_warnings(user=org.rep, now=NOW)

    assert (warning.customer, warning.rule, warning.due_at) == (
        level_d,
        PoolRule.NOT_CLOSED,
        NOW + timedelta(days=2),
    )


def test_staff_who_may_not_claim_do_not_see_the_company_wide_pool(org, pools):
    default, _east = pools
    pooled = pooled_customer(default, name="公海里的客户")

    assert default not in pool_list(user=org.outsider)
    assert default in pool_list(user=org.rep)
    with pytest.raises(Http404):
        customer_get_or_pooled(user=org.outsider, pk=pooled.pk)
    assert customer_get_or_pooled(user=org.rep, pk=pooled.pk) == (pooled, False)
