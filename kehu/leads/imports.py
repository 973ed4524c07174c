"""Lead imports from Excel (.xlsx) and CSV (UTF-8, GBK/GB18030, UTF-16): upload, column mapping, the run.

Upload stores the file under the var directory and reads its header and a few rows for the preview.
Start checks the column mapping and queues the background task, which streams the file (constant
memory) and hands it to `services.leads_create` in batches of BATCH_SIZE rows, so a lead from a file
gets the same checks, duplicate detection, assignment, log and notifications as one typed in.

The run is resumable: each batch is one transaction that also saves `processed_rows`, the counts and
the batch's row errors, so a run that is killed and started again continues after the last batch it
saved. Every run takes the job over by writing its own start time into `started_at`; a run that finds
another start time there has been replaced and stops, so two runs never import the same rows.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import logging
import pickle
import re
import tempfile
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from kehu.core.activity import activity_record
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.core.permissions import ensure_perm
from kehu.customers.choices import CustomerSource, Industry
from kehu.leads import services
from kehu.leads.choices import ImportMode, ImportStatus, LeadChannel
from kehu.leads.models import Lead, LeadImport, LeadImportError
from kehu.notifications.services import Message, notify
from kehu.org.models import User

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
PREVIEW_ROWS = 5
PREVIEW_SCAN = 1000  # rows looked at for the preview; a file of only empty rows past this is accepted
SAMPLE_BYTES = 64 * 1024
FORMATS = ("xlsx", "csv")
FIELDS = tuple(f for f in services.LEAD_FIELDS if f != "extra")
EXTRA_PREFIX = "extra:"
NO_DATES = {"phone", "email", "wechat", "credit_code"}  # a date in these is a mistake, not a value

# Header names (normalised: see _norm) that name a lead field, in Chinese and English.
ALIASES = {
    "phone": ["手机", "电话", "手机号", "手机号码", "联系电话", "电话号码", "移动电话", "联系方式", "phone",
              "mobile", "tel", "telephone", "phonenumber", "mobilephone", "cellphone", "mobilenumber"],
    "email": ["邮箱", "电子邮箱", "电子邮件", "邮件", "邮箱地址", "email", "mail", "emailaddress"],
    "wechat": ["微信", "微信号", "wechat", "weixin", "wechatid"],
    "credit_code": ["统一社会信用代码", "社会信用代码", "信用代码", "creditcode", "unifiedsocialcreditcode",
                    "uscc"],
    "name": ["姓名", "联系人", "联系人姓名", "名字", "客户姓名", "name", "contact", "contactname",
             "fullname"],
    "company_name": ["公司", "公司名称", "企业名称", "企业", "单位", "单位名称", "公司全称", "客户名称",
                     "company", "companyname", "organisation", "organization", "account"],
    "title": ["职位", "职务", "岗位", "头衔", "title", "jobtitle", "position"],
    "province": ["省份", "省", "所在省份", "province", "state"],
    "city": ["城市", "市", "所在城市", "city"],
    "industry": ["行业", "所属行业", "industry"],
    "source": ["来源", "线索来源", "客户来源", "来源渠道", "source", "leadsource"],
    "campaign": ["活动", "市场活动", "活动名称", "campaign"],
    "remark": ["备注", "说明", "描述", "remark", "remarks", "note", "notes", "comment", "comments"],
}  # fmt: skip
_ALIAS_FIELD = {alias: field for field, aliases in ALIASES.items() for alias in aliases}
_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_NOISE = re.compile(r"[\s*_\-:：.·/]+")


class _Superseded(Exception):
    """Another run has taken the job over (or it was finished meanwhile): stop without writing."""


# --- upload ---------------------------------------------------------------------------------------------


def import_upload(
    *,
    actor: User,
    file: File,
    source: str = "",
    campaign: str = "",
    mode: str = ImportMode.SKIP,
) -> LeadImport:
    """Store an uploaded .xlsx or .csv file, read its header and first rows, and guess the mapping.

    A file that is not what its name says (a picture renamed .xlsx, binary data named .csv), too big,
    empty, or without a header row is refused with a DomainError on `file`; nothing is kept.
    """
    ensure_perm(actor, "leads.import_lead")
    _check_options(mode=mode, source=source, campaign=campaign)
    name = Path(file.name or "").name
    extension = Path(name).suffix.lower().lstrip(".")
    if extension == "xls":
        raise DomainError(
            _("Old Excel files (.xls) cannot be read: save the file as .xlsx and upload it again."),
            field="file",
        )
    if extension not in FORMATS:
        raise DomainError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."), field="file")
    if not file.size:
        raise DomainError(_("The file is empty."), field="file")
    limit = settings.KEHU_IMPORT_MAX_BYTES
    if file.size > limit:
        raise DomainError(
            _("The file is larger than %(size)d MB, the limit.") % {"size": limit // (1024 * 1024)},
            field="file",
        )
    relative = f"uploads/imports/{uuid.uuid4().hex}.{extension}"
    path = _path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    try:
        encoding, total, header, preview = _inspect_xlsx(path) if extension == "xlsx" else _inspect_csv(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    job = LeadImport.objects.create(
        created_by=actor,
        original_name=name[:255],
        stored_path=relative,
        file_format=extension,
        encoding=encoding,
        header=header,
        preview=preview,
        mapping=mapping_guess(header),
        mode=mode,
        source=source,
        campaign=campaign.strip(),
        total_rows=total,
    )
    activity_record(
        actor=actor, subject=job, verb="lead_import.uploaded", data={"file": job.original_name, "rows": total}
    )
    return job


def _check_options(*, mode: str, source: str, campaign: str) -> None:
    errors = {}
    if mode not in ImportMode.values:
        errors["mode"] = [_("Choose what happens to rows with errors.")]
    if source and source not in CustomerSource.values:
        errors["source"] = [_("“%(value)s” is not one of the choices.") % {"value": source}]
    if len(campaign.strip()) > 100:
        errors["campaign"] = [_("At most %(n)d characters.") % {"n": 100}]
    if errors:
        raise ValidationError(errors)


def _path(relative: str) -> Path:
    return Path(settings.VAR_DIR) / relative


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


def _inspect_xlsx(path: Path) -> tuple[str, int, list[str], list[list[str]]]:
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


def _inspect_csv(path: Path) -> tuple[str, int, list[str], list[list[str]]]:
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


def _header_and_preview(rows: Iterator[Sequence[Any]]) -> tuple[list[str], list[list[str]]]:
    first = next(rows, None)
    header = [_text(v)[:100] for v in first or ()]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise DomainError(_("The first row is empty: it should hold the column names."), field="file")
    preview: list[list[str]] = []
    seen = 0
    for cells in itertools.islice(rows, PREVIEW_SCAN):
        seen += 1
        if not _is_empty(cells):
            preview.append([_text(v)[:100] for v in list(cells)[: len(header)]])
            if len(preview) == PREVIEW_ROWS:
                break
    if not preview and seen < PREVIEW_SCAN:
        raise DomainError(_("The file has no rows below the column names."), field="file")
    return header, preview


# --- cells ----------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
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


def _is_empty(cells: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in cells)


# --- mapping --------------------------------------------------------------------------------------------


def _norm(header: str) -> str:
    return _NOISE.sub("", _BRACKETS.sub("", unicodedata.normalize("NFKC", header).casefold()))


def mapping_guess(header: Sequence[str]) -> dict[str, str]:
    """{column index: lead field} from the column names; each field at most once, unknown columns left out.

    An exact name (姓名, 手机号, Company Name, …) wins; otherwise the known name of two or more characters
    that ends last inside the column's name (联系人手机 → phone, 公司名称 → company).
    """
    names = [_norm(h) for h in header]
    mapping: dict[str, str] = {}
    for i, name in enumerate(names):
        field = _ALIAS_FIELD.get(name)
        if field and field not in mapping.values():
            mapping[str(i)] = field
    for i, name in enumerate(names):
        if str(i) in mapping or not name:
            continue
        used = set(mapping.values())
        found = [a for a in _ALIAS_FIELD if len(a) > 1 and a in name and _ALIAS_FIELD[a] not in used]
        if found:  # the name's last word says what it is: 联系人手机 is a phone, Contact Phone too
            mapping[str(i)] = _ALIAS_FIELD[max(found, key=lambda a: (name.rfind(a) + len(a), len(a)))]
    return dict(sorted(mapping.items(), key=lambda item: int(item[0])))


def mapping_choices() -> list[tuple[str, str]]:
    """(value, label) of what a column can be imported as, for the mapping form (custom fields aside)."""
    return [(f, capfirst(Lead._meta.get_field(f).verbose_name)) for f in FIELDS]


def column_label(header: Sequence[str], index: int) -> str:
    """The column's name, or its letter (A, B, …) when the header cell is empty."""
    return (header[index] if index < len(header) else "") or get_column_letter(index + 1)


def extra_key(header: Sequence[str], index: int) -> str:
    return column_label(header, index)[:50]


def _mapping_clean(job: LeadImport, mapping: Mapping[str, Any]) -> dict[str, str]:
    """The mapping keyed by column index; keys may also be column names (for the API)."""
    by_name = {h: str(i) for i, h in reversed(list(enumerate(job.header))) if h}
    cleaned: dict[str, str] = {}
    errors: list[str] = []
    for key, value in mapping.items():
        field = str(value or "").strip()
        index = str(key) if str(key).isdigit() else by_name.get(str(key))
        if index is None or int(index) >= len(job.header):
            errors.append(_("There is no column “%(column)s”.") % {"column": key})
        elif field in FIELDS or (field.startswith(EXTRA_PREFIX) and 0 < len(field) - len(EXTRA_PREFIX) <= 50):
            cleaned[index] = field
        elif field:
            errors.append(_("“%(value)s” is not a field of a lead.") % {"value": field})
    targets = list(cleaned.values())
    twice = sorted({t for t in targets if targets.count(t) > 1})
    if twice:
        errors.append(_("Each field can take one column only: %(fields)s.") % {"fields": ", ".join(twice)})
    if not {"name", "company_name"} & set(targets):
        errors.append(_("Choose the column with the contact name or the company."))
    if not {"phone", "email", "wechat"} & set(targets):
        errors.append(_("Choose at least one column with a phone number, email address or WeChat ID."))
    if sum(t.startswith(EXTRA_PREFIX) for t in targets) > services.MAX_EXTRA_FIELDS:
        errors.append(_("At most %(n)d custom fields.") % {"n": services.MAX_EXTRA_FIELDS})
    if errors:
        raise ValidationError({"mapping": errors})
    return dict(sorted(cleaned.items(), key=lambda item: int(item[0])))


# --- start ----------------------------------------------------------------------------------------------


def _ensure_own(actor: User, job: LeadImport) -> None:
    ensure_perm(actor, "leads.import_lead")
    if job.created_by_id != actor.pk and not actor.is_superuser:
        raise PermissionDeniedError(_("You do not have permission to do this."))


@transaction.atomic
def import_start(
    *,
    actor: User,
    job: LeadImport,
    mapping: Mapping[str, Any],
    mode: str,
    source: str = "",
    campaign: str = "",
) -> LeadImport:
    """Check the mapping and the options, and queue the import; it runs once this transaction commits."""
    _ensure_own(actor, job)
    job = LeadImport.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.UPLOADED:
        raise ConflictError(_("This import has already been started."))
    _check_options(mode=mode, source=source, campaign=campaign)
    job.mapping = _mapping_clean(job, mapping)
    job.mode, job.source, job.campaign, job.status = mode, source, campaign.strip(), ImportStatus.QUEUED
    job.save(update_fields=["mapping", "mode", "source", "campaign", "status"])
    activity_record(
        actor=actor, subject=job, verb="lead_import.started", data={"mode": mode, "mapping": job.mapping}
    )
    transaction.on_commit(lambda: _enqueue(job.pk), robust=True)
    return job


def import_create(
    *,
    actor: User,
    file: File,
    mapping: Mapping[str, Any] | None = None,
    mode: str = ImportMode.SKIP,
    source: str = "",
    campaign: str = "",
) -> LeadImport:
    """Upload and start in one step (the API); without `mapping`, the guessed one. Refused: nothing kept."""
    with transaction.atomic():
        job = import_upload(actor=actor, file=file, source=source, campaign=campaign, mode=mode)
        try:
            return import_start(
                actor=actor,
                job=job,
                mapping=job.mapping if mapping is None else mapping,
                mode=mode,
                source=source,
                campaign=campaign,
            )
        except BaseException:
            _path(job.stored_path).unlink(missing_ok=True)
            raise


def _enqueue(job_id: int) -> None:
    from kehu.leads.tasks import run_import

    run_import(job_id)


def import_resume_running() -> list[int]:
    """Queue again the imports a stopped worker left running; they continue after their last batch."""
    ids = list(LeadImport.objects.filter(status=ImportStatus.RUNNING).values_list("pk", flat=True))
    for pk in ids:
        _enqueue(pk)
    return ids


# --- run ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    index: int
    name: str
    field: str  # a lead field, or "extra"
    key: str = ""


@dataclass
class _Plan:
    """How to turn a row into lead fields: the mapped columns, the job's defaults, choice labels."""

    columns: list[_Column]
    source: str
    campaign: str
    labels: dict[str, dict[str, str]]

    @classmethod
    def of(cls, job: LeadImport) -> _Plan:
        columns = []
        for index, target in job.mapping.items():
            i, name = int(index), column_label(job.header, int(index))
            if target.startswith(EXTRA_PREFIX):
                columns.append(_Column(i, name, "extra", target.removeprefix(EXTRA_PREFIX)))
            else:
                columns.append(_Column(i, name, target))
        labels = {"industry": _labels(Industry), "source": _labels(CustomerSource)}
        return cls(columns, job.source, job.campaign, labels)


def _labels(choices: type[Industry] | type[CustomerSource]) -> dict[str, str]:
    """Lower-cased label (Chinese and English) or value → value: 制造业 / Manufacturing → manufacturing."""
    found = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            found.update({str(c.label).casefold(): c.value for c in choices})
    found.update({c.value.casefold(): c.value for c in choices})
    return found


_ERROR_COLUMNS = {"name": ("name", "company_name"), "phone": ("phone", "email", "wechat")}


def _row_clean(cells: Sequence[Any], plan: _Plan) -> tuple[dict[str, Any] | None, list[tuple[str, str, str]]]:
    """(cleaned lead fields, []) through `services.lead_clean`, or (None, [(column, value, reason), …])."""
    data: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    shown: dict[str, tuple[str, str]] = {}
    errors: dict[str, tuple[str, str, str]] = {}
    for col in plan.columns:
        value = cells[col.index] if col.index < len(cells) else None
        value_text = _text(value)
        if col.field == "extra":
            shown.setdefault("extra", (col.name, value_text))
            if value_text:
                extra[col.key] = value if isinstance(value, int | float) else value_text
            continue
        shown[col.field] = (col.name, value_text)
        if col.field in NO_DATES and isinstance(value, date | time):
            reason = _("The cell holds a date or time (%(value)s) where text is expected.")
            errors[col.field] = (col.name, value_text, reason % {"value": value_text})
            continue
        lookup = plan.labels.get(col.field)
        data[col.field] = lookup.get(value_text.casefold(), value_text) if lookup else value_text
    if extra:
        data["extra"] = extra
    if plan.source and not data.get("source"):
        data["source"] = plan.source
    if plan.campaign and not data.get("campaign"):
        data["campaign"] = plan.campaign
    try:
        cleaned = services.lead_clean(data)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field in errors:
                continue
            owners = [f for f in _ERROR_COLUMNS.get(field, (field,)) if f in shown] or [field]
            name, value_text = shown.get(owners[0], ("", ""))
            # a value's own error first; "give a phone, email or WeChat" only when no such value was given
            errors[field] = (name, value_text, messages[0] if value_text else " ".join(messages))
        cleaned = None
    if "phone" in errors and not shown.get("phone", ("", ""))[1] and {"email", "wechat"} & errors.keys():
        del errors["phone"]  # an email or WeChat ID was given but is wrong: that is the error to fix
    if errors:
        return None, list(errors.values())
    return cleaned, []


def _rows(job: LeadImport, *, skip: int = 0) -> Iterator[tuple[int, Sequence[Any]]]:
    """(spreadsheet row number, cells) of the data rows after the first `skip`; the header is row 1."""
    path = _path(job.stored_path)
    if job.file_format == "xlsx":
        workbook = load_workbook(path, read_only=True, data_only=True)
        with closing(workbook):
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()
            yield from enumerate(sheet.iter_rows(min_row=2 + skip, values_only=True), start=2 + skip)
        return
    with _csv_reader(path, job.encoding) as reader:
        next(reader, None)
        yield from enumerate(itertools.islice(reader, skip, None), start=2 + skip)


_Batch = tuple[tuple[int, Sequence[Any]], ...]


def _batches(job: LeadImport, skip: int) -> Iterator[_Batch]:
    with closing(_rows(job, skip=skip)) as rows:
        yield from itertools.batched(rows, BATCH_SIZE)


def import_run(job_id: int) -> LeadImport | None:
    """Run a queued import (or continue one a stopped worker left running). The huey task calls this.

    Returns the finished job, or None when another run took it over.
    """
    token = timezone.now()
    if not LeadImport.objects.filter(
        pk=job_id, status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING)
    ).update(status=ImportStatus.RUNNING, started_at=token):
        return LeadImport.objects.filter(pk=job_id).first()
    job = LeadImport.objects.select_related("created_by").get(pk=job_id)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            status, message = _run(job, token)
        except _Superseded:
            logger.info("Import %s was taken over by another run.", job_id)
            return None
        except Exception as exc:
            logger.exception("Import %s stopped.", job_id)
            status = ImportStatus.FAILED
            message = _("The import stopped after %(rows)d rows: %(error)s") % {
                "rows": job.processed_rows,
                "error": str(exc)[:300],
            }
        return _finish(job, token, status, message)


def _run(job: LeadImport, token: datetime) -> tuple[str, str]:
    plan = _Plan.of(job)
    if job.mode != ImportMode.ALL_OR_NOTHING or job.created_count:
        _insert(job, plan, token, job.processed_rows, _batches(job, job.processed_rows))
        return ImportStatus.DONE, ""
    # All or nothing, and nothing created yet: (re)check every row first, then import from the top. The
    # first pass keeps the rows it read in a temporary file, so the second need not parse the file again.
    with tempfile.TemporaryFile() as spool:
        if not _check_all(job, plan, token, spool):
            message = _(
                "%(n)d rows have errors, so nothing was imported. Correct them and upload the file again."
            )
            return ImportStatus.FAILED, message % {"n": job.error_count}
        spool.seek(0)
        _insert(job, plan, token, 0, _spooled(spool))
    return ImportStatus.DONE, ""


def _locked(job: LeadImport, token: datetime) -> None:
    """Inside a transaction: the job's row, locked, must still belong to this run."""
    current = LeadImport.objects.select_for_update().filter(pk=job.pk).values("status", "started_at").first()
    if current != {"status": ImportStatus.RUNNING, "started_at": token}:
        raise _Superseded


def _error_rows(job: LeadImport, row: int, errors: list[tuple[str, str, str]]) -> list[LeadImportError]:
    return [
        LeadImportError(job=job, row=row, column=column[:100], value=value[:200], reason=reason[:300])
        for column, value, reason in errors
    ]


def _check_all(job: LeadImport, plan: _Plan, token: datetime, spool: IO[bytes]) -> bool:
    """All or nothing, first pass: check every row and save only the row errors. True if none."""
    with transaction.atomic():
        _locked(job, token)
        job.errors.all().delete()
        counts = _save_counts(job, processed_rows=0, error_count=0)
    job.__dict__.update(counts)
    for chunk in _batches(job, 0):
        pickle.dump(chunk, spool, pickle.HIGHEST_PROTOCOL)
        pending: list[LeadImportError] = []
        bad_rows = 0
        for number, cells in chunk:
            if not _is_empty(cells):
                _cleaned, errors = _row_clean(cells, plan)
                if errors:
                    bad_rows += 1
                    pending += _error_rows(job, number, errors)
        with transaction.atomic():
            _locked(job, token)
            LeadImportError.objects.bulk_create(pending, batch_size=BATCH_SIZE)
            counts = _save_counts(
                job, processed_rows=job.processed_rows + len(chunk), error_count=job.error_count + bad_rows
            )
        job.__dict__.update(counts)
    return job.error_count == 0


def _spooled(spool: IO[bytes]) -> Iterator[_Batch]:
    """The batches `_check_all` kept (a file this process wrote itself: safe to unpickle)."""
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def _insert(job: LeadImport, plan: _Plan, token: datetime, start: int, batches: Iterable[_Batch]) -> None:
    """Batches of rows → leads_create; each batch, its counts and its row errors in one transaction."""
    processed = start
    for chunk in batches:
        now = timezone.now()
        leads: list[Lead] = []
        bad: list[LeadImportError] = []
        bad_rows = 0
        for number, cells in chunk:
            if _is_empty(cells):
                continue
            cleaned, errors = _row_clean(cells, plan)
            if cleaned is None:
                bad_rows += 1
                bad += _error_rows(job, number, errors)
            else:
                leads.append(
                    services.lead_build(
                        cleaned,
                        actor=job.created_by,
                        channel=LeadChannel.IMPORT,
                        import_job_id=job.pk,
                        now=now,
                    )
                )
        processed += len(chunk)
        with transaction.atomic():
            _locked(job, token)
            services.leads_create(actor=job.created_by, leads=leads, now=now, email=False)
            LeadImportError.objects.bulk_create(bad, batch_size=BATCH_SIZE)
            counts = _save_counts(
                job,
                processed_rows=processed,
                created_count=job.created_count + len(leads),
                duplicate_count=job.duplicate_count + sum(1 for lead in leads if lead.duplicate_key),
                error_count=job.error_count + bad_rows,
            )
        job.__dict__.update(counts)  # once saved: the job in memory never runs ahead of the database


def _save_counts(job: LeadImport, **counts: int) -> dict[str, int]:
    LeadImport.objects.filter(pk=job.pk).update(**counts)
    return counts


def _finish(job: LeadImport, token: datetime, status: str, message: str) -> LeadImport | None:
    """Close the job, tell the importer, and remove the stored file (its rows are in the database now)."""
    try:
        with transaction.atomic():
            _locked(job, token)
            job.status, job.message, job.finished_at = status, str(message)[:500], timezone.now()
            if status == ImportStatus.DONE:  # rows with content, not the estimate or the empty rows
                job.total_rows = job.created_count + job.error_count
            job.save(update_fields=["status", "message", "finished_at", "total_rows"])
            activity_record(
                actor=job.created_by, subject=job, verb="lead_import.finished", data=_summary(job)
            )
            notify(messages=[_finished_message(job)])
    except _Superseded:
        return None
    _path(job.stored_path).unlink(missing_ok=True)
    return job


def _summary(job: LeadImport) -> dict[str, Any]:
    keys = ("status", "total_rows", "created_count", "duplicate_count", "error_count")
    return {key: getattr(job, key) for key in keys}


def _finished_message(job: LeadImport) -> Message:
    url = reverse("leads:import_detail", args=[job.pk])
    if job.status == ImportStatus.FAILED:
        title = _("Import of %(file)s failed") % {"file": job.original_name}
        return Message(job.created_by, "lead.import_done", title, job.message, url)
    title = _("Import of %(file)s finished: %(n)d leads created") % {
        "file": job.original_name,
        "n": job.created_count,
    }
    body = _("%(duplicates)d of them duplicate earlier leads or customers; %(errors)d rows had errors.") % {
        "duplicates": job.duplicate_count,
        "errors": job.error_count,
    }
    return Message(job.created_by, "lead.import_done", title, body, url)


# --- reading the result -----------------------------------------------------------------------------------


def import_progress(job: LeadImport) -> tuple[str, int]:
    """(phase, percent) for the progress bar: checking (all or nothing, first pass), importing, finished.

    All or nothing reads the file twice, so each pass fills half of the bar.
    """
    if job.is_finished:
        return "finished", 100
    if job.status != ImportStatus.RUNNING:
        return "waiting", 0
    share = job.percent
    if job.mode != ImportMode.ALL_OR_NOTHING:
        return "importing", share
    if job.created_count == 0:
        return "checking", share // 2
    return "importing", min(99, 50 + share // 2)
