"""Quote arithmetic, in Decimal, rounded to the cent half up at each documented step.

    line amount      = quantity × unit price × (1 − line discount %)          rounded
    subtotal         = Σ line amounts
    discount amount  = subtotal × total discount %                            rounded
    net              = subtotal − discount amount
    tax              = Σ over tax rates of (Σ line amounts at that rate) × (1 − total discount %) × rate
                       (each rate's tax rounded, as on a VAT invoice)
    total            = net + tax
    list amount      = Σ quantity × list price                                rounded per line
    discount %       = (list amount − net) / list amount, never below 0: what approval conditions compare,
                       so lowered unit prices count as discount as much as discount percentages do.

Prices are without tax.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from kehu.core.money import cents

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    list_price: Decimal
    discount_percent: Decimal = ZERO
    tax_rate: Decimal = ZERO


@dataclass(frozen=True)
class Totals:
    line_amounts: tuple[Decimal, ...]
    list_amount: Decimal
    subtotal: Decimal
    discount_amount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal
    discount_percent: Decimal


def line_amount(line: LineInput) -> Decimal:
    return cents(line.quantity * line.unit_price * (HUNDRED - line.discount_percent) / HUNDRED)


def quote_totals(lines: Iterable[LineInput], discount_percent: Decimal = ZERO) -> Totals:
    lines = list(lines)
    amounts = tuple(line_amount(line) for line in lines)
    subtotal = sum(amounts, ZERO)
    discount_amount = cents(subtotal * discount_percent / HUNDRED)
    net = subtotal - discount_amount
    by_rate: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line, amount in zip(lines, amounts, strict=True):
        by_rate[line.tax_rate] += amount
    keep = (HUNDRED - discount_percent) / HUNDRED
    tax = sum((cents(base * keep * rate / HUNDRED) for rate, base in by_rate.items()), ZERO)
    list_amount = sum((cents(line.quantity * line.list_price) for line in lines), ZERO)
    effective = cents((list_amount - net) / list_amount * HUNDRED) if list_amount else ZERO
    return Totals(
        line_amounts=amounts,
        list_amount=list_amount,
        subtotal=subtotal,
        discount_amount=discount_amount,
        net=net,
        tax=tax,
        total=net + tax,
        discount_percent=max(effective, ZERO),
    )
