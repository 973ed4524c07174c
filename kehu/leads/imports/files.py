"""Reading an uploaded file: what it is, its encoding, its header and first rows, then its rows as a stream.

Excel workbooks (.xlsx, the first sheet) are inspected with openpyxl in read-only mode. Their rows are
read with python-calamine up to KEHU_IMPORT_XLSX_IN_MEMORY_BYTES of file (it parses the whole sheet at
once, ~20 times faster, holding it in memory: about 15 MB per MB of .xlsx), and streamed by openpyxl
above that, or when calamine cannot read the file. CSV files, in UTF-8, GBK/GB18030 or UTF-16 with the
commonest of , ; tab | as the separator, are streamed: the memory used does not grow with the file.

Both readers give the same rows: the spreadsheet row number (the header is row 1), column A at index 0.
Where they differ (error cells such as #N/A: the text from openpyxl, an empty cell from calamine;
dates in the built-in Chinese formats 27–36 and 50–58: a number from openpyxl, a date from calamine),
calamine is the more accurate.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum

from kehu.core.exceptions import DomainError
from kehu.leads.models import LeadImport

FORMATS = ("xlsx", "csv")
PREVIEW_ROWS = 5
PREVIEW_SCAN = 1000  # rows looked at for the preview; a file of only empty rows past this is accepted
SAMPLE_BYTES = 64 * 1024

Inspection = tuple[str, int, list[str], list[list[str]]]  # encoding, rows (estimate), header, preview


def stored_file(relative: str) -> Path:
    """Where an uploaded file is kept, from the path saved on the job."""
    return Path(settings.VAR_DIR) / relative


def inspect(path: Path, extension: str) -> Inspection:
    """(encoding, data rows, header, preview) of a stored upload; DomainError on `file` if unreadable."""
    return _inspect_xlsx(path) if extension == "xlsx" else _inspect_csv(path)


def data_rows(job: LeadImport, *, skip: int = 0) -> Iterator[tuple[int, Sequence[Any]]]:
    """(spreadsheet row number, cells) of the data rows after the first `skip`; the header is row 1."""
    path = stored_file(job.stored_path)
    if job.file_format == "xlsx":
        limit = settings.KEHU_IMPORT_XLSX_IN_MEMORY_BYTES
        sheet = _calamine_sheet(path) if limit and path.stat().st_size <= limit else None
        yield from _openpyxl_rows(path, skip) if sheet is None else _calamine_rows(sheet, skip)
        return
    with _csv_reader(path, job.encoding) as reader:
        next(reader, None)
        yield from enumerate(itertools.islice(reader, skip, None), start=2 + skip)


# --- cells ----------------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without “.0”, dates as 2024-01-31 (with the time if it has one)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ", "minutes")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def is_empty(cells: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in cells)


# --- xlsx -----------------------------------------------------------------------------------------------


def _not_a(kind: str) -> DomainError:
    messages = {
        "xlsx": _(
            "This file is not an Excel workbook, although its name ends in .xlsx. "
            "Open it in Excel or WPS and save it as .xlsx."
        ),
        "csv": _("This file is not a CSV text file: it contains binary data. Save it as CSV and try again."),
        "encoding": _(
            "The text of this file is neither UTF-8 nor GBK. Save it as “CSV UTF-8” and try again."
        ),
    }
    return DomainError(messages[kind], field="file")


def _inspect_xlsx(path: Path) -> Inspection:
    if not zipfile.is_zipfile(path):
        raise _not_a("xlsx")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a damaged or foreign file
        raise _not_a("xlsx") from None
    with closing(workbook):
        if not workbook.worksheets:
            raise _not_a("xlsx")
        sheet = workbook.worksheets[0]
        hint = sheet.max_row if isinstance(sheet.max_row, int) and sheet.max_row > 1 else None
        sheet.reset_dimensions()  # a wrong <dimension> must not cut the rows short
        header, preview = _header_and_preview(sheet.iter_rows(values_only=True))
        if hint is None:  # no size in the file (or "A1"): count the rows for the progress bar
            hint = _count_xlsx_rows(path, getattr(sheet, "_worksheet_path", ""))
    return "", max(hint - 1, 0), header, preview


def _openpyxl_rows(path: Path, skip: int) -> Iterator[tuple[int, Sequence[Any]]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    with closing(workbook):
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        yield from enumerate(sheet.iter_rows(min_row=2 + skip, values_only=True), start=2 + skip)


def _calamine_sheet(path: Path) -> CalamineSheet | None:
    """The first worksheet (as openpyxl's `worksheets[0]`: chart sheets do not count), parsed; None if
    python-calamine cannot read the file, which openpyxl then reads, or refuses as it did at upload."""
    try:
        with CalamineWorkbook.from_path(path) as workbook:
            kinds = [sheet.typ for sheet in workbook.sheets_metadata]
            if SheetTypeEnum.WorkSheet not in kinds:
                return None
            sheet = workbook.get_sheet_by_index(kinds.index(SheetTypeEnum.WorkSheet))
    except BaseException as exc:  # a CalamineError, or a Rust panic (a BaseException) on an odd file
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return None
    return sheet if sheet.start else None  # no cells at all (iter_rows needs a start): leave it to openpyxl


def _calamine_rows(sheet: CalamineSheet, skip: int) -> Iterator[tuple[int, Sequence[Any]]]:
    """The rows as openpyxl gives them. iter_rows() starts at row 1 (the rows above the sheet's data come
    as empty rows) but at the data's first column: the columns left of it are added back as empty cells.
    Numbers are all floats in calamine: whole ones become ints, as openpyxl reads "13912345678"."""
    left = [""] * (sheet.start or (0, 0))[1]
    for number, cells in itertools.islice(enumerate(sheet.iter_rows(), start=1), 1 + skip, None):
        cells = [int(v) if type(v) is float and v.is_integer() and -1e16 < v < 1e16 else v for v in cells]
        yield number, left + cells


def _count_xlsx_rows(path: Path, member: str) -> int:
    """Rows of a sheet by counting <row> elements in its XML: much faster than parsing it."""
    if not member:
        return 0
    tags = (b"<row ", b"<row>", b":row ", b":row>")
    count, tail = 0, b""
    with zipfile.ZipFile(path) as archive, archive.open(member) as xml:
        while chunk := xml.read(1024 * 1024):
            data = tail + chunk
            tail = data[-5:]
            count += sum(data.count(tag) for tag in tags) - sum(tail.count(tag) for tag in tags)
    return count + sum(tail.count(tag) for tag in tags)


# --- csv ------------------------------------------------------------------------------------------------


def _inspect_csv(path: Path) -> Inspection:
    with path.open("rb") as stream:
        sample = stream.read(SAMPLE_BYTES)
    encoding = _detect_encoding(sample)
    lines = _scan_text(path, encoding)
    if lines is None and encoding == "utf-8-sig":  # UTF-8 at the start, something else further down
        encoding = "gb18030"
        lines = _scan_text(path, encoding)
    if lines is None:
        raise _not_a("encoding")
    with _csv_reader(path, encoding) as rows:
        header, preview = _header_and_preview(rows)
    return encoding, max(lines - 1, 0), header, preview


def _detect_encoding(sample: bytes) -> str:
    """utf-16 (with its BOM), utf-8-sig, else gb18030 (a superset of GBK); refuse binary data."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise _not_a("csv")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(sample, final=len(sample) < SAMPLE_BYTES)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\r\n")
        if controls > len(text) // 100:
            raise _not_a("csv")
        return encoding
    raise _not_a("encoding")


def _scan_text(path: Path, encoding: str) -> int | None:
    """How many lines the file has, or None if it does not decode as `encoding` all the way through."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    last = b"\n"
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            if encoding != "utf-16" and b"\x00" in chunk:
                raise _not_a("csv")
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return None
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return lines + (last != b"\n")


@contextmanager
def _csv_reader(path: Path, encoding: str) -> Iterator[Iterator[list[str]]]:
    """csv.reader over the decoded file; the delimiter (, ; tab |) is the commonest one of the first line."""
    with path.open("r", encoding=encoding, newline="") as stream:
        first = stream.readline()
        stream.seek(0)
        counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
        delimiter = max(counts, key=lambda d: counts[d])
        yield csv.reader(stream, delimiter=delimiter if counts[delimiter] else ",")


# --- header and preview ---------------------------------------------------------------------------------


def _header_and_preview(rows: Iterator[Sequence[Any]]) -> tuple[list[str], list[list[str]]]:
    first = next(rows, None)
    header = [cell_text(v)[:100] for v in first or ()]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise DomainError(_("The first row is empty: it should hold the column names."), field="file")
    preview: list[list[str]] = []
    seen = 0
    for cells in itertools.islice(rows, PREVIEW_SCAN):
        seen += 1
        if not is_empty(cells):
            preview.append([cell_text(v)[:100] for v in list(cells)[: len(header)]])
            if len(preview) == PREVIEW_ROWS:
                break
    if not preview and seen < PREVIEW_SCAN:
        raise DomainError(_("The file has no rows below the column names."), field="file")
    return header, preview
