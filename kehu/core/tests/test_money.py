from decimal import Decimal as D

import pytest

from kehu.core.money import cents, decimal_or_none


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1200", D("1200")), (" 0.5 ", D("0.5")), (3, D(3)), (D("1.005"), D("1.005")), ("1e3", D("1000"))],
)
def test_numbers_and_their_text_are_read(value, expected):
    assert decimal_or_none(value) == expected


@pytest.mark.parametrize("value", [None, "", "  ", "abc", "NaN", "Infinity", "-inf", "1,000", "²"])
def test_empty_bad_and_infinite_input_is_none(value):
    assert decimal_or_none(value) is None


def test_cents_round_half_up_as_on_an_invoice():
    assert [cents(D(x)) for x in ("1.005", "1.004", "-1.005", "2")] == [
        D("1.01"),
        D("1.00"),
        D("-1.01"),
        D("2.00"),
    ]
