"""Reads for payment collection: instalments with their derived status, a contract's payment summary,
receivables and their aging — all computed in SQL from the plan, the matching and today's date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kehu.org.models import Department, User
from kehu.sales.contracts.choices import SIGNED
from kehu.sales.contracts.models import Contract
from kehu.sales.payments.choices import AGING_BUCKETS, PaymentStatus
from kehu.sales.payments.models import Instalment, Invoice, Receipt, ReceiptAllocation

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal(0), output_field=MONEY)


def _paid() -> Coalesce:
    paid = (
        ReceiptAllocation.objects.filter(instalment=OuterRef("pk"))
        .order_by()
        .values("instalment")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(paid, output_field=MONEY), ZERO)


def _status(today: date) -> Case:
    return Case(
        When(paid__gte=F("amount"), then=Value(PaymentStatus.PAID)),
        When(due_on__lt=today, then=Value(PaymentStatus.OVERDUE)),
        When(paid__gt=0, then=Value(PaymentStatus.PARTIAL)),
        default=Value(PaymentStatus.UNPAID),
        output_field=CharField(),
    )


def instalments_with_status(
    queryset: QuerySet[Instalment] | None = None, *, today: date | None = None
) -> QuerySet:
    """Instalments annotated with `paid`, `outstanding` and `payment_status` (paid, overdue, partly paid,
    unpaid: overdue once the due date has passed and it is not fully paid)."""
    today = today or timezone.localdate()
    qs = Instalment.objects.all() if queryset is None else queryset
    return qs.annotate(paid=_paid()).annotate(
        outstanding=F("amount") - F("paid"), payment_status=_status(today)
    )


@dataclass(frozen=True)
class PaymentSummary:
    amount: Decimal
    received: Decimal  # applied to the contract (credit excluded)
    credit: Decimal
    outstanding: Decimal
    invoiced: Decimal
    status: str


def contract_payment_summary(contract: Contract, *, today: date | None = None) -> PaymentSummary:
    """What was received, what is still owed, and the contract's payment status: paid when nothing is owed,
    overdue when an instalment is overdue, partly paid when something came in, else unpaid."""
    today = today or timezone.localdate()
    receipts = Receipt.objects.filter(contract=contract, voided_at__isnull=True).aggregate(
        amount=Coalesce(Sum("amount"), ZERO), credit=Coalesce(Sum("credit"), ZERO)
    )
    received = receipts["amount"] - receipts["credit"]
    invoiced = Invoice.objects.filter(contract=contract, voided_at__isnull=True).aggregate(
        s=Coalesce(Sum("amount"), ZERO)
    )["s"]
    outstanding = max(contract.amount - received, Decimal(0))
    overdue = (
        instalments_with_status(Instalment.objects.filter(contract=contract), today=today)
        .filter(payment_status=PaymentStatus.OVERDUE)
        .exists()
    )
    if outstanding == 0 and contract.amount > 0:
        status = PaymentStatus.PAID
    elif overdue:
        status = PaymentStatus.OVERDUE
    elif received > 0:
        status = PaymentStatus.PARTIAL
    else:
        status = PaymentStatus.UNPAID
    return PaymentSummary(contract.amount, received, receipts["credit"], outstanding, invoiced, status)


def receivables(*, user: User, filters: dict[str, Any] | None = None, today: date | None = None) -> QuerySet:
    """Instalments still owed on signed contracts in the user's scope, soonest due first, with their status.
    Filters: `q` (customer name or contract number), `owner` (id), `department` (id: it and the departments
    below it), `status` (overdue / upcoming), `due_before`, `due_after` (dates)."""
    filters = filters or {}
    today = today or timezone.localdate()
    contracts = Contract.objects.visible_to(user).alive().filter(status__in=SIGNED)
    if filters.get("owner"):
        contracts = contracts.filter(owner_id=filters["owner"])
    if filters.get("department"):
        below = Department.objects.filter(
            path__startswith=Department.objects.filter(pk=filters["department"]).values("path")[:1]
        )
        contracts = contracts.filter(department_id__in=below.values("pk"))
    if filters.get("q"):
        q = filters["q"]
        contracts = contracts.filter(Q(number__icontains=q) | Q(customer__name__icontains=q))
    qs = instalments_with_status(
        Instalment.objects.filter(contract__in=contracts.values("pk")), today=today
    ).filter(outstanding__gt=0)
    if filters.get("status") == "overdue":
        qs = qs.filter(due_on__lt=today)
    elif filters.get("status") == "upcoming":
        qs = qs.filter(due_on__gte=today)
    if filters.get("due_after"):
        qs = qs.filter(due_on__gte=filters["due_after"])
    if filters.get("due_before"):
        qs = qs.filter(due_on__lte=filters["due_before"])
    return qs.select_related("contract", "contract__customer", "contract__owner").order_by("due_on", "id")


def _bucket(low: int | None, high: int | None, today: date) -> Q:
    """Days past the due date between `low` and `high` (None: open); "not yet due" is due today or later."""
    if low is None:
        return Q(due_on__gte=today)
    condition = Q(due_on__lte=today - timedelta(days=low))
    if high is not None:
        condition &= Q(due_on__gte=today - timedelta(days=high))
    return condition


def _aging_sums(today: date) -> dict[str, Any]:
    sums: dict[str, Any] = {}
    for key, _label, low, high in AGING_BUCKETS:
        condition = _bucket(low, high, today)
        sums[f"{key}_amount"] = Coalesce(
            Sum(Case(When(condition, then=F("outstanding")), default=ZERO)), ZERO
        )
        sums[f"{key}_count"] = Sum(Case(When(condition, then=Value(1)), default=Value(0)))
    return sums


def receivables_aging(
    *, user: User, filters: dict[str, Any] | None = None, today: date | None = None
) -> list[dict]:
    """Outstanding amounts by age: not yet due, 1–30, 31–60, 61–90, over 90 days past due; one query."""
    today = today or timezone.localdate()
    totals = receivables(user=user, filters=filters, today=today).order_by().aggregate(**_aging_sums(today))
    return [
        {
            "bucket": key,
            "label": str(label),
            "amount": totals[f"{key}_amount"],
            "count": totals[f"{key}_count"] or 0,
        }
        for key, label, _low, _high in AGING_BUCKETS
    ]


AGING_GROUPS = {"owner": (User, "contract__owner"), "department": (Department, "contract__department")}


def receivables_aging_by(
    group: str, *, user: User, filters: dict[str, Any] | None = None, today: date | None = None
) -> list[dict]:
    """The aging per owner (rep) or per department of the contracts: for each, its name, the outstanding
    amount in every bucket, the total and the overdue part; most overdue first. Two queries."""
    model, field = AGING_GROUPS[group]
    today = today or timezone.localdate()
    rows = list(
        receivables(user=user, filters=filters, today=today)
        .order_by()
        .values(key=F(f"{field}_id"))
        .annotate(**_aging_sums(today))
    )
    names = {obj.pk: str(obj) for obj in model.objects.filter(pk__in=[r["key"] for r in rows if r["key"]])}
    result = []
    for row in rows:
        buckets = {key: row[f"{key}_amount"] for key, _label, _low, _high in AGING_BUCKETS}
        total = sum(buckets.values(), Decimal(0))
        result.append(
            {
                "id": row["key"],
                "name": names.get(row["key"], ""),
                "buckets": buckets,
                "total": total,
                "overdue": total - buckets["not_due"],
                "count": sum(row[f"{key}_count"] or 0 for key, *_rest in AGING_BUCKETS),
            }
        )
    return sorted(result, key=lambda r: (-r["overdue"], -r["total"], r["name"]))


def receivables_due_for_owner(*, user: User, within_days: int, today: date | None = None) -> QuerySet:
    """What the user's own signed contracts still owe that is overdue or due within `within_days` days,
    soonest first: the workbench's and the daily digest's reminder."""
    today = today or timezone.localdate()
    contracts = Contract.objects.filter(owner=user, deleted_at__isnull=True, status__in=SIGNED)
    instalments = Instalment.objects.filter(
        contract__in=contracts.values("pk"), due_on__lte=today + timedelta(days=within_days)
    )
    return (
        instalments_with_status(instalments, today=today)
        .filter(outstanding__gt=0)
        .select_related("contract", "contract__customer")
        .order_by("due_on", "id")
    )


def customer_outstanding(*, customer_id: int, user: User | None = None) -> Decimal:
    """What the customer's signed contracts (those `user` sees, if given) still owe: their amounts less the
    receipts applied to them (credit excluded). Two aggregates."""
    contracts = Contract.objects.alive().filter(customer_id=customer_id, status__in=SIGNED)
    if user is not None:
        contracts = contracts.visible_to(user)
    amount = contracts.aggregate(s=Coalesce(Sum("amount"), ZERO))["s"]
    receipts = Receipt.objects.filter(contract__in=contracts.values("pk"), voided_at__isnull=True).aggregate(
        amount=Coalesce(Sum("amount"), ZERO), credit=Coalesce(Sum("credit"), ZERO)
    )
    return max(amount - (receipts["amount"] - receipts["credit"]), Decimal(0))
