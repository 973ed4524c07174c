"""Follow-ups and next-contact plans for the benchmark's customers, written with the customers.

Each customer's contact history ends at a "last follow-up" whose age is spread like a real book's: a rep
calls the customers that matter often and lets others slide, so the ages follow an exponential curve
(mean 30 days) and about 5 % of the open customers are past a 90-day no-follow-up rule. Deal customers
were all contacted within two months. Customers received in the last weeks may have no follow-up yet.
About a third of the open customers (potential, intent) have one open plan, due between a week ago and
three weeks ahead, made by their last follow-up. Every follow-up has its timeline entry, as
`followup_record` writes it. The customer's `received_at`, `last_followup_at` and `next_followup_at`
come out as the services keep them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

DAY = 86400
MEAN_AGE_DAYS = 30  # of the last follow-up of an open customer
FOLLOWUPS_PER_CUSTOMER = [0.04, 0.16, 0.20, 0.18, 0.14, 0.10, 0.07, 0.05, 0.03, 0.02, 0.01]  # mean ≈ 3.6
PLAN_SHARE = 0.35  # of the open customers that have a plan
DELETED_SHARE = 0.005


class FollowUpGenerator:
    def __init__(self, base, seed: int) -> None:  # base: bench.generate.Generator
        from django.contrib.contenttypes.models import ContentType

        from bench.generate import Table, _cum
        from kehu.followups.models import FollowUp, FollowUpPlan
        from kehu.followups.services import EXCERPT_LENGTH
        from kehu.sampledata.followups import CONTENTS, METHOD_WEIGHTS, NEXT_ACTIONS

        self.base, self.now, self.ts = base, base.now, base.ts
        # A stream of its own: the customers come out the same with or without follow-ups.
        self.rng = random.Random(seed * 41 + 3)
        self.followups = Table(
            FollowUp,
            ["id", "customer_id", "contact_id", "method", "content", "occurred_at", "created_by_id",
             "created_at", "deleted_at"],
        )  # fmt: skip
        self.plans = Table(
            FollowUpPlan,
            ["id", "customer_id", "owner_id", "due_at", "action", "status", "source_id", "created_by_id",
             "created_at"],
        )  # fmt: skip
        self.followup_type = ContentType.objects.get_for_model(FollowUp).pk
        self.next_followup = self.followups.next_id()
        self.next_plan = self.plans.next_id()
        self.methods = [str(m) for m in METHOD_WEIGHTS]
        self.method_cum = _cum(METHOD_WEIGHTS.values())
        self.contents = {str(m): texts for m, texts in CONTENTS.items()}
        self.actions = [a for a in NEXT_ACTIONS if a]
        self.count_cum = _cum(FOLLOWUPS_PER_CUSTOMER)
        self.excerpt = EXCERPT_LENGTH
        self.pending_followups: list[tuple] = []
        self.pending_plans: list[tuple] = []

    def customer(
        self,
        cid: int,
        owner: int,
        status: str,
        received_at: float,
        deleted_at: float | None,
        contact_ids: Sequence[int],
        *,
        may_plan: bool = True,
    ) -> tuple[float | None, float | None, list[tuple]]:
        """Write one customer's follow-ups and plan; return (last follow-up, next due, activity rows)."""
        from bench.generate import _weighted

        rng, now = self.rng, self.now
        end = deleted_at or now
        if status == "deal":
            last = end - rng.uniform(0, 60) * DAY
        else:
            last = end - rng.expovariate(1 / MEAN_AGE_DAYS) * DAY
        count = _weighted(rng, self.count_cum)
        if last < received_at:  # received after that: the new owner has called, or not yet
            if end - received_at < 30 * DAY and rng.random() < 0.5:
                count = 0
            last = rng.uniform(received_at, end)
        if count == 0:
            return None, None, []
        times = sorted([last] + [rng.uniform(received_at, last) for _ in range(count - 1)])
        activities = []
        for when in times:
            method = self.methods[_weighted(rng, self.method_cum)]
            content = rng.choice(self.contents[method])
            contact = rng.choice(contact_ids) if contact_ids and rng.random() < 0.8 else None
            gone = when + rng.uniform(0, 3) * DAY if when != last and rng.random() < DELETED_SHARE else None
            stamp = self.ts(when)
            self.pending_followups.append(
                (self.next_followup, cid, contact, method, content, stamp, owner, stamp,
                 self.ts(gone) if gone and gone < end else None)
            )  # fmt: skip
            activities.append(
                (self.base.next_activity, stamp, owner, "followup.recorded", self.followup_type,
                 self.next_followup,
                 json.dumps({"method": method, "excerpt": content[: self.excerpt], "contact": "",
                             "plans_done": 0, "next_at": None}),
                 cid)
            )  # fmt: skip
            self.base.next_activity += 1
            self.next_followup += 1
        due = None
        if (
            may_plan
            and deleted_at is None
            and status in ("potential", "intent")
            and rng.random() < PLAN_SHARE
        ):
            due = max(now + rng.uniform(-7, 21) * DAY, last + 3600)
            due -= due % 900  # on the quarter hour, as people plan
            self.pending_plans.append(
                (self.next_plan, cid, owner, self.ts(due), rng.choice(self.actions), "open",
                 self.next_followup - 1, owner, self.ts(last))
            )  # fmt: skip
            self.next_plan += 1
        return last, due, activities

    def flush(self) -> None:
        self.followups.write(self.pending_followups)
        self.plans.write(self.pending_plans)
        self.pending_followups, self.pending_plans = [], []
