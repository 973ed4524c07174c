"""Demo quotes and the approval flows they go through, written through the services (numbers, totals,
approval requests, notifications and timeline entries as in real use).

Flows: a quote over ¥500,000 with tax goes to the department head, then to the head of sales (manager);
one more than 10 % under list prices goes to the department head. About 60 quotes of the open and won
deals in the later stages, in every state: draft, waiting (at the first and at the second step),
approved with and without approval, rejected, sent, accepted, declined, and a few past their validity.
rep1's deals come first, so the demo logins see each state: rep1 submits, lead_sh1 (head of 上海一组)
approves discounts, manager approves large quotes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from kehu.approvals.choices import StepKind
from kehu.approvals.flows import approval_flow_create
from kehu.approvals.models import ApprovalTask
from kehu.approvals.services import approval_approve, approval_reject
from kehu.org.models import User
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import Opportunity
from kehu.sales.products.models import Product
from kehu.sales.quotes import services
from kehu.sales.quotes.models import Quote

TARGET = 60
# what happens to a quote: (outcome, weight); "discount" and "large" make it go through a flow
PLANS = [
    ("draft", 10),
    ("approved", 10),
    ("pending", 8),
    ("pending_second", 3),
    ("rejected", 6),
    ("sent", 8),
    ("accepted", 8),
    ("declined", 4),
    ("expired", 3),
]
TERMS = (
    "1. 报价含软件许可及标准实施服务，硬件另计。\n"
    "2. 付款方式：合同签订后预付 50%，验收后支付 40%，质保金 10% 一年后支付。\n"
    "3. 交付周期：合同生效后 30 个工作日内完成部署。\n"
    "4. 质保期：验收之日起一年，期内免费维护升级。"
)
APPROVE_COMMENTS = ["同意，注意控制交付成本。", "同意。", "客户战略意义大，同意该折扣。", ""]
REJECT_COMMENTS = ["折扣超出本季度授权，请重新核价。", "实施人天报价偏低，请调整后再提交。"]
DECLINE_REASONS = ["客户预算削减，项目推迟到明年。", "竞争对手报价更低。", "客户选择了现有供应商续约。"]


@dataclass
class _Demo:
    rng: random.Random
    products: list[Product]

    def lines(self, *, discount: bool, large: bool) -> list[dict]:
        count = self.rng.randint(2, 4)
        chosen = self.rng.sample(self.products, count)
        rows = []
        for product in chosen:
            quantity = self.rng.choice([1, 2, 3, 5, 10, 20]) if product.list_price < 20000 else 1
            row = {"product_id": product.pk, "quantity": Decimal(quantity)}
            if discount:
                row["discount_percent"] = Decimal(self.rng.choice([12, 15, 18, 20, 25]))
            elif self.rng.random() < 0.4:
                row["discount_percent"] = Decimal(self.rng.choice([3, 5, 8]))
            rows.append(row)
        if large:
            rows.append(
                {"name": "整体解决方案（含定制开发与三年维保）", "unit": "项", "unit_price": Decimal(520000)}
            )
        return rows


def _flows(users: dict[str, User]) -> None:
    admin = users["admin"]
    approval_flow_create(
        actor=admin,
        data={
            "document_type": "quote",
            "name": "大额报价审批",
            "position": 1,
            "conditions": [{"field": "amount", "operator": ">", "value": "500000"}],
            "steps": [
                {"kind": StepKind.DEPARTMENT_HEAD, "name": "部门负责人"},
                {"kind": StepKind.USER, "users": [users["manager"].pk], "name": "销售部总经理"},
            ],
        },
    )
    approval_flow_create(
        actor=admin,
        data={
            "document_type": "quote",
            "name": "折扣审批",
            "position": 2,
            "conditions": [{"field": "discount_percent", "operator": ">", "value": "10"}],
            "steps": [{"kind": StepKind.DEPARTMENT_HEAD, "name": "部门负责人"}],
        },
    )


def _decide(quote: Quote, *, approve: bool, rng: random.Random) -> None:
    task = ApprovalTask.objects.filter(request__document_id=quote.pk, status="pending").first()
    if task is None:
        return
    approver = task.approvers.order_by("pk").first()
    if approve:
        approval_approve(actor=approver, task=task, comment=rng.choice(APPROVE_COMMENTS))
    else:
        approval_reject(actor=approver, task=task, comment=rng.choice(REJECT_COMMENTS))


def _play(quote: Quote, plan: str, rng: random.Random) -> None:
    owner = quote.opportunity.owner
    if plan == "draft":
        return
    quote = services.quote_submit(actor=owner, quote=quote)
    if plan == "pending":
        return
    if plan == "pending_second":
        _decide(quote, approve=True, rng=rng)
        return
    if plan == "rejected":
        _decide(quote, approve=False, rng=rng)
        return
    while quote.status == "pending":
        _decide(quote, approve=True, rng=rng)
        quote.refresh_from_db()
    if plan in ("sent", "accepted", "declined", "expired"):
        quote = services.quote_mark_sent(actor=owner, quote=quote)
    if plan == "accepted":
        services.quote_mark_accepted(actor=owner, quote=quote)
    elif plan == "declined":
        services.quote_mark_declined(actor=owner, quote=quote, reason=rng.choice(DECLINE_REASONS))


def demo_quotes(*, rng: random.Random, users: dict[str, User]) -> int:
    """The approval flows and about TARGET quotes; returns how many quotes were written."""
    _flows(users)
    products = list(Product.objects.filter(active=True).order_by("code"))
    demo = _Demo(rng=rng, products=products)
    deals = list(
        Opportunity.objects.filter(
            status__in=[OpportunityStatus.OPEN, OpportunityStatus.WON],
            stage__position__gte=3,
            owner__isnull=False,
        )
        .exclude(owner__username="manager")  # the top head: no department head above to approve
        .select_related("owner", "customer")
        .annotate(
            first=Case(
                When(owner__username="rep1", then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("first", "id")[:TARGET]
    )
    names, weights = zip(*PLANS, strict=True)
    today = timezone.localdate()
    written = 0
    for index, deal in enumerate(deals):
        # rep1's first deals take each plan once, in order; the rest are drawn
        plan = names[index] if index < len(names) else rng.choices(names, weights)[0]
        discount = plan in ("pending", "rejected") or rng.random() < 0.35
        large = plan == "pending_second" or (plan != "draft" and rng.random() < 0.1)
        contact = deal.customer.contacts.filter(deleted_at__isnull=True).order_by("id").first()
        quote = services.quote_create(
            actor=deal.owner,
            opportunity=deal,
            data={"title": f"{deal.title} 报价", "terms": TERMS},
            lines=demo.lines(discount=discount, large=large),
            contact=contact,
        )
        _play(quote, plan, rng)
        age = rng.randint(0, 20) if plan != "expired" else rng.randint(40, 60)
        Quote.objects.filter(pk=quote.pk).update(
            created_at=timezone.now() - timedelta(days=age, hours=rng.randint(0, 8)),
            valid_until=today + timedelta(days=30 - age),
        )
        written += 1
    return written
