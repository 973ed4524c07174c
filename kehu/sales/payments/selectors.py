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
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from kehu.org.models import Department, User
from kehu.sales.contracts.choices import SIGNED
from kehu.sales.contracts.models import Contract
from kehu.sales.payments.choices import AGING_BUCKETS, PaymentStatus
from kehu.sales.payments.models import Instalment, Invoice, Receipt

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal(0), output_field=MONEY)


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
    """Instalments annotated with `outstanding` and `payment_status` (paid, overdue, partly paid, unpaid:
    overdue once the due date has passed and it is not fully paid), from their `paid` column."""
    today = today or timezone.localdate()
    qs = Instalment.objects.all() if queryset is None else queryset
    # rounded to the cent: SQLite subtracts decimals as floats (73824.90 - 65704.16 = 8120.73999999999)
    return qs.annotate(
        outstanding=Round(F("amount") - F("paid"), 2, output_field=MONEY),
        payment_status=_status(today),
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
        Instalment.objects.filter(contract__in=contracts.values("pk"), paid__lt=F("amount")), today=today
    )
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
    """Per bucket, the outstanding amount and how many instalments."""
    sums: dict[str, Any] = {}
    for key, _label, low, high in AGING_BUCKETS:
        condition = _bucket(low, high, today)
        sums[f"{key}_amount"] = Round(
            Coalesce(Sum(Case(When(condition, then=F("outstanding")), default=ZERO)), ZERO),
            2,
            output_field=MONEY,
        )
        sums[f"{key}_count"] = Sum(Case(When(condition, then=Value(1)), default=Value(0)))
    return sums


@dataclass(frozen=True)
class AgingReport:
    """The outstanding amounts by age (`buckets`: not yet due, 1–30, 31–60, 61–90, over 90 days past due),
    in all and per rep (the contract's owner) and per department."""

    buckets: list[dict]
    by_owner: list[dict]
    by_department: list[dict]


def receivables_aging_report(
    *, user: User, filters: dict[str, Any] | None = None, today: date | None = None
) -> AgingReport:
    """The aging of what the contracts in scope still owe: one query grouped by owner and department, the
    totals and the two breakdowns added up here (a row per owner and department), then their names."""
    today = today or timezone.localdate()
    rows = list(
        receivables(user=user, filters=filters, today=today)
        .order_by()
        .values(owner=F("contract__owner_id"), department=F("contract__department_id"))
        .annotate(**_aging_sums(today))
    )
    keys = [key for key, *_rest in AGING_BUCKETS]
    totals = {
        f"{key}_{part}": sum(row[f"{key}_{part}"] or 0 for row in rows)
        for key in keys
        for part in ("amount", "count")
    }
    buckets = [
        {
            "bucket": key,
            "label": str(label),
            "amount": Decimal(totals[f"{key}_amount"]),
            "count": totals[f"{key}_count"],
        }
        for key, label, _low, _high in AGING_BUCKETS
    ]
    return AgingReport(buckets, _aging_by(rows, "owner", User), _aging_by(rows, "department", Department))


def _aging_by(rows: list[dict], group: str, model: type) -> list[dict]:
    """The aging per owner or department, from the rows grouped by both; most overdue first."""
    groups: dict[int | None, dict] = {}
    for row in rows:
        entry = groups.setdefault(
            row[group],
            {"id": row[group], "buckets": {key: Decimal(0) for key, *_rest in AGING_BUCKETS}, "count": 0},
        )
        for key, *_rest in AGING_BUCKETS:
            entry["buckets"][key] += row[f"{key}_amount"]
            entry["count"] += row[f"{key}_count"] or 0
    names = {obj.pk: str(obj) for obj in model.objects.filter(pk__in=[pk for pk in groups if pk])}
    for entry in groups.values():
        entry["name"] = names.get(entry["id"], "")
        entry["total"] = sum(entry["buckets"].values(), Decimal(0))
        entry["overdue"] = entry["total"] - entry["buckets"]["not_due"]
    return sorted(groups.values(), key=lambda r: (-r["overdue"], -r["total"], r["name"]))


def receivables_due_for_owner(*, user: User, within_days: int, today: date | None = None) -> QuerySet:
    """What the user's own signed contracts still owe that is overdue or due within `within_days` days,
    soonest first: the workbench's and the daily digest's reminder."""
    today = today or timezone.localdate()
    contracts = Contract.objects.filter(owner=user, deleted_at__isnull=True, status__in=SIGNED)
    instalments = Instalment.objects.filter(
        contract__in=contracts.values("pk"),
        due_on__lte=today + timedelta(days=within_days),
        paid__lt=F("amount"),
    )
    return (
        instalments_with_status(instalments, today=today)
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
