"""Excel export of the attainment the user is looking at: one row per target, numbers as numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _

from kehu.core.excel import xlsx_response
from kehu.targets.choices import Metric
from kehu.targets.selectors import Attainment


def _num(value: Decimal | None, money: bool) -> Any:
    if value is None:
        return None
    return float(value) if money else int(value)


def _pct(value: Decimal | None) -> Any:
    return None if value is None else float(value)


def attainment_export(*, result: Attainment) -> FileResponse:
    money = result.is_money
    header = [_("Year"), _("Metric"), _("Subject"), _("Annual target"), _("Sub-targets"), _("As of")]
    for period in (_("MTD"), _("QTD"), _("YTD")):
        names = {"period": period}
        header += [
            _("%(period)s target") % names,
            _("%(period)s actual") % names,
            _("%(period)s attainment %%") % names,
            _("%(period)s gap") % names,
            _("%(period)s last year") % names,
            _("%(period)s growth %%") % names,
        ]
    metric = str(Metric(result.metric).label)
    rows = []
    for row in result.rows:
        line: list[Any] = [
            result.year,
            metric,
            row.target.get_subject_kind_display() + ": " + row.label,
            _num(row.target.amount, money),
            _num(row.children_target, money),
            result.as_of,
        ]
        for p in (row.mtd, row.qtd, row.ytd):
            line += [
                _num(p.target, money),
                _num(p.actual, money),
                _pct(p.attainment),
                _num(p.gap, money),
                _num(p.last_year, money),
                _pct(p.growth),
            ]
        rows.append(line)
    return xlsx_response(
        filename=f"targets-{result.year}-{result.metric}.xlsx",
        sheet=_("Attainment"),
        header=header,
        rows=rows,
    )
