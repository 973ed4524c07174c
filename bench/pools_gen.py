"""Shared pools for the benchmark: one per region (its members: the region's department subtree, its admin:
the region's manager) and the company-wide default, and about 6 % of the open customers already in them.

The region pools take a customer back after 90 days without a follow-up (180 for level A, 120 for B), warn
7 days ahead, and let a rep claim 50 a day, 20 at once, not what they lost in the last 30 days. A pooled
customer came there by the reclaim job (seven in ten, after its last follow-up plus the rule's days) or
was released by its owner with a reason; either way it has its pool event and timeline entry, no owner,
department or received-at, and keeps its history.
"""

from __future__ import annotations

import json
import random

DAY = 86400
POOLED_SHARE = 0.06
RULE_DAYS = 90
LEVEL_DAYS = {"A": 180, "B": 120}
RELEASE_REASONS = ["客户暂无需求", "联系不上", "不在负责区域", "客户已选择其他供应商", "精力有限，释放给同事"]


class PoolGenerator:
    def __init__(self, base, seed: int) -> None:  # base: bench.generate.Generator
        from bench.generate import Table
        from kehu.org.models import Department
        from kehu.pool.models import Pool, PoolEvent

        self.base, self.now, self.ts = base, base.now, base.ts
        self.rng = random.Random(seed * 43 + 5)  # its own stream: the customers stay the same
        self.events = Table(
            PoolEvent,
            ["id", "customer_id", "pool_id", "kind", "actor_id", "from_user_id", "reason", "created_at"],
        )
        self.next_event = self.events.next_id()
        self.pending: list[tuple] = []
        company = Department.objects.get(parent=None)
        regions = list(Department.objects.filter(parent=company).order_by("sort_order", "pk"))
        self.default = Pool.objects.create(name="公司公海", position=100, is_default=True, claims_per_day=50)
        self.region_pools: dict[int, Pool] = {}
        for r, region in enumerate(regions):
            pool = Pool.objects.create(
                name=f"{region.name}公海",
                position=r + 1,
                no_followup_days=RULE_DAYS,
                level_days=LEVEL_DAYS,
                warn_days_before=7,
                claims_per_day=50,
                claims_per_batch=20,
                reclaim_cooldown_days=30,
            )
            pool.departments.add(region)
            if region.manager_id:
                pool.admins.add(region.manager_id)
            self.region_pools[r] = pool

    def pool_of(self, owner: int) -> object:
        """The owner's home pool: their region's, or the default for people above the regions."""
        org = self.base.org
        department = org.owner_department[owner]
        return (
            self.region_pools.get(org.department_region[department])
            if department in org.department_region
            else None
        )

    def chooses(self, status: str, deleted_at: float | None) -> bool:
        """Whether the customer ends up in a pool (decided before its follow-ups: then it has no plan)."""
        return deleted_at is None and status != "deal" and self.rng.random() < POOLED_SHARE

    def place(
        self, cid: int, owner: int, level: str, last: float | None, start: float
    ) -> tuple[int, float, tuple]:
        """Put the customer in its owner's home pool: (pool id, pooled at, timeline row)."""
        rng, now = self.rng, self.now
        pool = self.pool_of(owner) or self.default
        anchor = max(last or start, start)
        due = anchor + LEVEL_DAYS.get(level, RULE_DAYS) * DAY
        if rng.random() < 0.7 and due < now:
            when = due + rng.uniform(0, 3600)  # the hourly reclaim job
            kind, reason, actor = "reclaimed", "no_followup", None
            verb = "pool.reclaimed"
            data = {"pool": pool.name, "rule": "no_followup", "days": LEVEL_DAYS.get(level, RULE_DAYS)}
        else:
            when = rng.uniform(anchor, now)
            kind, reason, actor = "released", rng.choice(RELEASE_REASONS), owner
            verb = "pool.released"
            data = {"pool": pool.name, "reason": reason}
        stamp = self.ts(when)
        self.pending.append((self.next_event, cid, pool.pk, kind, actor, owner, reason, stamp))
        self.next_event += 1
        base = self.base
        activity = (base.next_activity, stamp, actor, verb, base.customer_type, cid, json.dumps(data), cid)
        base.next_activity += 1
        return pool.pk, when, activity

    def flush(self) -> None:
        self.events.write(self.pending)
        self.pending = []
