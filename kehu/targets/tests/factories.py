"""Rows written straight to the tables for the target tests: signed and draft contracts (with lines),
receipts (one voided, one with a credit), customers and follow-ups, each placed at a given day."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.tests.factories import FollowUpFactory
from kehu.org.models import User
from kehu.sales.contracts.models import Contract, ContractLine
from kehu.sales.payments.models import Receipt

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def contract(owner: User, signed_on: date | None, amount: str, status: str = "executing", **kw) -> Contract:
    customer = kw.pop("customer", None) or CustomerFactory(owner=owner)
    return Contract.objects.create(
        number=f"HT-T-{next(_numbers)}",
        title="测试合同",
        customer=customer,
        owner=owner,
        department=owner.department,
        status=status,
        amount=Decimal(amount),
        signed_on=signed_on,
        **kw,
    )


def line(c: Contract, product, amount: str) -> ContractLine:
    return ContractLine.objects.create(
        contract=c,
        product=product,
        name=product.name,
        quantity=1,
        unit_price=Decimal(amount),
        amount=Decimal(amount),
    )


def receipt(c: Contract, received_on: date, amount: str, credit: str = "0", voided: bool = False) -> Receipt:
    return Receipt.objects.create(
        contract=c,
        amount=Decimal(amount),
        credit=Decimal(credit),
        received_on=received_on,
        voided_at=datetime(2026, 1, 1, tzinfo=SHANGHAI) if voided else None,
    )


def local(d: date, t: time = time(12, 0)) -> datetime:
    return datetime.combine(d, t, tzinfo=SHANGHAI)


def customer(owner: User, created: datetime, **kw):
    c = CustomerFactory(owner=owner, **kw)
    type(c).objects.filter(pk=c.pk).update(created_at=created)
    return c


def followup(by: User, at: datetime, **kw):
    return FollowUpFactory(customer=CustomerFactory(owner=by), created_by=by, occurred_at=at, **kw)
