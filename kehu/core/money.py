"""Money in Decimal, never float: the cent, the largest amount a money column holds, rounding to the cent
half up (as on a VAT invoice), and reading a number given as text or as a number."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
MAX_MONEY = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)


def cents(value: Decimal | int | str) -> Decimal:
    """`value` rounded to the cent, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def decimal_or_none(value: Any) -> Decimal | None:
    """A finite Decimal from a number or its text (" 1200.50 "); None when empty, not a number or infinite."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
