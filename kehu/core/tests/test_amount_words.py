"""Amounts in Chinese capital numerals, with the zeros and the 整 where invoices put them."""

from decimal import Decimal as D

import pytest

from kehu.core.amount_words import rmb_upper


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("12204", "壹万贰仟贰佰零肆元整"),
        ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("100000", "壹拾万元整"),
        ("100000001", "壹亿零壹元整"),
        ("10.05", "壹拾元零伍分"),
        ("1005.50", "壹仟零伍元伍角整"),
        ("0.30", "叁角整"),
        ("0", "零元整"),
        ("3.005", "叁元零壹分"),  # half a cent rounds up, as everywhere else
    ],
)
def test_amount_in_chinese_capitals(amount, words):
    assert rmb_upper(D(amount)) == words
