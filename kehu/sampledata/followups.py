"""Demo follow-ups: contact history for most owned customers, and next-contact plans so that every rep has
contacts planned for today, overdue plans and upcoming ones. Written in bulk; the customers' denormalised
times (last / next follow-up, received) are then set with one UPDATE each, as the services keep them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import DateTimeField, F, Max, Min, OuterRef, Subquery
from django.utils import timezone

from kehu.core.activity import Activity
from kehu.customers.models import Contact, Customer
from kehu.followups.choices import FollowUpMethod, PlanStatus
from kehu.followups.models import FollowUp, FollowUpPlan
from kehu.followups.services import EXCERPT_LENGTH

METHOD_WEIGHTS = {
    FollowUpMethod.PHONE: 40,
    FollowUpMethod.WECHAT: 25,
    FollowUpMethod.VISIT: 15,
    FollowUpMethod.EMAIL: 10,
    FollowUpMethod.MEETING: 7,
    FollowUpMethod.OTHER: 3,
}
CONTENTS = {
    FollowUpMethod.PHONE: [
        "电话沟通了采购计划，客户预计下季度启动招标。",
        "电话回访，客户对上次的方案基本认可，价格还需再谈。",
        "客户在出差，约好下周再电话沟通。",
        "确认了客户的预算范围和决策流程，采购经理是主要对接人。",
    ],
    FollowUpMethod.WECHAT: [
        "微信发送了产品资料和案例，客户表示会转给技术部门评估。",
        "微信上回答了客户关于交付周期的问题。",
        "客户微信咨询售后服务条款，已详细说明。",
    ],
    FollowUpMethod.VISIT: [
        "上门拜访，演示了新版本，客户对报表功能很感兴趣。",
        "拜访客户工厂，了解了现场的实际需求和痛点。",
        "和客户总经理面谈，确认了合作意向。",
    ],
    FollowUpMethod.EMAIL: [
        "邮件发送了正式报价单，请客户确认。",
        "邮件回复了客户的技术问题清单。",
    ],
    FollowUpMethod.MEETING: [
        "线上会议讲解了实施方案，客户IT部门参加。",
        "参加客户的供应商评审会，介绍了公司资质。",
    ],
    FollowUpMethod.OTHER: ["在行业展会上与客户交流了新产品。"],
}
NEXT_ACTIONS = [
    "电话确认方案反馈",
    "发送报价单",
    "上门演示",
    "邀请参加线上会议",
    "跟进合同条款",
    "回访使用情况",
    "确认招标时间",
    "",
]


def demo_followups(*, rng: random.Random) -> int:
    """Follow-ups and plans for the demo's customers; returns how many follow-ups were written."""
    now = timezone.now()
    Customer.objects.filter(owner__isnull=False, received_at__isnull=True).update(received_at=F("created_at"))
    customers = list(
        Customer.objects.alive().filter(owner__isnull=False).values_list("pk", "owner_id", "created_at")
    )
    contacts: dict[int, list[int]] = defaultdict(list)
    for contact_id, customer_id in Contact.objects.alive().values_list("pk", "customer_id"):
        contacts[customer_id].append(contact_id)
    followups = []
    for pk, owner_id, created in customers:
        last = now - timedelta(days=_last_contact_age(rng))
        if last < created:  # a new customer: called since it came, or not yet
            if rng.random() < 0.3:
                continue
            last = created + (now - created) * rng.random()
        times = [last] + [created + (last - created) * rng.random() ** 0.7 for _ in range(rng.randint(0, 5))]
        for when in times:
            method = rng.choices(list(METHOD_WEIGHTS), list(METHOD_WEIGHTS.values()))[0]
            followups.append(
                FollowUp(
                    customer_id=pk,
                    contact_id=rng.choice(contacts[pk]) if contacts[pk] and rng.random() < 0.8 else None,
                    method=method,
                    content=rng.choice(CONTENTS[method]),
                    occurred_at=when,
                    created_by_id=owner_id,
                    created_at=when,
                )
            )
    FollowUp.objects.bulk_create(followups, batch_size=1000)
    _plans(rng, followups, now)
    _activities(followups)
    _refresh_customers()
    return len(followups)


def _last_contact_age(rng: random.Random) -> float:
    """Days since a customer's last follow-up: most were called in the last week and a half; under the
    demo pool's 15-day rule (3 days' warning) one in ten is about to return to the pool and a few are due.
    """
    share = rng.random()
    if share < 0.82:
        return rng.uniform(0, 11)
    if share < 0.93:
        return rng.uniform(12.2, 14.8)
    return rng.uniform(16, 60)


def _plans(rng: random.Random, followups: list[FollowUp], now: datetime) -> None:
    """Open plans after the latest follow-up of 40 % of the customers: per rep 3 due today, 2 overdue."""
    latest: dict[int, FollowUp] = {}
    for followup in followups:
        if (
            followup.customer_id not in latest
            or followup.occurred_at > latest[followup.customer_id].occurred_at
        ):
            latest[followup.customer_id] = followup
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    per_owner: dict[int, int] = defaultdict(int)
    plans = []
    # The customers not contacted for longest get the plans due today and overdue, so those stay before now.
    for followup in sorted(latest.values(), key=lambda f: f.occurred_at):
        if rng.random() > 0.4:
            continue
        owner_id = followup.created_by_id
        per_owner[owner_id] += 1
        turn = per_owner[owner_id]
        if turn <= 3:  # due today, between 9:00 and 18:00
            due = today + timedelta(hours=rng.randint(9, 17), minutes=rng.choice([0, 15, 30, 45]))
        elif turn <= 5 and followup.occurred_at < today - timedelta(hours=2):  # overdue: planned, then missed
            after = followup.occurred_at + timedelta(hours=1)
            due = after + (today - after) * rng.uniform(0.3, 0.95)
        else:
            due = today + timedelta(days=rng.randint(1, 21), hours=rng.randint(9, 17))
        plans.append(
            FollowUpPlan(
                customer_id=followup.customer_id,
                owner_id=owner_id,
                due_at=max(due, followup.occurred_at + timedelta(hours=1)),
                action=rng.choice(NEXT_ACTIONS),
                status=PlanStatus.OPEN,
                source=followup,
                created_by_id=owner_id,
                created_at=followup.occurred_at,
            )
        )
    FollowUpPlan.objects.bulk_create(plans, batch_size=1000)


def _activities(followups: list[FollowUp]) -> None:
    subject_type = ContentType.objects.get_for_model(FollowUp)
    Activity.objects.bulk_create(
        [
            Activity(
                actor_id=f.created_by_id,
                verb="followup.recorded",
                subject_type=subject_type,
                subject_id=f.pk,
                customer_id=f.customer_id,
                created_at=f.created_at,
                data={
                    "method": f.method,
                    "excerpt": f.content[:EXCERPT_LENGTH],
                    "contact": "",
                    "plans_done": 0,
                    "next_at": None,
                },
            )
            for f in followups
        ],
        batch_size=1000,
    )


def _refresh_customers() -> None:
    last = (
        FollowUp.objects.alive()
        .filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(at=Max("occurred_at"))
        .values("at")[:1]
    )
    following = (
        FollowUpPlan.objects.open()
        .filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(at=Min("due_at"))
        .values("at")[:1]
    )
    Customer.objects.filter(owner__isnull=False).update(
        last_followup_at=Subquery(last, output_field=DateTimeField()),
        next_followup_at=Subquery(following, output_field=DateTimeField()),
    )
