"""Demo contracts and their payment collection, written through the services (numbers, approvals, the
customer becoming a deal customer, the matching of receipts, the timeline).

A contract approval flow (合同审批: over ¥300,000 → the department head). About 60 contracts: one for each
won opportunity (from its accepted quote when there is one), the rest for customers directly, in every
state — draft, waiting for approval, rejected, approved, executing, completed, terminated. Signed ones
get a payment plan of one to four instalments over the months around their signing, and receipts that
leave some instalments paid on time, some partly paid and some overdue; a few invoices.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from kehu.approvals.choices import StepKind
from kehu.approvals.flows import approval_flow_create
from kehu.approvals.models import ApprovalTask
from kehu.approvals.services import approval_approve, approval_reject
from kehu.customers.models import Customer
from kehu.org.models import User
from kehu.sales.contracts import services as contracts
from kehu.sales.contracts.choices import ContractStatus
from kehu.sales.contracts.models import Contract
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import Opportunity
from kehu.sales.payments import services as payments
from kehu.sales.payments.choices import PaymentMethod

TARGET = 60
PLANS = ["draft", "pending", "rejected", "approved", "executing", "executing", "completed", "terminated"]
PLAN_WEIGHTS = [8, 6, 4, 10, 30, 0, 16, 6]
TERMS = (
    "一、合同标的：见合同明细。\n二、付款方式：按回款计划分期支付，乙方收款后开具增值税专用发票。\n"
    "三、交付与验收：合同生效后 30 个工作日内完成部署，甲方于交付后 10 个工作日内组织验收。\n"
    "四、违约责任：任何一方违约，应赔偿守约方因此遭受的直接损失。"
)
TERMINATE_REASONS = ["客户业务调整，双方协商一致解除合同。", "客户预算冻结，项目取消。"]


def _flow(users: dict[str, User]) -> None:
    approval_flow_create(
        actor=users["admin"],
        data={
            "document_type": "contract",
            "name": "合同审批",
            "conditions": [{"field": "amount", "operator": ">", "value": "300000"}],
            "steps": [{"kind": StepKind.DEPARTMENT_HEAD, "name": "部门负责人"}],
        },
    )


def _decide(contract: Contract, *, approve: bool) -> None:
    task = (
        ApprovalTask.objects.filter(request__document_id=contract.pk, request__document_type="contract")
        .filter(status="pending")
        .first()
    )
    if task is None:
        return
    approver = task.approvers.order_by("pk").first()
    if approve:
        approval_approve(actor=approver, task=task, comment="同意。")
    else:
        approval_reject(actor=approver, task=task, comment="付款条件需与客户再确认。")


def _signed_day(rng: random.Random, today: date) -> date:
    return today - timedelta(days=rng.randint(20, 420))


def _collect(rng: random.Random, contract: Contract, owner: User, signed: date, today: date) -> None:
    """A plan over the months after signing, and receipts: paid on time, partly, or not yet."""
    count = rng.choice([1, 2, 2, 3, 3, 4])
    rows = payments.plan_split_even(
        total=contract.amount, count=count, first_due=signed + timedelta(days=rng.choice([7, 15, 30])),
        months_apart=rng.choice([1, 2, 3]),
    )  # fmt: skip
    payments.plan_set(actor=owner, contract=contract, instalments=rows)
    habit = rng.random()  # how this customer pays
    for row in rows:
        due = row["due_on"]
        if due > today:
            break
        if habit < 0.55:  # pays on time
            paid_on, amount = due - timedelta(days=rng.randint(0, 5)), row["amount"]
        elif habit < 0.8:  # pays late, sometimes only part
            paid_on = min(due + timedelta(days=rng.randint(5, 60)), today)
            amount = (
                row["amount"]
                if rng.random() < 0.6
                else (row["amount"] * Decimal("0.5")).quantize(Decimal("0.01"))
            )
        else:  # has not paid
            continue
        payments.receipt_record(
            actor=owner,
            contract=contract,
            data={
                "amount": amount,
                "received_on": max(paid_on, signed),
                "method": rng.choice([PaymentMethod.BANK_TRANSFER] * 4 + [PaymentMethod.ACCEPTANCE_BILL]),
                "reference": f"{rng.randint(10**11, 10**12 - 1)}",
            },
        )
    if rng.random() < 0.6:
        payments.invoice_record(
            actor=owner,
            contract=contract,
            data={
                "number": f"{today.year % 100}44{rng.randint(10**15, 10**16 - 1)}",
                "amount": rows[0]["amount"],
                "issued_on": signed,
            },
        )


def demo_contracts(*, rng: random.Random, users: dict[str, User]) -> int:
    """The contract flow and about TARGET contracts with their payment collection; returns how many."""
    _flow(users)
    today = timezone.localdate()
    won = list(
        Opportunity.objects.filter(status=OpportunityStatus.WON, deleted_at__isnull=True)
        .exclude(owner__username="manager")  # the top head: nobody above to approve
        .select_related("owner", "customer")
        .order_by("pk")
    )
    direct = list(
        Customer.objects.alive()
        .filter(owner__isnull=False, pool__isnull=True, status__in=["intent", "deal"])
        .exclude(owner__username="manager")
        .exclude(pk__in=[o.customer_id for o in won])
        .select_related("owner")
        .order_by("pk")[: max(TARGET - len(won), 0)]
    )
    written = 0
    for index, source in enumerate([*won, *direct][:TARGET]):
        plan = PLANS[index] if index < len(PLANS) else rng.choices(PLANS, PLAN_WEIGHTS)[0]
        signed = _signed_day(rng, today)
        if isinstance(source, Opportunity):
            owner = source.owner
            contract = contracts.contract_create_from_opportunity(actor=owner, opportunity=source)
        else:
            owner = source.owner
            amount = Decimal(rng.choice([38000, 68000, 128000, 260000, 450000, 880000]))
            contract = contracts.contract_create(
                actor=owner,
                customer=source,
                data={"title": f"{source.name} 软件采购合同", "amount": amount, "terms": TERMS},
                lines=[],
            )
        dates = {"signed_on": signed, "starts_on": signed, "ends_on": signed + timedelta(days=365)}
        if plan in ("pending", "rejected") and contract.amount <= 300000:
            dates["amount"] = Decimal(450000)  # above the flow's threshold, so it waits for approval
        contracts.contract_update(actor=owner, contract=contract, data=dates)
        written += 1
        if plan == "draft":
            continue
        contract = contracts.contract_submit(actor=owner, contract=contract)
        if plan == "pending":
            continue
        if contract.status == ContractStatus.PENDING:
            _decide(contract, approve=plan != "rejected")
            contract.refresh_from_db()
        if plan == "rejected" or contract.status != ContractStatus.APPROVED:
            continue
        if plan in ("executing", "completed", "terminated"):
            contract = contracts.contract_start(actor=owner, contract=contract)
        if plan != "terminated":
            _collect(rng, contract, owner, signed, today)
        if plan == "completed":
            contracts.contract_complete(actor=owner, contract=contract)
        elif plan == "terminated":
            contracts.contract_terminate(actor=owner, contract=contract, reason=rng.choice(TERMINATE_REASONS))
    return written
