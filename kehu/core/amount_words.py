"""Amounts in Chinese capital numerals (大写金额), as printed on quotes, contracts and invoices."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
GROUP_UNITS = ("", "万", "亿", "万亿")


def _four_digits(n: int) -> str:
    out, zero = "", False
    for power, unit in ((3, "仟"), (2, "佰"), (1, "拾"), (0, "")):
        digit = n // 10**power % 10
        if digit == 0:
            zero = zero or bool(out)
        else:
            out += ("零" if zero else "") + DIGITS[digit] + unit
            zero = False
    return out


def rmb_upper(value: Decimal) -> str:
    """An amount in Chinese capital numerals (大写), as on invoices: 壹万零伍拾元整, 壹拾元零伍分."""
    cents = int((abs(value) * 100).to_integral_value(rounding=ROUND_HALF_UP))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    groups = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    out, zero = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            zero = zero or bool(out)
            continue
        if out and (zero or group < 1000):
            out += "零"
        out += _four_digits(group) + GROUP_UNITS[index]
        zero = False
    if not out and not jiao and not fen:
        return "零元整"
    out += "元" if out else ""
    if jiao:
        out += DIGITS[jiao] + "角"
    elif out and fen:
        out += "零"
    out += DIGITS[fen] + "分" if fen else "整"
    return ("负" if value < 0 else "") + out
