"""The demo's pools: the company-wide pool with the issue's rules, one per region, customers in them with
their events, an owned book that the reclaim job leaves alone, and warnings to show."""

from io import StringIO

import pytest
from django.core.management import call_command

from kehu.core.activity import Activity
from kehu.customers.models import Customer
from kehu.org.models import User
from kehu.pool.models import Pool, PoolEvent
from kehu.pool.selectors import pool_warnings
from kehu.pool.services import pool_reclaim


@pytest.mark.django_db
def test_demo_pools_follow_their_rules_and_hold_customers():
    output = StringIO()
    call_command("demo", customers=400, stdout=output)

    company = Pool.objects.get(is_default=True)
    assert (
        company.name,
        company.no_followup_days,
        company.not_closed_days,
        company.warn_days_before,
        company.reclaim_cooldown_days,
        company.max_private_customers,
        company.claims_per_day,
    ) == ("公司公海", 15, 90, 3, 7, 200, 20)
    assert sorted(Pool.objects.filter(is_default=False).values_list("name", flat=True)) == [
        "华东区公海",
        "华北区公海",
        "华南区公海",
    ]
    pooled = Customer.objects.filter(pool__isnull=False)
    assert pooled.filter(pool=company).exists()  # reclaimed
    assert pooled.exclude(pool=company).exists()  # released to a region
    assert not pooled.exclude(owner=None).exists()
    assert PoolEvent.objects.filter(kind="released").exists()
    assert PoolEvent.objects.filter(kind="reclaimed").exists()
    assert (
        Activity.objects.filter(verb="pool.reclaimed").count()
        == PoolEvent.objects.filter(kind="reclaimed").count()
    )
    assert f"{pooled.count():,} customers in the shared pools" in output.getvalue()
    # what the job would do next is already done, and most of the book is still owned
    assert pool_reclaim(dry_run=True)[company.pk]["no_followup"] == 0
    assert pooled.count() < Customer.objects.count() * 0.2
    # reps have customers about to return to the pool
    assert any(pool_warnings(user=rep) for rep in User.objects.filter(username__startswith="rep"))
    # and a product catalogue with a channel price list
    from kehu.sales.products.models import PriceList, Product

    assert Product.objects.count() == 30
    assert f"{Product.objects.count()} products, " in output.getvalue()
    assert PriceList.objects.get().items.count() > 0
