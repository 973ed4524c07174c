from decimal import Decimal as D

import pytest

from kehu.core.exceptions import DomainError
from kehu.targets.services import months_check, target_split
from kehu.targets.splits import split_by_weights, split_even, split_last_year


def test_even_split_adds_up_to_the_cent():
    months = split_even(D("100000.00"))
    assert sum(months) == D("100000.00")
    assert months[:4] == [D("8333.34")] * 4
    assert months[4:] == [D("8333.33")] * 8


def test_even_split_of_an_amount_smaller_than_twelve_cents():
    assert split_even(D("0.05")) == [D("0.01")] * 5 + [D("0.00")] * 7


def test_seasonal_weights():
    weights = [D(w) for w in (1, 1, 2, 2, 2, 3, 1, 1, 2, 2, 2, 3)]  # sum 22
    months = split_by_weights(D("1000.00"), weights)
    assert sum(months) == D("1000.00")
    # 1000/22 = 45.4545…: rounded down, the months sum to 999.92; the 8 cents left go to the largest
    # remainders: the six weight-2 months (90.9090…) then the first two weight-1 months (45.4545…)
    assert months == [
        D(m)
        for m in (
            "45.46",
            "45.46",
            "90.91",
            "90.91",
            "90.91",
            "136.36",
            "45.45",
            "45.45",
            "90.91",
            "90.91",
            "90.91",
            "136.36",
        )
    ]


def test_last_year_proportion_and_fallback_to_even():
    last = [D(0)] * 11 + [D("300")]
    months, fell_back = split_last_year(D("1200.00"), [D("100")] * 6 + [D("300")] * 6)
    assert not fell_back
    assert months == [D("50.00")] * 6 + [D("150.00")] * 6
    months, fell_back = split_last_year(D("1200.00"), last)
    assert not fell_back
    assert months == [D("0.00")] * 11 + [D("1200.00")]
    months, fell_back = split_last_year(D("1200.00"), [D(0)] * 12)
    assert fell_back
    assert months == [D("100.00")] * 12


def test_counts_split_into_whole_numbers():
    months, _ = target_split(amount=D(100), metric="new_customers", method="even")
    assert months == [D(9)] * 4 + [D(8)] * 8
    assert sum(months) == 100


@pytest.mark.parametrize(
    ("amount", "metric", "method", "weights"),
    [
        (D("10.5"), "followups", "even", None),
        (D("-1"), "signed_amount", "even", None),
        (D("100"), "signed_amount", "seasonal", [D(1)] * 11),
        (D("100"), "signed_amount", "seasonal", [D(0)] * 12),
    ],
)
def test_split_refuses_bad_input(amount, metric, method, weights):
    with pytest.raises(DomainError):
        target_split(amount=amount, metric=metric, method=method, weights=weights)


def test_edited_months_must_add_up_to_the_annual_amount():
    months = [D("100.00")] * 12
    assert months_check(amount=D("1200.00"), months=months, metric="signed_amount") == months
    with pytest.raises(DomainError, match=r"add up to 1199\.99, not to the annual target 1200\.00"):
        months_check(amount=D("1200.00"), months=[*months[:11], D("99.99")], metric="signed_amount")
    with pytest.raises(DomainError, match="twelve"):
        months_check(amount=D("1100.00"), months=months[:11], metric="signed_amount")
