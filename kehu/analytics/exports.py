"""Excel export of the sales funnel the user is looking at: the stages, then the lost deals by reason, by
competitor and by stage; money as numbers with a money format, rates with a percent-style format."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kehu.analytics.selectors import Funnel, LostGroup
from kehu.core.excel import safe_cell

MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = '0.00"%"'  # rates are percentages already (12.50 means 12.5 %)
DAYS_FORMAT = "0.00"

Row = Sequence[tuple[Any, str | None]]


def _sheet(workbook: Workbook, title: str, header: Sequence[str], rows: Iterable[Row]) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    heads = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = Font(bold=True)
        heads.append(cell)
    sheet.append(heads)
    for row in rows:
        cells = []
        for value, number_format in row:
            cell = WriteOnlyCell(sheet, value=safe_cell(value))
            if number_format and isinstance(value, Decimal | date):
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)


def _lost_rows(groups: Iterable[LostGroup]) -> list[Row]:
    return [[(g.label, None), (g.count, None), (g.amount, MONEY_FORMAT)] for g in groups]


def funnel_export(*, result: Funnel) -> FileResponse:
    workbook = Workbook(write_only=True)
    summary: list[Row] = [
        [(_("Pipeline"), None), (result.pipeline.name, None)],
        [(_("From"), None), (result.date_from, "yyyy-mm-dd")],
        [(_("Until"), None), (result.date_to, "yyyy-mm-dd")],
        [(_("Created in the period"), None), (result.created, None)],
        [(_("Won"), None), (result.won, None)],
        [(_("Win rate %"), None), (result.win_rate, PERCENT_FORMAT)],
        [(_("Lost"), None), (result.lost.count, None)],
        [(_("Lost amount"), None), (result.lost.amount, MONEY_FORMAT)],
        *([(str(name), None), (str(value), None)] for name, value in result.applied),
    ]
    _sheet(workbook, _("Summary"), [_("Figure"), _("Value")], summary)
    _sheet(
        workbook,
        _("Stages"),
        [_("Stage"), _("Reached"), _("Amount"), _("Conversion to next %"), _("Average days"), _("Lost here")],
        (
            [
                (row.name, None),
                (row.reached, None),
                (row.amount, MONEY_FORMAT),
                (row.conversion_rate, PERCENT_FORMAT),
                (row.avg_days, DAYS_FORMAT),
                (row.lost, None),
            ]
            for row in result.stages
        ),
    )
    header = [_("Count"), _("Amount")]
    _sheet(workbook, _("Lost by reason"), [_("Reason"), *header], _lost_rows(result.lost.by_reason))
    competitors = _lost_rows(result.lost.by_competitor)
    _sheet(workbook, _("Lost to competitors"), [_("Competitor"), *header], competitors)
    _sheet(workbook, _("Lost by stage"), [_("Stage"), *header], _lost_rows(result.lost.by_stage))
    buffer = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(buffer)
    buffer.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"sales-funnel-{result.date_from:%Y%m%d}-{result.date_to:%Y%m%d}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
