"""A small book of orders, contracts and receipts for the statistics tests, made through the services, and
the figures expected from it computed here in plain Python from the raw rows (the line quantities and
prices), never from the stored totals the statistics sum."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from kehu.customers.tests.factories import CustomerFactory
from kehu.org.models import User
from kehu.org.tests.personas import Org
from kehu.sales.contracts import services as contracts
from kehu.sales.orders.models import Order, OrderLine
from kehu.sales.orders.tests.factories import make_order
from kehu.sales.payments import services as payments
from kehu.sales.payments.models import Instalment, Receipt, ReceiptAllocation
from kehu.sales.products.models import Product
from kehu.sales.products.tests.factories import ProductFactory

CENT = Decimal("0.01")
PURCHASE_STATUSES = {"confirmed", "shipped", "completed"}


@dataclass
class Book:
    products: list[Product]
    orders: list[Order]


def line(product: Product | None, quantity: str, price: str, cost: str) -> dict[str, Any]:
    if product is None:
        return {
            "name": "实施服务",
            "unit": "人天",
            "quantity": quantity,
            "unit_price": price,
            "unit_cost": cost,
        }
    return {"product_id": product.pk, "quantity": quantity, "unit_price": price, "unit_cost": cost}


def build_book(org: Org) -> Book:
    """Orders of 2025 and 2026 by reps in Shanghai (rep, peer_rep), East (east_rep) and South
    (other_dept_rep), for customers of levels A, B and C; drafts, a cancelled and a deleted order that never
    count; two signed contracts with plans and receipts (one voided) and a draft contract."""
    crm, mes, svc = (
        ProductFactory(code="CRM", name="CRM 企业版", unit="套"),
        ProductFactory(code="MES", name="MES 生产管理", unit="套"),
        ProductFactory(code="SVC", name="运维服务", unit="年"),
    )
    rep_a = CustomerFactory(owner=org.rep, level="A", name="苏州精密")
    rep_b = CustomerFactory(owner=org.rep, level="B", name="无锡机电")
    peer = CustomerFactory(owner=org.peer_rep, level="A", name="上海仪表")
    east = CustomerFactory(owner=org.east_rep, level="C", name="杭州纺织")
    south = CustomerFactory(owner=org.other_dept_rep, level="A", name="广州电子")
    spec = [
        (
            rep_a,
            "confirmed",
            date(2026, 1, 10),
            [line(crm, "2", "1000", "400"), line(mes, "1", "500", "100")],
        ),
        (
            rep_b,
            "completed",
            date(2026, 3, 5),
            [line(mes, "3", "500", "100"), line(None, "1", "1000", "400")],
        ),
        (rep_a, "shipped", date(2026, 3, 20), [line(svc, "1", "3333.33", "1111.11")]),
        (
            rep_a,
            "completed",
            date(2026, 3, 28),
            [line(mes, "1.5", "333.33", "0"), line(mes, "1", "10", "20")],
        ),
        (rep_a, "draft", date(2026, 2, 1), [line(crm, "9", "1000", "400")]),
        (rep_a, "cancelled", date(2026, 2, 2), [line(crm, "8", "1000", "400")]),
        (rep_a, "completed", date(2025, 12, 31), [line(crm, "7", "1000", "400")]),
        (rep_b, "confirmed", date(2026, 4, 2), [line(crm, "6", "1000", "400")]),  # deleted below
        (peer, "confirmed", date(2026, 4, 1), [line(crm, "1", "1000", "450")]),
        (east, "completed", date(2026, 5, 15), [line(mes, "10", "500", "120"), line(svc, "2", "800", "300")]),
        (south, "confirmed", date(2026, 6, 1), [line(crm, "5", "900", "400")]),
        (south, "shipped", date(2026, 12, 31), [line(svc, "1", "1200", "300")]),
    ]
    orders = [
        make_order(customer, lines=lines, status=status, order_date=day)
        for customer, status, day, lines in spec
    ]
    Order.objects.filter(pk=orders[7].pk).update(deleted_at=timezone.now())  # a deleted purchase never counts
    _contracts(org, rep_a, south, mes)
    return Book(products=[crm, mes, svc], orders=orders)


def _signed(actor: User, customer: Any, amount: str, lines: list[dict[str, Any]] | None = None) -> Any:
    draft = contracts.contract_create(
        actor=actor, customer=customer, data={"title": "年度合同", "amount": amount}, lines=lines or []
    )
    return contracts.contract_submit(actor=actor, contract=draft)  # no approval flow: approved at once


def _contracts(org: Org, rep_customer: Any, south_customer: Any, product: Product) -> None:
    mine = _signed(org.rep, rep_customer, "100000")
    payments.plan_set(
        actor=org.rep,
        contract=mine,
        instalments=[
            {"amount": "30000", "due_on": "2026-02-01"},
            {"amount": "30000", "due_on": "2026-07-01"},
            {"amount": "40000", "due_on": "2027-01-10"},
        ],
    )
    for amount, day in (("30000", "2026-02-03"), ("10000", "2026-07-05"), ("5000", "2026-03-01")):
        receipt = payments.receipt_record(
            actor=org.rep, contract=mine, data={"amount": amount, "received_on": day}
        )
    payments.receipt_void(actor=org.dept_manager, receipt=receipt, reason="重复录入")
    south = _signed(
        org.other_dept_rep,
        south_customer,
        "50000",
        lines=[{"product_id": product.pk, "quantity": "1", "unit_price": "50000"}],
    )
    payments.plan_set(
        actor=org.other_dept_rep, contract=south, instalments=[{"amount": "50000", "due_on": "2026-05-01"}]
    )
    payments.receipt_record(
        actor=org.other_dept_rep, contract=south, data={"amount": "20000", "received_on": "2026-05-02"}
    )
    contracts.contract_create(  # a draft: its amount is no plan
        actor=org.rep, customer=rep_customer, data={"title": "草稿", "amount": "77777"}, lines=[]
    )


# Expected figures, from the raw rows ------------------------------------------------------------------------


def raw_orders() -> list[dict[str, Any]]:
    """Every order with its lines' amount and cost computed here (quantity × unit price, to the cent)."""
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in OrderLine.objects.values("order_id", "product_id", "quantity", "unit_price", "unit_cost"):
        row["amount"] = (row["quantity"] * row["unit_price"]).quantize(CENT, ROUND_HALF_UP)
        row["cost"] = (row["quantity"] * row["unit_cost"]).quantize(CENT, ROUND_HALF_UP)
        lines[row["order_id"]].append(row)
    orders = list(
        Order.objects.values(
            "id",
            "owner_id",
            "department_id",
            "customer_id",
            "customer__level",
            "order_date",
            "status",
            "deleted_at",
        )
    )
    for order in orders:
        order["lines"] = lines[order["id"]]
        order["amount"] = sum((ln["amount"] for ln in order["lines"]), Decimal("0.00"))
        order["cost"] = sum((ln["cost"] for ln in order["lines"]), Decimal("0.00"))
    return orders


def purchases(
    orders: Iterable[dict[str, Any]], keep: Callable[[dict[str, Any]], bool], start: date, end: date
) -> list[dict[str, Any]]:
    return [
        o
        for o in orders
        if o["status"] in PURCHASE_STATUSES
        and o["deleted_at"] is None
        and start <= o["order_date"] <= end
        and keep(o)
    ]


def figures(orders: list[dict[str, Any]]) -> tuple[int, Decimal, Decimal, Decimal]:
    amount = sum((o["amount"] for o in orders), Decimal("0.00"))
    cost = sum((o["cost"] for o in orders), Decimal("0.00"))
    return len(orders), amount, cost, amount - cost


def by(orders: list[dict[str, Any]], key: str) -> dict[Any, tuple[int, Decimal, Decimal, Decimal]]:
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for o in orders:
        groups[o[key]].append(o)
    return {k: figures(v) for k, v in groups.items()}


def by_product(orders: list[dict[str, Any]], product_id: int | None = None) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for o in orders:
        for ln in o["lines"]:
            if ln["product_id"] is None or (product_id and ln["product_id"] != product_id):
                continue
            row = out.setdefault(
                ln["product_id"],
                {"orders": set(), "quantity": Decimal(0), "amount": Decimal(0), "cost": Decimal(0)},
            )
            row["orders"].add(o["id"])
            row["quantity"] += ln["quantity"]
            row["amount"] += ln["amount"]
            row["cost"] += ln["cost"]
    return out


def receipts_expected(contract_ids: set[int], start: date, end: date) -> tuple[Decimal, Decimal, Decimal]:
    """(plan, received, unpaid) from the instalment, receipt and allocation rows of these contracts."""
    due = [
        i
        for i in Instalment.objects.values("id", "contract_id", "amount", "due_on")
        if i["contract_id"] in contract_ids
    ]
    due = [i for i in due if start <= i["due_on"] <= end]
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for a in ReceiptAllocation.objects.values("instalment_id", "amount"):
        paid[a["instalment_id"]] += a["amount"]
    received = sum(
        (
            r["amount"]
            for r in Receipt.objects.values("contract_id", "amount", "received_on", "voided_at")
            if r["contract_id"] in contract_ids
            and r["voided_at"] is None
            and start <= r["received_on"] <= end
        ),
        Decimal("0.00"),
    )
    plan = sum((i["amount"] for i in due), Decimal("0.00"))
    unpaid = sum((i["amount"] - paid[i["id"]] for i in due), Decimal("0.00"))
    return plan, received, unpaid
