"""Splitting an annual amount into twelve months: evenly, by seasonal weights, or in proportion to last
year's monthly actuals. The months always add up exactly to the annual amount (to the cent for money, to
the unit for counts): the rounding remainder goes to the months with the largest rounded-off fractions."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

CENT = Decimal("0.01")
UNIT = Decimal("1")


def split_by_weights(amount: Decimal, weights: Sequence[Decimal], *, step: Decimal = CENT) -> list[Decimal]:
    """`amount` shared in proportion to `weights` (non-negative, not all zero), in multiples of `step`."""
    total = sum(weights, Decimal(0))
    if total <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative and not all zero")
    exact = [amount * w / total for w in weights]
    shares = [e.quantize(step, rounding=ROUND_DOWN) for e in exact]
    left = int((amount - sum(shares, Decimal(0))) / step)
    # Largest remainder first; ties go to the earlier month.
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += step
    return shares


def split_even(amount: Decimal, *, step: Decimal = CENT) -> list[Decimal]:
    return split_by_weights(amount, [Decimal(1)] * 12, step=step)


def split_last_year(
    amount: Decimal, last_year: Sequence[Decimal], *, step: Decimal = CENT
) -> tuple[list[Decimal], bool]:
    """Months in proportion to last year's; `(months, True)` when last year was empty and the split fell
    back to even."""
    if sum(last_year, Decimal(0)) <= 0:
        return split_even(amount, step=step), True
    return split_by_weights(amount, [max(v, Decimal(0)) for v in last_year], step=step), False
