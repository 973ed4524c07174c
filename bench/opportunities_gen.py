"""Opportunities for the benchmark's customers, written with the customers.

About half as many opportunities as customers (M: ≈ 50,000), for owned, living customers only (not the
pooled ones), by the customer's owner, in the default pipeline, spread as the demo spreads them
(`kehu.sampledata.opportunities`): most open and in the early stages (about one in five idle longer than
its stage's usual days), about 15 % won and 15 % lost with a review, a few suspended or terminated;
amounts lognormal around ¥150k (mostly ¥50k–¥500k); expected close dates over the next months, some
overdue. Each has its StageChange rows (first one entering the pipeline; each later one with the days
spent in the stage it left; the last one is the current stage, at `stage_entered_at`) and its timeline
entries (created, moved, won, lost, suspended, terminated), as the services write them. The weighted
amount is `amount × probability / 100` to the cent. About 5 % have a team: one or two colleagues of the
owner's department (presales, manager or member; some may edit), each with its `opportunity.member_added`
entry; they see the opportunity through the team (drawn from a stream of their own, so the opportunities
are the same with or without them). Their quotes come from `bench.quotes_gen.QuoteGenerator` (`quotes`).
"""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

DAY = 86400
OPPORTUNITIES_PER_CUSTOMER = [0.58, 0.30, 0.12]  # mean 0.54 over the owned, living customers
CENT = Decimal("0.01")
TEAM_SHARE = 0.05  # opportunities with a team
TEAM_SIZES = [0.0, 0.7, 0.3]  # one or two colleagues
MEMBER_ROLES = [("member", 0.6), ("presales", 0.3), ("manager", 0.1)]


class OpportunityGenerator:
    def __init__(self, base, seed: int) -> None:  # base: bench.generate.Generator
        from django.contrib.contenttypes.models import ContentType

        from bench.generate import Table, _cum
        from kehu.customers.choices import CustomerSource
        from kehu.sales.opportunities.models import Opportunity, OpportunityMember, StageChange
        from kehu.sales.opportunities.services import pipeline_default
        from kehu.sampledata import opportunities as demo

        self.base, self.now, self.ts, self.demo = base, base.now, base.ts, demo
        # A stream of its own: the customers come out the same with or without opportunities.
        self.rng = random.Random(seed * 53 + 7)
        self.opportunities = Table(
            Opportunity,
            ["id", "created_at", "updated_at", "owner_id", "department_id", "deleted_at", "title",
             "customer_id", "pipeline_id", "stage_id", "status", "amount", "currency", "probability",
             "probability_overridden", "weighted_amount", "expected_close_date", "source", "campaign",
             "sales_method", "competitors", "description", "stage_entered_at", "closed_at", "close_reason",
             "winning_competitor", "review_summary"],
        )  # fmt: skip
        self.changes = Table(
            StageChange,
            ["id", "opportunity_id", "from_stage_id", "to_stage_id", "from_stage_name", "to_stage_name",
             "moved_at", "actor_id", "days_in_from_stage"],
        )  # fmt: skip
        self.members = Table(
            OpportunityMember, ["id", "opportunity_id", "user_id", "role", "can_edit", "created_at"]
        )
        self.opportunity_type = ContentType.objects.get_for_model(Opportunity).pk
        self.next_opportunity = self.opportunities.next_id()
        self.next_change = self.changes.next_id()
        self.next_member = self.members.next_id()
        # The teams come from a stream of their own: the opportunities stay the same with or without them.
        self.team_rng = random.Random(seed * 59 + 11)
        self.team_size_cum = _cum(TEAM_SIZES)
        self.role_cum = _cum([w for _role, w in MEMBER_ROLES])
        self.colleagues: dict[int, list[int]] = {}
        for user in base.org.owners:
            self.colleagues.setdefault(base.org.owner_department[user], []).append(user)
        self.pipeline = pipeline_default()
        stages = list(self.pipeline.stages.order_by("position", "id"))
        self.open_stages = [s for s in stages if not s.is_outcome]
        self.won_stages = [s for s in stages if s.is_won]
        self.lost_stage = next(s for s in stages if s.is_lost)
        self.count_cum = _cum(OPPORTUNITIES_PER_CUSTOMER)
        self.outcome_cum = _cum(demo.OUTCOME_WEIGHTS)
        self.open_cum = _cum(demo.OPEN_STAGE_WEIGHTS)
        self.lost_cum = _cum(demo.LOST_STAGE_WEIGHTS)
        self.sources = ["", *(s.value for s in CustomerSource)]
        self.pending: list[tuple] = []
        self.pending_changes: list[tuple] = []
        self.pending_members: list[tuple] = []
        self.quotes = None  # a bench.quotes_gen.QuoteGenerator: the opportunities' quotes

    def _stay(self, stage) -> float:
        usual = stage.usual_days or 14
        return min(usual * self.rng.lognormvariate(-0.3, 0.5), usual * 3) * DAY

    def _path(self, status: str) -> tuple[list, float]:
        from bench.generate import _weighted

        rng, stages = self.rng, self.open_stages
        if status == "won":
            path = [*stages, self.won_stages[0]]
            if len(self.won_stages) > 1 and rng.random() < 0.35:
                path.append(self.won_stages[1])
            return path, rng.uniform(1, 300) * DAY
        if status == "lost":
            last = min(_weighted(rng, self.lost_cum), len(stages) - 1)
            return [*stages[: last + 1], self.lost_stage], rng.uniform(1, 300) * DAY
        last = min(_weighted(rng, self.open_cum), len(stages) - 1)
        usual = stages[last].usual_days or 14
        age = usual * (rng.uniform(0.02, 0.95) if rng.random() < 0.8 else rng.uniform(1.05, 2.5))
        if status != "open":
            age += rng.uniform(5, 60)
        return stages[: last + 1], age * DAY

    def team(
        self, oid: int, title: str, owner: int, department: int | None, start: float, end: float
    ) -> list[tuple]:
        """Colleagues of the owner's department on about TEAM_SHARE of the opportunities, added by the owner
        between `start` and `end`; returns their timeline events."""
        from bench.generate import _weighted

        rng = self.team_rng
        if rng.random() >= TEAM_SHARE:
            return []
        others = [u for u in self.colleagues.get(department, []) if u != owner]
        chosen = rng.sample(others, min(_weighted(rng, self.team_size_cum), len(others)))
        events = []
        for user in chosen:
            role = MEMBER_ROLES[_weighted(rng, self.role_cum)][0]
            can_edit = rng.random() < 0.3
            when = start + (end - start) * rng.uniform(0.0, 0.5)
            self.pending_members.append((self.next_member, oid, user, role, can_edit, self.ts(when)))
            self.next_member += 1
            data = {
                "title": title,
                "user": self.base.org.owner_name[user],
                "role": role,
                "can_edit": can_edit,
            }
            events.append((when, "opportunity.member_added", data))
        return events

    def customer(
        self, cid: int, name: str, owner: int, department: int | None, received_at: float
    ) -> list[tuple]:
        """Write one owned, living customer's opportunities; return their activity rows."""
        from bench.generate import _weighted

        rng, demo, activities = self.rng, self.demo, []
        for _ in range(_weighted(rng, self.count_cum)):
            oid = self.next_opportunity
            self.next_opportunity += 1
            status = ["open", "won", "lost", "suspended", "terminated"][_weighted(rng, self.outcome_cum)]
            path, since_last = self._path(status)
            stays = [self._stay(stage) for stage in path[:-1]]
            if status == "won" and len(path) > len(self.open_stages) + 1:
                stays[-1] = rng.uniform(3, 30) * DAY
            total = sum(stays) + since_last
            room = (self.now - received_at) * 0.95
            if total > room:
                factor = max(room, 60) / total
                stays, since_last = [s * factor for s in stays], since_last * factor
            at = self.now - since_last - sum(stays)
            moves = []
            for stage, stay in zip(path, [*stays, 0.0], strict=True):
                moves.append((stage, at))
                at += stay
            final, entered = moves[-1]
            created = moves[0][0], moves[0][1]
            amount = Decimal(round(min(max(rng.lognormvariate(math.log(150_000), 0.75), 8_000), 5e6), -2))
            amount = amount.quantize(CENT)
            overridden = status == "open" and rng.random() < 0.1
            probability = final.probability
            if overridden:
                probability = min(max(probability + rng.choice([-10, -5, 5, 10]), Decimal(5)), Decimal(95))
            weighted = (amount * probability / 100).quantize(CENT, rounding=ROUND_HALF_UP)
            title = f"{name} {rng.choice(demo.TOPICS)}"[:200]
            events = [(created[1], "opportunity.created",
                       {"title": title, "stage": created[0].name, "amount": f"{amount:.2f}"})]  # fmt: skip
            closed_at, reason, competitor, summary = None, "", "", ""
            previous = None
            for stage, moved in moves:
                days = None
                if previous is not None:
                    days = (Decimal(moved - previous[1]) / DAY).quantize(CENT, rounding=ROUND_HALF_UP)
                self.pending_changes.append(
                    (self.next_change, oid, previous[0].pk if previous else None, stage.pk,
                     previous[0].name if previous else "", stage.name, self.ts(moved), owner,
                     str(days) if days is not None else None)
                )  # fmt: skip
                self.next_change += 1
                if previous is not None:
                    if stage.is_outcome and not previous[0].is_outcome:
                        closed_at = moved
                        if stage.is_won:
                            reason, summary = rng.choice(demo.WIN_REASONS), rng.choice(demo.WIN_SUMMARIES)
                            competitor = rng.choice(["", *demo.COMPETITORS])
                        else:
                            reason, summary = rng.choice(demo.LOSS_REASONS), rng.choice(demo.LOSS_SUMMARIES)
                            competitor = rng.choice(demo.COMPETITORS)
                        data = {"title": title, "from": previous[0].name, "to": stage.name,
                                "amount": f"{amount:.2f}", "reason": reason,
                                "competitor": competitor}  # fmt: skip
                        events.append(
                            (moved, "opportunity.won" if stage.is_won else "opportunity.lost", data)
                        )
                    else:
                        data = {"title": title, "from": previous[0].name, "to": stage.name, "days": str(days)}
                        events.append((moved, "opportunity.stage_changed", data))
                previous = (stage, moved)
            if status in ("suspended", "terminated"):
                when = entered + (self.now - entered) * rng.uniform(0.3, 0.9)
                if status == "suspended":
                    data = {"title": title, "reason": rng.choice(demo.SUSPEND_REASONS)}
                    events.append((when, "opportunity.suspended", data))
                else:
                    closed_at, reason = when, rng.choice(demo.TERMINATE_REASONS)
                    events.append((when, "opportunity.terminated", {"title": title, "reason": reason}))
            today = datetime.fromtimestamp(self.now, UTC).date().toordinal()
            if closed_at is not None and status != "terminated":
                close = datetime.fromtimestamp(closed_at, UTC).date().toordinal() + rng.randint(-20, 10)
            elif rng.random() < 0.12:
                close = today - rng.randint(1, 45)
            else:
                close = today + int(rng.triangular(3, 180, 45))
            updated = max(when for when, _verb, _data in events)
            events += self.team(oid, title, owner, department, created[1], closed_at or self.now)
            competitors = "、".join(rng.sample(demo.COMPETITORS, rng.randint(0, 3)))
            self.pending.append(
                (oid, self.ts(created[1]), self.ts(updated), owner, department, None, title, cid,
                 self.pipeline.pk, final.pk, status, str(amount), "CNY", str(probability), overridden,
                 str(weighted), datetime.fromordinal(close).date().isoformat(), rng.choice(self.sources),
                 "", rng.choice(demo.SALES_METHODS), competitors,
                 "", self.ts(entered), self.ts(closed_at) if closed_at else None, reason, competitor, summary)
            )  # fmt: skip
            for when, verb, data in events:
                activities.append(
                    (self.base.next_activity, self.ts(when), owner, verb, self.opportunity_type, oid,
                     json.dumps(data, ensure_ascii=False), cid)
                )  # fmt: skip
                self.base.next_activity += 1
            if self.quotes is not None:
                activities += self.quotes.opportunity(
                    oid, cid, title, amount, status, final.position, created[1], closed_at, owner
                )
        return activities

    def flush(self) -> None:
        self.opportunities.write(self.pending)
        self.changes.write(self.pending_changes)
        self.members.write(self.pending_members)
        self.pending, self.pending_changes, self.pending_members = [], [], []
        if self.quotes is not None:
            self.quotes.flush()
