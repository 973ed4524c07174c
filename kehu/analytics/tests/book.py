"""A small book of opportunities moved through the default pipeline by the services at known local times
(Asia/Shanghai), and the funnel computed independently from the raw Opportunity and StageChange rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import time_machine

from kehu.customers.tests.factories import CustomerFactory
from kehu.sales.opportunities.models import Opportunity, Pipeline, Stage, StageChange
from kehu.sales.opportunities.services import (
    opportunity_create,
    opportunity_lose,
    opportunity_move,
    opportunity_win,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = Decimal


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@dataclass
class Deal:
    """Owner, amount, creation time, then (when, a stage name, "won" or "lost:reason:competitor")."""

    key: str
    owner: str
    amount: str
    created: datetime
    moves: tuple[tuple[datetime, str], ...] = ()


DEALS = (
    # first minute of 2026 locally (still 2025 in UTC); skips 方案提供 and 商务谈判 on the way to the win
    Deal(
        "o1",
        "rep",
        "1000.00",
        at(2026, 1, 1, 0, 30),
        (
            (at(2026, 1, 5, 12), "机会建立"),
            (at(2026, 1, 20, 0, 30), "方案评估"),
            (at(2026, 2, 1, 0, 30), "won"),
        ),
    ),
    Deal(
        "o2",
        "rep",
        "500.00",
        at(2026, 3, 10, 9),
        ((at(2026, 3, 12, 9), "机会建立"), (at(2026, 3, 31, 23, 59), "lost:价格太高:用友")),
    ),
    # moved back once: it still reached 方案提供, and its two stays in 机会建立 add up
    Deal(
        "o3",
        "peer_rep",
        "2000.00",
        at(2026, 6, 1, 9),
        (
            (at(2026, 6, 2, 9), "机会建立"),
            (at(2026, 6, 4, 9), "方案提供"),
            (at(2026, 6, 5, 9), "机会建立"),
            (at(2026, 6, 6, 21), "方案评估"),
        ),
    ),
    Deal(
        "o4",
        "other_dept_rep",
        "300.00",
        at(2026, 4, 1, 9),
        ((at(2026, 4, 3, 9), "机会建立"), (at(2026, 4, 10, 9), "lost:价格太高:金蝶")),
    ),
    Deal("o5", "east_rep", "700.00", at(2026, 12, 31, 23, 30)),  # last minute of 2026 locally
    Deal(
        "o6", "rep", "9999.00", at(2025, 12, 31, 23, 59), ((at(2026, 1, 2, 9), "机会建立"),)
    ),  # 2025 locally
    Deal("o7", "rep", "8888.00", at(2027, 1, 1, 0, 0, 30)),  # 2027 locally
    Deal(
        "o8",
        "east_rep",
        "1200.00",
        at(2026, 3, 1, 0, 0, 30),  # first minute of March
        ((at(2026, 3, 20, 9), "商务谈判"), (at(2026, 4, 1, 9), "lost:交付周期长:金蝶")),
    ),
)


def build_book(org) -> dict[str, Opportunity]:
    """The deals, written through the services at their times."""
    stages = {s.name: s for s in Pipeline.objects.get(is_default=True).stages.all()}
    made: dict[str, Opportunity] = {}
    for deal in DEALS:
        owner = getattr(org, deal.owner)
        customer = CustomerFactory(owner=owner)
        with time_machine.travel(deal.created, tick=False):
            opportunity = opportunity_create(
                actor=owner, customer=customer, data={"title": f"{deal.key} 项目", "amount": D(deal.amount)}
            )
        for when, target in deal.moves:
            with time_machine.travel(when, tick=False):
                opportunity.refresh_from_db()
                if target == "won":
                    opportunity_win(actor=owner, opportunity=opportunity, reason="方案领先", summary="好")
                elif target.startswith("lost:"):
                    _, reason, competitor = target.split(":")
                    opportunity_lose(
                        actor=owner,
                        opportunity=opportunity,
                        reason=reason,
                        competitor=competitor,
                        summary="复盘",
                    )
                else:
                    opportunity_move(actor=owner, opportunity=opportunity, stage=stages[target])
        made[deal.key] = opportunity
    return made


def local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def expected(ids: set[int], start: date, end: date) -> dict:
    """The funnel from the raw rows, by a different route than the selector's SQL: for each stage, each
    opportunity of the cohort is asked whether its history holds a move into this or a later funnel stage."""
    pipeline = Pipeline.objects.get(is_default=True)
    funnel_stages = [
        s for s in Stage.objects.filter(pipeline=pipeline).order_by("position", "id") if not s.is_lost
    ]
    order = [s.pk for s in funnel_stages]
    cohort = [
        o
        for o in Opportunity.objects.filter(pk__in=ids).values(
            "id", "amount", "created_at", "status", "close_reason", "winning_competitor"
        )
        if start <= local_day(o["created_at"]) <= end
    ]
    history = list(
        StageChange.objects.values("opportunity_id", "from_stage_id", "to_stage_id", "days_in_from_stage")
    )
    cohort_ids = {o["id"] for o in cohort}
    into = {o["id"]: {h["to_stage_id"] for h in history if h["opportunity_id"] == o["id"]} for o in cohort}
    rows = []
    for i, stage in enumerate(funnel_stages):
        later = set(order[i:])
        reached = [o for o in cohort if into[o["id"]] & later]
        stays: dict[int, Decimal] = {}
        for h in history:
            if h["opportunity_id"] in cohort_ids and h["from_stage_id"] == stage.pk:
                stays[h["opportunity_id"]] = stays.get(h["opportunity_id"], D(0)) + h["days_in_from_stage"]
        avg = (sum(stays.values()) / len(stays)).quantize(D("0.01"), ROUND_HALF_UP) if stays else None
        rows.append(
            {
                "stage": stage.name,
                "reached": len(reached),
                "amount": sum((o["amount"] for o in reached), D("0.00")),
                "avg_days": avg,
            }
        )
    for i, row in enumerate(rows):
        following = rows[i + 1]["reached"] if i + 1 < len(rows) else None
        row["conversion_rate"] = (
            None
            if following is None or not row["reached"]
            else (D(following) * 100 / row["reached"]).quantize(D("0.01"), ROUND_HALF_UP)
        )
    lost = [o for o in cohort if o["status"] == "lost"]
    reasons: dict[str, list] = {}
    competitors: dict[str, list] = {}
    for o in lost:
        for groups, key in ((reasons, o["close_reason"]), (competitors, o["winning_competitor"])):
            figures = groups.setdefault(key, [0, D("0.00")])
            figures[0] += 1
            figures[1] += o["amount"]
    return {"created": len(cohort), "stages": rows, "reasons": reasons, "competitors": competitors}


def seconds_days(start: datetime, end: datetime) -> Decimal:
    return (D((end - start) / timedelta(seconds=1)) / 86400).quantize(D("0.01"), ROUND_HALF_UP)
