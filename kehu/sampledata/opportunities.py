"""Demo opportunities: about 300 deals of the owned customers (not the pooled ones), spread over the default
pipeline as a real book looks: most in the early stages, about 15 % won and 15 % lost (each with a review),
a few suspended or terminated; amounts lognormal around ¥50k–¥500k (some priced from product lines);
expected close dates over the coming months, some overdue.

Written in bulk, as the services would have written them: the owner's department, the probability of the
stage (a few set by hand), weighted_amount = amount × probability / 100 to the cent, a StageChange row per
move with the days spent in the stage it left, and the customer-timeline activities (created, moved, won,
lost, suspended, terminated) at the times they happened.
"""

from __future__ import annotations

import importlib
import itertools
import math
import random
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kehu.core.activity import Activity
from kehu.core.money import CENT
from kehu.customers.choices import CustomerSource
from kehu.customers.models import Contact, Customer
from kehu.org.models import User
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import (
    Opportunity,
    OpportunityLine,
    Pipeline,
    Stage,
    StageChange,
    weighted_amount,
)
from kehu.sales.opportunities.services import pipeline_default
from kehu.sales.products.models import Product

TARGET = 300
# what happened to a deal: open, won, lost, suspended, terminated
OUTCOMES = [
    OpportunityStatus.OPEN,
    OpportunityStatus.WON,
    OpportunityStatus.LOST,
    OpportunityStatus.SUSPENDED,
    OpportunityStatus.TERMINATED,
]
OUTCOME_WEIGHTS = [63, 15, 15, 4, 3]
# where the open deals are (and where the lost ones dropped out): more in the early stages
OPEN_STAGE_WEIGHTS = [30, 25, 19, 14, 12]
LOST_STAGE_WEIGHTS = [10, 25, 25, 22, 18]
TOPICS = [
    "CRM 系统采购",
    "销售管理平台建设",
    "客户服务中心升级",
    "ERP 对接项目",
    "移动销售终端采购",
    "年度维保续约",
    "数据迁移与实施",
    "销售团队培训",
    "BI 报表平台",
    "呼叫中心改造",
    "渠道管理系统",
    "二期扩容",
]
SALES_METHODS = ["直销", "渠道代理", "招投标", "线上签约", "老客户增购"]
COMPETITORS = ["销售易", "纷享销客", "Salesforce", "用友", "金蝶", "八百客", "红圈营销"]
CAMPAIGNS = ["2026春季展会", "工业互联网峰会", "官网免费试用", "老客户答谢会"]
WIN_REASONS = [
    "方案贴合业务流程，实施周期短",
    "价格有竞争力，售后服务响应快",
    "客户高层认可我们的行业案例",
    "与现有 ERP 对接顺利，技术评估得分最高",
]
WIN_SUMMARIES = [
    "前期需求调研充分，演示环节针对客户痛点，商务谈判中适当让步换取了长期维保合同。",
    "决策链梳理清楚，技术和采购两条线同时推进，比预期提前两周签约。",
    "通过试点部门的成功带动全公司采购，后续有扩容机会。",
]
LOSS_REASONS = ["价格偏高", "客户预算削减", "功能不满足定制需求", "竞品关系更深", "决策人变更"]
LOSS_SUMMARIES = [
    "报价阶段未能突破价格底线，竞品低价切入；后续需提前了解预算范围。",
    "关键决策人中途更换，新负责人倾向原有供应商；应更早建立多线关系。",
    "客户需要的深度定制超出产品范围，评估阶段已有风险信号，应及早止损。",
]
SUSPEND_REASONS = ["客户项目延期到明年", "客户内部重组，暂停采购", "预算冻结，等待审批"]
TERMINATE_REASONS = ["客户取消采购计划", "重复录入的商机", "客户公司经营异常"]
SECONDS_PER_DAY = Decimal(86400)


def _days(start: datetime, end: datetime) -> Decimal:
    """As the services record it: days between the two moves, to the cent."""
    return (Decimal((end - start).total_seconds()) / SECONDS_PER_DAY).quantize(CENT, rounding=ROUND_HALF_UP)


def _money(value: float) -> Decimal:
    return Decimal(round(value, -2)).quantize(CENT)


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        pipeline = pipeline_default()
        self.pipeline = pipeline
        stages = list(pipeline.stages.order_by("position", "id"))
        self.open_stages = [s for s in stages if not s.is_outcome]
        self.won_stages = [s for s in stages if s.is_won]
        self.lost_stage = next(s for s in stages if s.is_lost)
        self.products = list(Product.objects.filter(active=True).values_list("pk", "name", "list_price"))
        self.opportunities: list[Opportunity] = []
        # per opportunity (same order): its moves [(stage, at)] and its activities [(verb, at, data)]
        self.moves: list[list[tuple[Stage, datetime]]] = []
        self.events: list[list[tuple[str, datetime, dict]]] = []
        self.lines: list[list[OpportunityLine]] = []
        self.contacts: list[int | None] = []

    def weighted_choice(self, items: list, weights: list[int]):
        return self.rng.choices(items[: len(weights)], weights[: len(items)])[0]

    def stay(self, stage: Stage) -> timedelta:
        """Days a deal spends in a stage it leaves: around the stage's usual time."""
        usual = stage.usual_days or 14
        return timedelta(days=min(usual * self.rng.lognormvariate(-0.3, 0.5), usual * 3))

    def path(self, status: str) -> tuple[list[Stage], timedelta]:
        """The stages the deal went through, and how long it has been in (or since) the last one."""
        rng, open_stages = self.rng, self.open_stages
        if status == OpportunityStatus.WON:
            stages = [*open_stages, self.won_stages[0]]
            if len(self.won_stages) > 1 and rng.random() < 0.35:
                stages.append(self.won_stages[1])
            return stages, timedelta(days=rng.uniform(1, 200))
        if status == OpportunityStatus.LOST:
            last = open_stages.index(self.weighted_choice(open_stages, LOST_STAGE_WEIGHTS))
            return [*open_stages[: last + 1], self.lost_stage], timedelta(days=rng.uniform(1, 200))
        last = open_stages.index(self.weighted_choice(open_stages, OPEN_STAGE_WEIGHTS))
        usual = open_stages[last].usual_days or 14
        # most are within their stage's usual time; about one in five is idle
        age = usual * (rng.uniform(0.02, 0.95) if rng.random() < 0.8 else rng.uniform(1.05, 2.5))
        if status != OpportunityStatus.OPEN:
            age += rng.uniform(5, 60)
        return open_stages[: last + 1], timedelta(days=age)

    def add(self, customer: tuple, owner: User, contact_ids: list[int]) -> None:
        rng = self.rng
        customer_id, customer_name, customer_created = customer
        status = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
        stages, since_last = self.path(status)
        stays = [self.stay(stage) for stage in stages[:-1]]
        if status == OpportunityStatus.WON and len(stages) > len(self.open_stages) + 1:
            stays[-1] = timedelta(days=rng.uniform(3, 30))  # 合同签定 → 项目实施
        total = sum(stays, timedelta()) + since_last
        room = self.now - max(customer_created, self.now - timedelta(days=500))
        if total > room * 0.95:  # a young customer: everything happened faster
            factor = (room * 0.95) / total
            stays, since_last = [s * factor for s in stays], since_last * factor
        at = self.now - since_last - sum(stays, timedelta())
        moves = []
        for stage, stay in zip(stages, [*stays, timedelta()], strict=True):
            moves.append((stage, at))
            at += stay
        final, entered = moves[-1]
        created = moves[0][1]

        amount = _money(min(max(rng.lognormvariate(math.log(150_000), 0.75), 8_000), 5_000_000))
        lines = self.product_lines(amount) if self.products and rng.random() < 0.4 else []
        if lines:
            amount = sum((line.amount for line in lines), Decimal(0))
        overridden = status == OpportunityStatus.OPEN and rng.random() < 0.1
        probability = final.probability
        if overridden:
            probability = min(max(probability + rng.choice([-10, -5, 5, 10]), Decimal(5)), Decimal(95))
        opportunity = Opportunity(
            title=f"{customer_name} {rng.choice(TOPICS)}"[:200],
            customer_id=customer_id,
            owner=owner,
            department_id=owner.department_id,
            pipeline=self.pipeline,
            stage=final,
            status=status,
            amount=amount,
            currency="CNY",
            probability=probability,
            probability_overridden=overridden,
            weighted_amount=weighted_amount(amount, probability),
            source=rng.choice(list(CustomerSource)) if rng.random() < 0.8 else "",
            campaign=rng.choice(CAMPAIGNS) if rng.random() < 0.2 else "",
            sales_method=rng.choice(SALES_METHODS),
            competitors="、".join(rng.sample(COMPETITORS, rng.randint(0, 3))),
            stage_entered_at=entered,
            created_at=created,
        )
        title = opportunity.title
        events: list[tuple[str, datetime, dict]] = [
            (
                "opportunity.created",
                created,
                {"title": title, "stage": moves[0][0].name, "amount": f"{amount:.2f}"},
            )
        ]
        for (before, left), (stage, moved) in itertools.pairwise(moves):
            if stage.is_outcome and not before.is_outcome:
                won = stage.is_won
                opportunity.closed_at = moved
                if won:
                    opportunity.close_reason = rng.choice(WIN_REASONS)
                    opportunity.winning_competitor = rng.choice(["", *COMPETITORS])
                    opportunity.review_summary = rng.choice(WIN_SUMMARIES)
                else:
                    opportunity.close_reason = rng.choice(LOSS_REASONS)
                    opportunity.winning_competitor = rng.choice(COMPETITORS)
                    opportunity.review_summary = rng.choice(LOSS_SUMMARIES)
                data = {
                    "title": title,
                    "from": before.name,
                    "to": stage.name,
                    "amount": f"{amount:.2f}",
                    "reason": opportunity.close_reason,
                    "competitor": opportunity.winning_competitor,
                }
                events.append(("opportunity.won" if won else "opportunity.lost", moved, data))
            else:
                data = {
                    "title": title,
                    "from": before.name,
                    "to": stage.name,
                    "days": str(_days(left, moved)),
                }
                events.append(("opportunity.stage_changed", moved, data))
        if status in (OpportunityStatus.SUSPENDED, OpportunityStatus.TERMINATED):
            when = entered + (self.now - entered) * rng.uniform(0.3, 0.9)
            if status == OpportunityStatus.SUSPENDED:
                events.append(
                    ("opportunity.suspended", when, {"title": title, "reason": rng.choice(SUSPEND_REASONS)})
                )
            else:
                opportunity.closed_at = when
                opportunity.close_reason = rng.choice(TERMINATE_REASONS)
                events.append(
                    ("opportunity.terminated", when, {"title": title, "reason": opportunity.close_reason})
                )
        opportunity.expected_close_date = self.close_date(status, opportunity.closed_at)
        opportunity.updated_at = max(at for _verb, at, _data in events)
        self.opportunities.append(opportunity)
        self.moves.append(moves)
        self.events.append(events)
        self.lines.append(lines)
        self.contacts.append(rng.choice(contact_ids) if contact_ids and rng.random() < 0.8 else None)

    def close_date(self, status: str, closed_at: datetime | None):
        rng = self.rng
        if closed_at is not None and status != OpportunityStatus.TERMINATED:
            return timezone.localdate(closed_at) + timedelta(days=rng.randint(-20, 10))
        if rng.random() < 0.12:  # overdue: the date passed and the deal is still open
            return self.today - timedelta(days=rng.randint(1, 45))
        return self.today + timedelta(days=int(rng.triangular(3, 180, 45)))

    def product_lines(self, target: Decimal) -> list[OpportunityLine]:
        rng, lines = self.rng, []
        picked = rng.sample(self.products, min(len(self.products), rng.randint(1, 4)))
        for position, (pk, name, price) in enumerate(picked, start=1):
            share = target / len(picked)
            quantity = Decimal(max(1, min(int(share / price), 500)))
            lines.append(
                OpportunityLine(
                    product_id=pk,
                    product_name=name,
                    quantity=quantity,
                    unit_price=price,
                    amount=(quantity * price).quantize(CENT, rounding=ROUND_HALF_UP),
                    position=position,
                )
            )
        return lines

    def write(self) -> None:
        Opportunity.objects.bulk_create(self.opportunities, batch_size=500)
        # updated_at is auto_now: bulk_create stamped it now; bulk_update writes the times set above
        Opportunity.objects.bulk_update(self.opportunities, ["updated_at"], batch_size=500)
        changes, lines, contacts, activities = [], [], [], []
        subject_type = ContentType.objects.get_for_model(Opportunity)
        through = Opportunity.contacts.through
        for opportunity, moves, events, own_lines, contact_id in zip(
            self.opportunities, self.moves, self.events, self.lines, self.contacts, strict=True
        ):
            previous: tuple[Stage, datetime] | None = None
            for stage, moved in moves:
                changes.append(
                    StageChange(
                        opportunity=opportunity,
                        from_stage=previous[0] if previous else None,
                        to_stage=stage,
                        from_stage_name=previous[0].name if previous else "",
                        to_stage_name=stage.name,
                        moved_at=moved,
                        actor_id=opportunity.owner_id,
                        days_in_from_stage=_days(previous[1], moved) if previous else None,
                    )
                )
                previous = (stage, moved)
            for line in own_lines:
                line.opportunity = opportunity
                lines.append(line)
            if contact_id:
                contacts.append(through(opportunity_id=opportunity.pk, contact_id=contact_id))
            activities.extend(
                Activity(
                    actor_id=opportunity.owner_id,
                    verb=verb,
                    subject_type=subject_type,
                    subject_id=opportunity.pk,
                    customer_id=opportunity.customer_id,
                    created_at=at,
                    data=data,
                )
                for verb, at, data in events
            )
        StageChange.objects.bulk_create(changes, batch_size=1000)
        OpportunityLine.objects.bulk_create(lines, batch_size=1000)
        through.objects.bulk_create(contacts, batch_size=1000)
        Activity.objects.bulk_create(activities, batch_size=1000)


def _ensure_default_pipeline() -> None:
    """`kehu demo --reset` flushes every table, the default pipeline its migration wrote included: write it
    again, from the same migration."""
    if not Pipeline.objects.filter(active=True).exists():
        migration = importlib.import_module("kehu.sales.opportunities.migrations.0002_default_pipeline")
        migration.create(apps, None)


def demo_opportunities(*, rng: random.Random) -> int:
    """About 300 opportunities of the owned customers, with history and timeline; returns how many."""
    _ensure_default_pipeline()
    customers = list(
        Customer.objects.alive()
        .filter(owner__isnull=False, pool__isnull=True)
        .order_by("pk")
        .values_list("pk", "name", "created_at", "owner_id")
    )
    if not customers:
        return 0
    owners = {u.pk: u for u in User.objects.filter(pk__in={c[3] for c in customers})}
    contacts: dict[int, list[int]] = defaultdict(list)
    for contact_id, customer_id in Contact.objects.alive().order_by("pk").values_list("pk", "customer_id"):
        contacts[customer_id].append(contact_id)
    if len(customers) >= TARGET:
        chosen = rng.sample(customers, TARGET)
    else:  # a small demo: every customer has one, some two
        chosen = customers + [rng.choice(customers) for _ in range(TARGET - len(customers))]
    builder = _Builder(rng)
    for pk, name, created, owner_id in chosen:
        builder.add((pk, name, created), owners[owner_id], contacts[pk])
    builder.write()
    return len(builder.opportunities)
