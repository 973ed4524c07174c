"""Query counts: a claim and the reclaim job cost the same number of queries however many rows there are."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.tests.factories import PlanFactory
from kehu.org.models import User
from kehu.pool.models import Pool
from kehu.pool.services import customer_claim, pool_reclaim
from kehu.pool.tests.factories import PoolFactory, pooled_customer

NOW = timezone.now()
LIMITS = {
    "claims_per_day": 100,
    "claims_per_batch": 10,
    "reclaim_cooldown_days": 7,
    "claim_wait_hours": 1,
    "max_private_customers": 1000,
}


def claim_queries(user_pk: int, customer_pk: int) -> int:
    actor = User.objects.get(pk=user_pk)
    actor.has_perm("pool.claim_pool_customer")  # the permission cache, loaded once per request
    with CaptureQueriesContext(connection) as ctx:
        customer_claim(actor=actor, customer_id=customer_pk, now=NOW)
    return len(ctx.captured_queries)


def test_a_claim_costs_the_same_queries_with_more_customers_plans_and_history(
    org, django_assert_max_num_queries
):
    pool = PoolFactory(name="华东公海", departments=[org.east], **LIMITS)
    PoolFactory(name="公海", is_default=True)
    first = pooled_customer(pool, pooled_at=NOW - timedelta(days=1))
    ContentType.objects.get_for_model(Customer)  # cached once per process
    small = claim_queries(org.rep.pk, first.pk)

    for _ in range(20):
        CustomerFactory(owner=org.peer_rep)
    second = pooled_customer(pool, pooled_at=NOW - timedelta(days=1))
    for _ in range(5):
        PlanFactory(customer=second, owner=org.east_rep, created_by=org.east_rep)
    large = claim_queries(org.peer_rep.pk, second.pk)

    assert small == large
    assert large <= 14  # one UPDATE each for plans, contracts and draft orders going with the customer


def test_reclaim_costs_the_same_queries_for_5_or_40_due_customers(org):
    PoolFactory(
        name="华东公海", departments=[org.east], no_followup_days=10, level_days={"A": 20}, not_closed_days=30
    )
    PoolFactory(name="公海", is_default=True, no_followup_days=10)

    def run(count: int) -> int:
        for i in range(count):
            CustomerFactory(owner=org.rep, level="A" if i % 2 else "", received_at=NOW - timedelta(days=100))
            CustomerFactory(owner=org.other_dept_rep, received_at=NOW - timedelta(days=100))
        with CaptureQueriesContext(connection) as ctx:
            pool_reclaim(now=NOW)
        return len(ctx.captured_queries)

    assert run(5) == run(40)
    assert Pool.objects.count() == 2


def test_the_pool_customer_list_costs_the_same_queries_for_3_or_15_rows(org):
    from kehu.pool.tests.test_api import api_client

    pool = PoolFactory(name="公海", is_default=True)
    client = api_client(org.rep)
    client.get(f"/api/v1/pools/{pool.pk}/customers")  # the token's first use is recorded once

    def count(rows: int) -> int:
        for _ in range(rows):
            pooled_customer(pool)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/pools/{pool.pk}/customers").status_code == 200
        return len(ctx.captured_queries)

    assert count(3) == count(12)
