"""Excel export of the purchase statistics the user is looking at: one sheet per table, money as numbers
with a money format, percentages as numbers with a percent-style format."""

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
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from kehu.core.excel import safe_cell
from kehu.sales.statistics.selectors import Figures, ProductFigures, PurchaseStatistics

MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = '0.00"%"'  # margins are percentages already (12.50 means 12.5 %)
QUANTITY_FORMAT = "#,##0.##"


def _cell(sheet: WriteOnlyWorksheet, value: Any, number_format: str | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=safe_cell(value))
    if number_format and isinstance(value, Decimal | date):
        cell.number_format = number_format
    return cell


def _sheet(
    workbook: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[tuple[Any, str | None]]]
) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_cell_header(sheet, h) for h in header])
    for row in rows:
        sheet.append([_cell(sheet, value, number_format) for value, number_format in row])


def _cell_header(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=str(text))
    cell.font = Font(bold=True)
    return cell


def _figures_header() -> list[str]:
    return [_("Purchases"), _("Amount"), _("Cost"), _("Gross profit"), _("Margin %")]


def _figures(row: Figures) -> list[tuple[Any, str | None]]:
    return [
        (row.purchases, None),
        (row.amount, MONEY_FORMAT),
        (row.cost, MONEY_FORMAT),
        (row.gross_profit, MONEY_FORMAT),
        (row.margin, PERCENT_FORMAT),
    ]


def _product(row: ProductFigures) -> list[tuple[Any, str | None]]:
    return [
        (row.code, None),
        (row.name, None),
        (row.unit, None),
        (row.quantity, QUANTITY_FORMAT),
        *_figures(row),
    ]


def _summary(stats: PurchaseStatistics) -> list[list[tuple[Any, str | None]]]:
    totals = stats.totals
    rows: list[list[tuple[Any, str | None]]] = [
        [(_("From"), None), (stats.date_from, "yyyy-mm-dd")],
        [(_("Until"), None), (stats.date_to, "yyyy-mm-dd")],
        [(_("Purchases"), None), (totals.purchases, None)],
        [(_("Amount"), None), (totals.amount, MONEY_FORMAT)],
        [(_("Cost"), None), (totals.cost, MONEY_FORMAT)],
        [(_("Gross profit"), None), (totals.gross_profit, MONEY_FORMAT)],
        [(_("Margin %"), None), (totals.margin, PERCENT_FORMAT)],
        [(_("Average purchase"), None), (totals.average, MONEY_FORMAT)],
    ]
    rows.extend([(str(name), None), (str(value), None)] for name, value in stats.applied)
    return rows


def purchase_statistics_export(*, stats: PurchaseStatistics) -> FileResponse:
    workbook = Workbook(write_only=True)
    _sheet(workbook, _("Summary"), [_("Figure"), _("Value")], _summary(stats))
    _sheet(
        workbook,
        _("By month"),
        [_("Month"), *_figures_header()],
        ([(row.label, None), *_figures(row)] for row in stats.months),
    )
    product_header = [_("Code"), _("Product"), _("Unit"), _("Quantity"), *_figures_header()]
    _sheet(workbook, _("Products by amount"), product_header, map(_product, stats.products_by_amount))
    _sheet(workbook, _("Products by gross profit"), product_header, map(_product, stats.products_by_profit))
    _sheet(
        workbook,
        _("By rep"),
        [_("Rep"), *_figures_header()],
        ([(r.label, None), *_figures(r)] for r in stats.by_rep),
    )
    _sheet(
        workbook,
        _("By department"),
        [_("Department"), *_figures_header()],
        ([(r.label, None), *_figures(r)] for r in stats.by_department),
    )
    if stats.receipts is not None:
        receipts = stats.receipts
        _sheet(
            workbook,
            _("Receipts versus plan"),
            [_("Figure"), _("Value")],
            [
                [(_("Due in the period (plan)"), None), (receipts.plan, MONEY_FORMAT)],
                [(_("Received in the period"), None), (receipts.received, MONEY_FORMAT)],
                [(_("Due in the period, still unpaid"), None), (receipts.unpaid, MONEY_FORMAT)],
                [(_("Received / plan %"), None), (receipts.rate, PERCENT_FORMAT)],
            ],
        )
    buffer = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(buffer)
    buffer.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"purchase-statistics-{stats.date_from:%Y%m%d}-{stats.date_to:%Y%m%d}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
