"""Quote arithmetic: line and total discounts, tax per rate, rounding to the cent (half up), in Decimal."""

from decimal import Decimal as D

from kehu.sales.quotes.totals import LineInput, line_amount, quote_totals


def line(quantity, price, list_price=None, discount="0", tax="13"):
    return LineInput(
        quantity=D(quantity),
        unit_price=D(price),
        list_price=D(list_price if list_price is not None else price),
        discount_percent=D(discount),
        tax_rate=D(tax),
    )


def test_line_amount_applies_the_line_discount_and_rounds_half_up():
    assert line_amount(line("3", "33.33", discount="10")) == D("89.99")  # 89.991
    assert line_amount(line("1", "0.05", discount="50")) == D("0.03")  # 0.025 → 0.03, not banker's 0.02
    assert line_amount(line("2.5", "19.99")) == D("49.98")  # 49.975 → 49.98


def test_totals_with_line_and_total_discounts_and_two_tax_rates():
    lines = [
        line("10", "1000", list_price="1200", discount="5", tax="13"),  # 9,500.00; list 12,000
        line("1", "3333.33", tax="6"),  # 3,333.33
    ]
    totals = quote_totals(lines, D("10"))

    assert totals.line_amounts == (D("9500.00"), D("3333.33"))
    assert totals.subtotal == D("12833.33")
    assert totals.discount_amount == D("1283.33")  # 1,283.333
    assert totals.net == D("11550.00")
    # 13 %: 9,500 × 0.9 × 0.13 = 1,111.50; 6 %: 3,333.33 × 0.9 × 0.06 = 179.99982 → 180.00
    assert totals.tax == D("1291.50")
    assert totals.total == D("12841.50")
    assert totals.list_amount == D("15333.33")
    # (15,333.33 − 11,550.00) / 15,333.33 = 24.6739… %
    assert totals.discount_percent == D("24.67")
    assert all(isinstance(v, D) for v in (totals.subtotal, totals.tax, totals.total, totals.discount_percent))


def test_a_price_above_list_is_no_discount_and_no_lines_are_all_zero():
    assert quote_totals([line("1", "120", list_price="100")]).discount_percent == D("0")
    empty = quote_totals([], D("5"))
    assert (empty.subtotal, empty.tax, empty.total, empty.discount_percent) == (0, 0, 0, 0)


def test_free_lines_have_no_list_amount_and_full_discount_is_zero_total():
    totals = quote_totals([line("2", "0", list_price="0")])
    assert (totals.list_amount, totals.total, totals.discount_percent) == (0, 0, 0)
    totals = quote_totals([line("1", "100")], D("100"))
    assert (totals.net, totals.tax, totals.total, totals.discount_percent) == (0, 0, 0, D("100.00"))
