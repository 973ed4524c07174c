"""Order arithmetic, in Decimal, rounded to the cent half up:

    line amount       = quantity × unit price       rounded
    line cost amount  = quantity × unit cost        rounded
    total             = Σ line amounts
    cost total        = Σ line cost amounts
    gross profit      = total − cost total

Prices and costs are without tax.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from kehu.core.money import cents

ZERO = Decimal(0)


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    unit_cost: Decimal


@dataclass(frozen=True)
class Totals:
    amounts: tuple[Decimal, ...]
    cost_amounts: tuple[Decimal, ...]
    total: Decimal
    cost_total: Decimal
    gross_profit: Decimal


def order_totals(lines: Iterable[LineInput]) -> Totals:
    lines = list(lines)
    amounts = tuple(cents(line.quantity * line.unit_price) for line in lines)
    costs = tuple(cents(line.quantity * line.unit_cost) for line in lines)
    total, cost_total = sum(amounts, ZERO), sum(costs, ZERO)
    return Totals(amounts, costs, total, cost_total, total - cost_total)
