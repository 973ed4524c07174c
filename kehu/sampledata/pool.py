"""Demo pools: the company-wide pool every rep and manager may claim from, with the rules the issue names
(15 days without follow-up, 90 days not closed, 3 days' warning, 7 days' cooldown, 200 private customers per
rep, 20 claims a day), and a pool per region, administered by the region's manager.

The book is made to look as it would under those rules: an open customer that its owner has had for more
than 90 days would be back in the pool already, so most owners received theirs again within the last
quarter (claimed back, or handed over); a few are near the 90 days, to warn about. A few reps released
customers to their region's pool, and the reclaim job then runs once, as it would have, sending the
customers nobody called in 15 days to the company-wide pool. Everything goes through the pool services,
so the events and timeline entries are the real ones.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from kehu.customers.choices import CustomerStatus
from kehu.customers.models import Customer
from kehu.org.models import Department, User
from kehu.pool.models import Pool
from kehu.pool.services import customer_release, pool_reclaim, pool_save

COMPANY_RULES = {
    "no_followup_days": 15,
    "not_closed_days": 90,
    "warn_days_before": 3,
    "reclaim_cooldown_days": 7,
    "max_private_customers": 200,
    "max_locked_customers": 10,
    "claims_per_day": 20,
    "claims_per_batch": 10,
}
REGIONS = {"华东区": "east", "华南区": "south", "华北区": "north"}
RELEASE_REASONS = [
    "客户暂无采购计划",
    "联系人已离职，联系不上",
    "客户不在我负责的区域",
    "客户已选择其他供应商",
]
RELEASES_PER_REP = 2


def demo_pools(*, rng: random.Random, users: dict[str, User], departments: dict[str, Department]) -> int:
    """Create the pools, shape the book to their rules and run the reclaim once; returns how many
    customers are in pools."""
    admin = users["admin"]
    pool_save(
        actor=admin,
        data={
            "name": "公司公海",
            "position": 0,
            "is_default": True,
            **COMPANY_RULES,
            "departments": [departments["销售部"].pk],
            "admins": [users["manager"].pk],
        },
    )
    regional = {}
    for position, (region, head) in enumerate(REGIONS.items(), start=1):
        regional[region] = pool_save(
            actor=admin,
            data={
                "name": f"{region}公海",
                "position": position,
                "is_default": False,
                "reclaim_cooldown_days": 7,
                "max_private_customers": 200,
                "max_locked_customers": 10,
                "claims_per_day": 20,
                "claims_per_batch": 10,
                "departments": [departments[region].pk],
                "admins": [users[head].pk],
            },
        )
    _received_lately(rng)
    _release_some(rng, users, regional)
    pool_reclaim()
    return Customer.objects.alive().filter(pool__isnull=False).count()


def _received_lately(rng: random.Random) -> None:
    """Open customers held for more than 90 days were taken back since (within the last 85 days); one in
    twenty is 87-89 days into it and shows up as a warning."""
    now = timezone.now()
    held_long = (
        Customer.objects.alive()
        .filter(owner__isnull=False, received_at__lt=now - timedelta(days=85))
        .exclude(status=CustomerStatus.DEAL)
    )
    changed = []
    for customer in held_long.only("pk", "received_at", "last_followup_at"):
        days = rng.uniform(87.2, 89.8) if rng.random() < 0.05 else rng.uniform(1, 85)
        customer.received_at = now - timedelta(days=days)
        changed.append(customer)
    Customer.objects.bulk_update(changed, ["received_at"], batch_size=500)


def _release_some(rng: random.Random, users: dict[str, User], regional: dict[str, Pool]) -> None:
    """Each rep gave up a couple of open customers to their region's pool, with a reason."""
    paths = {pool: pool.departments.get().path for pool in regional.values()}
    reps = sorted((u for u in users.values() if u.username.startswith("rep")), key=lambda u: u.pk)
    for rep in reps:
        path = rep.department.path if rep.department else ""
        pool = next((p for p, prefix in paths.items() if path.startswith(prefix)), None)
        if pool is None:
            continue
        candidates = list(
            Customer.objects.alive()
            .filter(owner=rep, status=CustomerStatus.POTENTIAL)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in rng.sample(candidates, min(RELEASES_PER_REP, len(candidates))):
            reason = rng.choice(RELEASE_REASONS)
            customer_release(actor=rep, customer_ids=[pk], reason=reason, pool=pool)
