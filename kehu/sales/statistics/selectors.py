"""Purchase statistics: what the purchases (confirmed, shipped and completed orders) in the viewer's scope
amount to over a period — count, amount, cost, gross profit, by month, by rep, by department, the products
ranked by amount and by gross profit — and the receipts against the payment plans due in the period.

Every figure is a SQL aggregate, in a fixed number of queries whatever the number of orders: whole months
whose rollup is built (models.py) are read from the monthly rollups, the rest of the period (its partial
first and last months, months changed since they were built) from the orders' stored totals and lines.
The product and customer-level filters read everything from the orders (the rollups do not carry them).
Scope is the orders', the rollups' and the contracts' own `visible_to`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, Exists, Func, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils.translation import gettext as _

from kehu.core.exceptions import FilterError
from kehu.customers.choices import CustomerLevel
from kehu.org.models import Department, User
from kehu.sales.contracts.choices import SIGNED
from kehu.sales.contracts.models import Contract, ContractLine
from kehu.sales.orders.models import Order, OrderLine
from kehu.sales.payments.models import Instalment, Receipt, ReceiptAllocation
from kehu.sales.products.models import Product
from kehu.sales.statistics.filters import PurchaseStatisticsFilter
from kehu.sales.statistics.models import ProductMonth, PurchaseMonth, RollupMonth
from kehu.sales.statistics.rollup import next_month

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
TOP = 10


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, to two places; None when `whole` is zero."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """Purchases (orders) and what they amount to: amount, cost and gross profit (amount − cost)."""

    purchases: int = 0
    amount: Decimal = ZERO
    cost: Decimal = ZERO
    gross_profit: Decimal = ZERO

    @property
    def margin(self) -> Decimal | None:
        """Gross profit as a percentage of the amount."""
        return percent(self.gross_profit, self.amount)


@dataclass(frozen=True)
class Totals(Figures):
    @property
    def average(self) -> Decimal | None:
        """The average amount of a purchase, to the cent; None when nothing was bought."""
        return (
            (self.amount / self.purchases).quantize(CENT, rounding=ROUND_HALF_UP) if self.purchases else None
        )


@dataclass(frozen=True)
class Group(Figures):
    """One row of a breakdown: a month (`key` its first day), a rep or a department (`key` its id)."""

    key: Any = None
    label: str = ""


@dataclass(frozen=True)
class ProductFigures(Figures):
    """A product's lines on the purchases: `purchases` counts the orders with it."""

    product_id: int = 0
    code: str = ""
    name: str = ""
    unit: str = ""
    quantity: Decimal = ZERO


@dataclass(frozen=True)
class ReceiptsVersusPlan:
    """`plan`: instalments due in the period on signed contracts; `unpaid`: the part of them still unpaid;
    `received`: receipts (not voided) received in the period, whatever instalment they paid."""

    plan: Decimal = ZERO
    received: Decimal = ZERO
    unpaid: Decimal = ZERO

    @property
    def rate(self) -> Decimal | None:
        """Received as a percentage of the plan."""
        return percent(self.received, self.plan)


@dataclass(frozen=True)
class PurchaseStatistics:
    date_from: date
    date_to: date
    filters: dict[str, Any]
    totals: Totals
    months: list[Group]
    by_rep: list[Group]
    by_department: list[Group]
    products_by_amount: list[ProductFigures]
    products_by_profit: list[ProductFigures]
    receipts: ReceiptsVersusPlan | None = None  # None: the viewer may not see payment plans
    applied: list[tuple[str, str]] = field(default_factory=list)  # the filters beyond the period, named
    top: int = TOP


def purchase_statistics_filters(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The filters, checked: `date_from`, `date_to` (this year by default), `owner`, `department` (a
    Department), `product`, `level`. Raises FilterError naming the parameter at fault."""
    form = PurchaseStatisticsFilter(filters or {})
    if not form.is_valid():
        raise FilterError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return form.cleaned_data


def _applied(filters: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The filters beyond the period, as (label, value) for the page and the export."""
    applied: list[tuple[str, str]] = []
    if filters.get("owner"):
        owner = User.objects.filter(pk=filters["owner"]).first()
        applied.append((_("Rep"), str(owner) if owner else f"#{filters['owner']}"))
    if filters.get("department"):
        applied.append((_("Department"), filters["department"].name))
    if filters.get("product"):
        product = Product.objects.filter(pk=filters["product"]).only("code", "name").first()
        applied.append(
            (_("Product"), f"{product.code} {product.name}" if product else f"#{filters['product']}")
        )
    if filters.get("level"):
        applied.append((_("Customer level"), str(CustomerLevel(filters["level"]).label)))
    return applied


def _figures() -> dict[str, Any]:
    return {
        "purchases": Count("id"),
        "amount": Sum("total", default=ZERO),
        "cost": Sum("cost_total", default=ZERO),
        "gross_profit": Sum("gross_profit", default=ZERO),
    }


def _owned_by(qs: QuerySet, filters: Mapping[str, Any], department_ids: list[int] | None) -> QuerySet:
    """The filters orders and contracts share: rep, department subtree, customer level."""
    if filters.get("owner"):
        qs = qs.filter(owner_id=filters["owner"])
    if department_ids is not None:
        qs = qs.filter(department_id__in=department_ids)
    if filters.get("level"):
        qs = qs.filter(customer__level=filters["level"])
    return qs


def _orders(user: User, filters: Mapping[str, Any], department_ids: list[int] | None) -> QuerySet[Order]:
    qs = (
        Order.objects.purchases()
        .visible_to(user)
        .filter(order_date__gte=filters["date_from"], order_date__lte=filters["date_to"])
    )
    qs = _owned_by(qs, filters, department_ids)
    if filters.get("product"):
        lines = OrderLine.objects.filter(order_id=OuterRef("pk"), product_id=filters["product"])
        qs = qs.filter(Exists(lines))
    return qs.order_by()


FIGURES = ("purchases", "amount", "cost", "gross_profit")


def _groups(orders: QuerySet[Order]) -> QuerySet:
    """The orders' figures by month, rep and department: one GROUP BY, one pass over the orders."""
    return orders.annotate(month=_month()).values("month", "owner_id", "department_id").annotate(**_figures())


def _rollup_groups(rollup: QuerySet[PurchaseMonth]) -> QuerySet:
    return rollup.values("month", "owner_id", "department_id").annotate(
        purchases=Sum("purchases"),
        amount=Sum("amount"),
        cost=Sum("cost"),
        gross_profit=Sum("gross_profit"),
    )


def _breakdowns(
    rows: Iterable[Mapping[str, Any]], start: date, end: date
) -> tuple[Figures, list[Group], list[Group], list[Group]]:
    """The totals, and by month, by rep and by department, from groups of month, rep and department (a few
    per rep and month), added up here."""
    months: dict[Any, list[Any]] = {}
    reps: dict[Any, list[Any]] = {}
    departments: dict[Any, list[Any]] = {}
    everything: dict[Any, list[Any]] = {None: [0, ZERO, ZERO, ZERO]}
    for row in rows:
        keys = (
            (months, _first_of_month(row["month"])),
            (reps, row["owner_id"]),
            (departments, row["department_id"]),
            (everything, None),
        )
        for groups, key in keys:
            figures = groups.setdefault(key, [0, ZERO, ZERO, ZERO])
            for i, name in enumerate(FIGURES):
                figures[i] += row[name]
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=[k for k in reps if k])}
    names = {d.pk: d.name for d in Department.objects.filter(pk__in=[k for k in departments if k])}
    return (
        Figures(**dict(zip(FIGURES, everything[None], strict=True))),
        _month_series(months, start, end),
        _ranked(reps, users),
        _ranked(departments, names),
    )


def _month_series(months: Mapping[date, list[Any]], start: date, end: date) -> list[Group]:
    """Every month of the period, those without purchases at zero."""
    series, day = [], date(start.year, start.month, 1)
    while day <= end:
        figures = dict(zip(FIGURES, months[day], strict=True)) if day in months else {}
        series.append(Group(key=day, label=f"{day:%Y-%m}", **figures))
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return series


def _ranked(groups: Mapping[Any, list[Any]], labels: Mapping[Any, str]) -> list[Group]:
    """Groups by amount, highest first; those without a rep or department ("—") last among equals."""
    ordered = sorted(groups.items(), key=lambda item: (-item[1][1], item[0] is None, item[0] or 0))
    return [
        Group(key=key, label=labels.get(key, "—"), **dict(zip(FIGURES, figures, strict=True)))
        for key, figures in ordered
    ]


def _month() -> Func:
    """The order's month. On SQLite, TruncMonth calls a Python function for every row (four times slower
    than taking "2026-03" off the ISO text SQLite stores dates as); PostgreSQL truncates natively."""
    if connection.vendor == "sqlite":
        return Substr("order_date", 1, 7)
    return TruncMonth("order_date")


def _first_of_month(value: date | str) -> date:
    if isinstance(value, str):  # "2026-03" from SQLite
        return date(int(value[:4]), int(value[5:7]), 1)
    return date(value.year, value.month, 1)  # PostgreSQL truncates a date to a timestamp


PRODUCT_FIGURES = ("purchases", "quantity", "amount", "cost")


def _products(
    orders: QuerySet[Order], rollup: QuerySet[ProductMonth], filters: Mapping[str, Any], top: int
) -> tuple[list[ProductFigures], list[ProductFigures]]:
    """The products on the purchases' lines, the `top` by amount and the `top` by gross profit: one GROUP BY
    product over the lines and one over the rollup (sums in SQL), added up and ranked here both ways.
    Free-text lines (no product) count in the totals only."""
    lines = OrderLine.objects.filter(order__in=orders.values("pk"), product_id__isnull=False)
    if filters.get("product"):
        lines = lines.filter(product_id=filters["product"])
    sums = {
        "quantity": Sum("quantity", default=ZERO),
        "amount": Sum("amount", default=ZERO),
        "cost": Sum("cost_amount", default=ZERO),
    }
    grouped = (
        lines.order_by().values("product_id").annotate(purchases=Count("order_id", distinct=True), **sums)
    )
    rolled = rollup.values("product_id").annotate(**{name: Sum(name) for name in PRODUCT_FIGURES})
    found: dict[int, dict[str, Any]] = {}
    for row in [*grouped, *rolled]:  # one row per product sold in each: the catalogue bounds them
        figures = found.setdefault(
            row["product_id"], {"purchases": 0, "quantity": ZERO, "amount": ZERO, "cost": ZERO}
        )
        for name in PRODUCT_FIGURES:
            figures[name] += row[name]
    for figures in found.values():
        figures["gross_profit"] = figures["amount"] - figures["cost"]
    by_amount = sorted(found, key=lambda pk: (-found[pk]["amount"], pk))[:top]
    by_profit = sorted(found, key=lambda pk: (-found[pk]["gross_profit"], pk))[:top]
    products = {
        p.pk: p for p in Product.objects.filter(pk__in={*by_amount, *by_profit}).only("code", "name", "unit")
    }

    def rows(ids: list[int]) -> list[ProductFigures]:
        return [
            ProductFigures(
                product_id=pk,
                code=products[pk].code,
                name=products[pk].name,
                unit=products[pk].unit,
                **found[pk],
            )
            for pk in ids
        ]

    return rows(by_amount), rows(by_profit)


def _built_months(start: date, end: date) -> list[date]:
    """The whole months of the period whose rollup is built."""
    month = start if start.day == 1 else next_month(start)
    whole = []
    while next_month(month) - timedelta(days=1) <= end:
        whole.append(month)
        month = next_month(month)
    built = RollupMonth.objects.filter(month__in=whole, stale=False).values_list("month", flat=True)
    return sorted(built) if whole else []


def _elsewhere(start: date, end: date, built: list[date]) -> Q | None:
    """The days of the period outside the built months, as order-date ranges; None when there are none."""
    ranges, day = [], start
    for month in built:
        if day < month:
            ranges.append((day, month - timedelta(days=1)))
        day = next_month(month)
    if day <= end:
        ranges.append((day, end))
    condition = None
    for low, high in ranges:
        part = Q(order_date__gte=low, order_date__lte=high)
        condition = part if condition is None else condition | part
    return condition


def _receipts(
    user: User, filters: Mapping[str, Any], department_ids: list[int] | None
) -> ReceiptsVersusPlan | None:
    """Instalments due in the period on the signed contracts in scope (and the part still unpaid), and the
    receipts received in the period on them; the rep, department, level and product filters apply to the
    contracts (the product: contracts with a line of it)."""
    if not user.has_perm("payments.view_instalment"):
        return None
    contracts = _owned_by(
        Contract.objects.visible_to(user).alive().filter(status__in=SIGNED), filters, department_ids
    )
    if filters.get("product"):
        lines = ContractLine.objects.filter(contract_id=OuterRef("pk"), product_id=filters["product"])
        contracts = contracts.filter(Exists(lines))
    period = {"gte": filters["date_from"], "lte": filters["date_to"]}
    ids = contracts.values("pk")
    due = Instalment.objects.filter(contract__in=ids, due_on__gte=period["gte"], due_on__lte=period["lte"])
    plan = due.aggregate(amount=Sum("amount", default=ZERO))["amount"]
    # what was matched to them: never more than an instalment's amount, so the rest is what is unpaid
    paid = ReceiptAllocation.objects.filter(instalment__in=due.values("pk")).aggregate(
        amount=Sum("amount", default=ZERO)
    )["amount"]
    received = Receipt.objects.filter(
        contract__in=ids,
        voided_at__isnull=True,
        received_on__gte=period["gte"],
        received_on__lte=period["lte"],
    ).aggregate(amount=Sum("amount", default=ZERO))["amount"]
    return ReceiptsVersusPlan(plan=plan, received=received, unpaid=plan - paid)


def purchase_statistics(
    *, user: User, filters: Mapping[str, Any] | None = None, top: int = TOP
) -> PurchaseStatistics:
    """The purchase statistics of the orders `user` sees (permission `orders.view_order`), filtered by
    `date_from` / `date_to` (the order date; this year by default), `owner` (the rep), `department` (with its
    sub-departments), `product` (orders with a line of it; the ranking then shows that product only) and
    `level` (the customer's). Bad filter values raise FilterError. A fixed number of queries."""
    if not user.has_perm("orders.view_order"):
        raise PermissionDenied
    cleaned = purchase_statistics_filters(filters)
    with _one_snapshot():
        return _statistics(user, cleaned, top)


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """On PostgreSQL, every read of the statistics in one REPEATABLE READ transaction: an order moved from a
    built month to another while they run is counted once. (SQLite starts its transactions by taking the
    write lock, which a report should not hold; its reads follow one another within milliseconds.)"""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _statistics(user: User, cleaned: dict[str, Any], top: int) -> PurchaseStatistics:
    department = cleaned.get("department")
    department_ids = list(department.subtree().values_list("id", flat=True)) if department else None
    start, end = cleaned["date_from"], cleaned["date_to"]
    orders = _orders(user, cleaned, department_ids)
    from_orders_only = cleaned.get("product") or cleaned.get("level")
    built = [] if from_orders_only else _built_months(start, end)
    elsewhere = _elsewhere(start, end, built)
    raw = orders.filter(elsewhere) if elsewhere is not None else orders.none()
    rolled, rolled_products = (
        _owned_by(model.objects.visible_to(user).filter(month__in=built), cleaned, department_ids).order_by()
        if built
        else model.objects.none()
        for model in (PurchaseMonth, ProductMonth)
    )
    figures, months, by_rep, by_department = _breakdowns([*_groups(raw), *_rollup_groups(rolled)], start, end)
    by_amount, by_profit = _products(raw, rolled_products, cleaned, top)
    return PurchaseStatistics(
        date_from=cleaned["date_from"],
        date_to=cleaned["date_to"],
        filters=cleaned,
        totals=Totals(**vars(figures)),
        months=months,
        by_rep=by_rep,
        by_department=by_department,
        products_by_amount=by_amount,
        products_by_profit=by_profit,
        receipts=_receipts(user, cleaned, department_ids),
        applied=_applied(cleaned),
        top=top,
    )
