"""Lead imports: upload checks, mapping guess, encodings, row errors, modes, resume, pages, API, queries."""

import csv
import io
import re
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference

from kehu.core.activity import activity_for
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.customers.services import customer_create
from kehu.customers.tests.test_api import api_client
from kehu.leads import imports, services, tasks
from kehu.leads.choices import ImportMode, ImportStatus, LeadChannel, LeadStatus
from kehu.leads.imports import files, jobs
from kehu.leads.imports import run as import_run_module
from kehu.leads.models import Lead, LeadImport, LeadImportError
from kehu.leads.selectors import import_get
from kehu.leads.tests.factories import LeadFactory
from kehu.leads.tests.rules import make_rule
from kehu.notifications.models import Notification

HEADER = ["姓名", "公司名称", "手机号", "邮箱", "行业", "备注"]
# .xlsx up to KEHU_IMPORT_XLSX_IN_MEMORY_BYTES is read with python-calamine, above with openpyxl
READERS = pytest.mark.parametrize("in_memory_bytes", [0, 8 * 1024 * 1024], ids=["openpyxl", "calamine"])


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


# --- helpers ----------------------------------------------------------------------------------------------


def row(n: int, **overrides) -> list:
    values = {
        "name": f"联系人{n}",
        "company": f"杭州测试{n}科技有限公司",
        "phone": f"139{n:08d}",
        "email": f"lead{n}@example.com",
        "industry": "制造业",
        "remark": "",
    }
    values.update(overrides)
    return list(values.values())


def write_csv(path: Path, rows: list[list], *, encoding: str = "utf-8", header=HEADER) -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], *, header=HEADER) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    workbook.save(path)
    return path


def upload(user, file_path: Path, **options) -> LeadImport:
    with file_path.open("rb") as stream:
        return imports.import_upload(actor=user, file=File(stream, name=file_path.name), **options)


def run(job: LeadImport, user, *, mode: str | None = None, mapping=None) -> LeadImport:
    imports.import_start(
        actor=user,
        job=job,
        mapping=job.mapping if mapping is None else mapping,
        mode=mode or job.mode,
        source=job.source,
        campaign=job.campaign,
    )
    imports.import_run(job.pk)
    job.refresh_from_db()
    return job


def errors_of(job: LeadImport) -> list[tuple]:
    return list(job.errors.values_list("row", "column", "value", "reason"))


# --- mapping ----------------------------------------------------------------------------------------------


def test_mapping_is_guessed_from_chinese_and_english_names():
    header = ["联系人", "Company Name", "联系人手机", "E-mail", "微信号", "统一社会信用代码", "省份", "City",
              "所属行业", "线索来源", "市场活动", "备注", "地址", "Job Title"]  # fmt: skip
    assert imports.mapping_guess(header) == {
        "0": "name",
        "1": "company_name",
        "2": "phone",
        "3": "email",
        "4": "wechat",
        "5": "credit_code",
        "6": "province",
        "7": "city",
        "8": "industry",
        "9": "source",
        "10": "campaign",
        "11": "remark",
        "13": "title",
    }


def test_mapping_gives_each_field_one_column_and_ignores_unknown_columns():
    assert imports.mapping_guess(["手机", "电话", "Phone (work)", "序号", ""]) == {"0": "phone"}


def test_start_refuses_a_mapping_that_cannot_make_leads(org, tmp_path):
    job = upload(org.dept_manager, write_csv(tmp_path / "a.csv", [row(1)]))
    cases = [
        ({"0": "name"}, "phone number, email address or WeChat"),
        ({"2": "phone"}, "contact name or the company"),
        ({"0": "name", "1": "name", "2": "phone"}, "one column only: name"),
        ({"0": "name", "2": "phone", "9": "email"}, "no column “9”"),
        ({"0": "name", "2": "phone", "3": "birthday"}, "not a field of a lead"),
    ]
    for mapping, message in cases:
        with pytest.raises(ValidationError) as exc:
            imports.import_start(actor=org.dept_manager, job=job, mapping=mapping, mode="skip")
        assert message in " ".join(exc.value.message_dict["mapping"])
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_mapping_may_name_columns_and_custom_fields(org, tmp_path):
    make_rule([org.rep])
    file = write_csv(
        tmp_path / "a.csv", [["王五", "13912345678", "华东展", "A"]], header=["姓名", "手机", "展会", "级别"]
    )
    job = upload(org.dept_manager, file)
    job = run(job, org.dept_manager, mapping={"姓名": "name", "手机": "phone", "3": "extra:级别"})
    lead = Lead.objects.get()
    assert (lead.name, lead.phone, lead.extra, lead.owner) == (
        "王五",
        "+8613912345678",
        {"级别": "A"},
        org.rep,
    )


# --- upload -----------------------------------------------------------------------------------------------


def test_upload_reads_header_and_preview_and_stores_the_file(org, tmp_path, var_dir):
    rows = [row(n) for n in range(1, 9)]
    job = upload(
        org.dept_manager, write_csv(tmp_path / "leads.csv", rows), source="exhibition", campaign="春季展"
    )
    assert (job.status, job.file_format, job.encoding, job.original_name) == (
        ImportStatus.UPLOADED,
        "csv",
        "utf-8-sig",
        "leads.csv",
    )
    assert job.header == HEADER
    assert job.preview == [[str(v) for v in r] for r in rows[:5]]
    assert job.total_rows == 8
    assert job.mapping == {
        "0": "name",
        "1": "company_name",
        "2": "phone",
        "3": "email",
        "4": "industry",
        "5": "remark",
    }
    assert (var_dir / job.stored_path).is_file()
    assert job.stored_path.startswith("uploads/imports/")
    assert activity_for(job).get().verb == "lead_import.uploaded"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "photo.xlsx",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
            "not an Excel workbook",
        ),
        ("blob.csv", bytes(range(256)) * 40, "not a CSV text file"),
        ("fake.xlsx", b"PK\x03\x04 this is not really a zip", "not an Excel workbook"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "save the file as .xlsx"),
        ("notes.txt", "姓名,手机\n张三,13912345678\n".encode(), "(.xlsx) or a CSV file"),
        ("empty.csv", b"", "The file is empty"),
        ("header-only.csv", "姓名,手机\n".encode(), "no rows below the column names"),
        ("no-header.csv", "\n张三,13912345678\n".encode(), "first row is empty"),
        ("latin1.csv", "name,phone\nCaf\xe9 Ren\xe9,13912345678\n", "neither UTF-8 nor GBK"),
    ],
)
def test_upload_refuses_what_is_not_a_spreadsheet_and_keeps_nothing(
    org, tmp_path, var_dir, name, content, message
):
    file = tmp_path / name
    file.write_bytes(content if isinstance(content, bytes) else content.encode("latin-1"))
    with pytest.raises(DomainError) as exc:
        upload(org.dept_manager, file)
    assert exc.value.field == "file"
    assert message in exc.value.message
    assert not LeadImport.objects.exists()
    assert not list((var_dir / "uploads" / "imports").glob("*")) if (var_dir / "uploads").exists() else True


def test_upload_refuses_an_oversized_file(org, tmp_path, settings):
    settings.KEHU_IMPORT_MAX_BYTES = 1024 * 1024
    file = write_csv(tmp_path / "big.csv", [row(n, remark="x" * 500) for n in range(3000)])
    with pytest.raises(DomainError) as exc:
        upload(org.dept_manager, file)
    assert "larger than 1 MB" in exc.value.message
    assert not LeadImport.objects.exists()


def test_rep_without_the_permission_cannot_import(org, tmp_path):
    with pytest.raises(PermissionDeniedError):
        upload(org.rep, write_csv(tmp_path / "a.csv", [row(1)]))
    job = upload(org.dept_manager, write_csv(tmp_path / "a.csv", [row(1)]))
    with pytest.raises(PermissionDeniedError):  # the permission and the job's owner are both needed
        imports.import_start(actor=org.director, job=job, mapping=job.mapping, mode="skip")
    assert LeadImport.objects.get().status == ImportStatus.UPLOADED


# --- encodings and formats --------------------------------------------------------------------------------


def test_gbk_csv_is_detected_and_imported(org, tmp_path):
    make_rule([org.rep])
    rows = [row(1, name="张三", company="上海星河科技有限公司"), row(2, name="李四", industry="金融")]
    job = upload(org.dept_manager, write_csv(tmp_path / "gbk.csv", rows, encoding="gbk"))
    assert job.encoding == "gb18030"
    assert job.header == HEADER
    job = run(job, org.dept_manager)
    assert (job.status, job.created_count, job.error_count) == (ImportStatus.DONE, 2, 0)
    assert list(Lead.objects.order_by("id").values_list("name", "company_name", "industry")) == [
        ("张三", "上海星河科技有限公司", "manufacturing"),
        ("李四", "杭州测试2科技有限公司", "finance"),
    ]


def test_gbk_past_the_sample_is_still_detected(org, tmp_path):
    rows = [row(n, name=f"Lead {n}", company="") for n in range(1, 2000)] + [row(3000, name="王老五")]
    job = upload(org.dept_manager, write_csv(tmp_path / "late.csv", rows, encoding="gbk"))
    assert job.encoding == "gb18030"


def test_utf8_bom_and_semicolons_are_understood(org, tmp_path):
    file = tmp_path / "bom.csv"
    file.write_bytes("\ufeff姓名;手机;行业\n赵六;+86 139 1234 0000;Manufacturing\n".encode())
    job = upload(org.dept_manager, file)
    assert (job.encoding, job.header) == ("utf-8-sig", ["姓名", "手机", "行业"])
    job = run(job, org.dept_manager)
    assert list(Lead.objects.values_list("name", "phone", "industry", "channel", "import_job")) == [
        ("赵六", "+8613912340000", "manufacturing", LeadChannel.IMPORT, job.pk)
    ]


def test_utf16_text_from_excel_is_understood(org, tmp_path):
    file = tmp_path / "unicode.csv"
    file.write_bytes("姓名\t手机\n钱七\t13912340001\n".encode("utf-16"))
    job = upload(org.dept_manager, file)
    assert (job.encoding, job.header) == ("utf-16", ["姓名", "手机"])
    assert run(job, org.dept_manager).created_count == 1


@READERS
def test_xlsx_numbers_dates_and_labels(org, tmp_path, settings, in_memory_bytes):
    settings.KEHU_IMPORT_XLSX_IN_MEMORY_BYTES = in_memory_bytes
    make_rule([org.rep, org.peer_rep])
    rows = [
        row(1, phone=13912345678, industry="Manufacturing", remark=date(2024, 5, 1)),
        row(2, phone=13912345679.0, industry="信息技术", remark=datetime(2024, 5, 1, 9, 30)),
        row(3, phone=datetime(2024, 1, 5)),  # a date typed into the phone column
        row(4, industry="造船"),
    ]
    job = upload(org.dept_manager, write_xlsx(tmp_path / "leads.xlsx", rows))
    assert (job.file_format, job.encoding, job.total_rows) == ("xlsx", "", 4)
    assert job.preview[2][2] == "2024-01-05"
    job = run(job, org.dept_manager)
    assert (job.status, job.created_count, job.error_count) == (ImportStatus.DONE, 2, 2)
    assert list(Lead.objects.order_by("id").values_list("phone", "industry", "remark", "owner")) == [
        ("+8613912345678", "manufacturing", "2024-05-01", org.rep.pk),
        ("+8613912345679", "it", "2024-05-01 09:30", org.peer_rep.pk),
    ]
    assert errors_of(job) == [
        (4, "手机号", "2024-01-05", "The cell holds a date or time (2024-01-05) where text is expected."),
        (5, "行业", "造船", "“造船” is not one of the choices."),
    ]


def test_xlsx_with_a_wrong_size_hint_is_read_to_the_end(org, tmp_path):
    file = write_xlsx(tmp_path / "hint.xlsx", [row(n) for n in range(1, 6)])
    # some generators write <dimension ref="A1"/> whatever the size
    data = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(file) as src, zipfile.ZipFile(data, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b'<dimension ref="A1:F6" />', b'<dimension ref="A1" />')
            dst.writestr(item, content)
    file.write_bytes(data.getvalue())
    job = upload(org.dept_manager, file)
    assert job.total_rows == 5  # counted, since the hint is useless
    job = run(job, org.dept_manager)
    assert job.created_count == 5


# --- the two .xlsx readers: python-calamine up to a size, openpyxl above -----------------------------------


def tricky_workbook(path: Path, *, first_cell: str = "A1", chart_sheet: bool = False) -> Path:
    """Header and rows whose top left cell is `first_cell`; row 3 below the header is empty."""
    workbook = Workbook()
    sheet = workbook.active
    if chart_sheet:  # first in the workbook: openpyxl's worksheets[0] is the sheet after it
        chart = BarChart()
        chart.add_data(Reference(sheet, min_col=1, min_row=1, max_row=2))
        workbook.create_chartsheet("Chart", 0).add_chart(chart)
    rows = [
        ["姓名", "手机号", "日期", "备注", "数", "公式"],
        [" 张三 ", 13912345678, date(2024, 5, 1), "x" * 5000, 0.5, "=1+1"],
        ["李四", "139 1234 5679", datetime(2024, 5, 1, 9, 30), True, 1.25, '="a"&"b"'],
        [None] * 6,
        ["", "  ", None, False, -3, 123456789012345],
        ["王五\n(北京)", 13912345680.0, datetime(2024, 5, 1, 9, 30).time(), timedelta(hours=30), 1e20, 0],
    ]
    formats = {(1, 4): "0%", (2, 2): "yyyy-mm-dd h:mm", (5, 3): "[h]:mm"}
    top, left = int(first_cell[1:]), ord(first_cell[0]) - ord("A") + 1
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is not None:
                cell = sheet.cell(row=top + r, column=left + c, value=value)
                cell.number_format = formats.get((r, c), cell.number_format)
    workbook.save(path)
    # openpyxl writes formulas without the value Excel caches with them: add the values
    cached = {
        "<f>1+1</f><v />": "<f>1+1</f><v>2</v>",
        '<f>"a"&amp;"b"</f><v />': '<f>"a"&amp;"b"</f><v>ab</v>',
    }
    data = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(data, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename).decode()
            if item.filename.startswith("xl/worksheets/sheet"):
                for old, new in cached.items():
                    assert old in content
                    content = content.replace(old, new)
                content = re.sub(r'(<c r="\w+")(><f>"a")', r'\1 t="str"\2', content)
            dst.writestr(item, content)
    path.write_bytes(data.getvalue())
    return path


def rows_read(var_dir: Path, file: Path, skip: int = 0) -> list[tuple[int, list[str], bool]]:
    """data_rows as (row, cell texts without the empty ones at the end, is_empty)."""
    job = LeadImport(file_format="xlsx", stored_path=str(file.relative_to(var_dir)))
    rows = []
    for number, cells in files.data_rows(job, skip=skip):
        texts = [files.cell_text(v) for v in cells]
        while texts and not texts[-1]:
            texts.pop()
        rows.append((number, texts, files.is_empty(cells)))
    return rows


def test_both_readers_give_the_same_rows_and_cells(var_dir, settings):
    var_dir.mkdir()
    books = {
        "A1": tricky_workbook(var_dir / "a1.xlsx"),
        "C3": tricky_workbook(var_dir / "c3.xlsx", first_cell="C3"),
        "B1, after a chart sheet": tricky_workbook(var_dir / "chart.xlsx", first_cell="B1", chart_sheet=True),
    }
    for name, file in books.items():
        for skip in (0, 1, 3, 5, 9):
            settings.KEHU_IMPORT_XLSX_IN_MEMORY_BYTES = 0
            by_openpyxl = rows_read(var_dir, file, skip)
            settings.KEHU_IMPORT_XLSX_IN_MEMORY_BYTES = 8 * 1024 * 1024
            assert rows_read(var_dir, file, skip) == by_openpyxl, (name, skip)
    assert rows_read(var_dir, books["A1"]) == [
        (2, ["张三", "13912345678", "2024-05-01", "x" * 5000, "0.5", "2"], False),
        (3, ["李四", "139 1234 5679", "2024-05-01 09:30", "TRUE", "1.25", "ab"], False),
        (4, [], True),
        (5, ["", "", "", "FALSE", "-3", "123456789012345"], False),
        (6, ["王五\n(北京)", "13912345680", "09:30:00", "1 day, 6:00:00", "1e+20", "0"], False),
    ]
    assert rows_read(var_dir, books["C3"], skip=2)[:2] == [
        (4, ["", "", "张三", "13912345678", "2024-05-01", "x" * 5000, "0.5", "2"], False),
        (5, ["", "", "李四", "139 1234 5679", "2024-05-01 09:30", "TRUE", "1.25", "ab"], False),
    ]


@READERS
def test_whole_numbers_come_as_ints_from_both_readers(var_dir, settings, in_memory_bytes):
    settings.KEHU_IMPORT_XLSX_IN_MEMORY_BYTES = in_memory_bytes
    var_dir.mkdir()
    write_xlsx(var_dir / "n.xlsx", [[13912345678, 2.5, -0.0, 1e20, True]], header=["a", "b", "c", "d", "e"])
    job = LeadImport(file_format="xlsx", stored_path="n.xlsx")
    [(number, cells)] = files.data_rows(job)
    assert (number, [(type(v), v) for v in cells]) == (
        2,
        [(int, 13912345678), (float, 2.5), (int, 0), (float, 1e20), (bool, True)],
    )


@READERS
def test_a_file_neither_reader_can_read_fails_the_same_way(var_dir, settings, in_memory_bytes):
    settings.KEHU_IMPORT_XLSX_IN_MEMORY_BYTES = in_memory_bytes
    var_dir.mkdir()
    (var_dir / "bad.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(zipfile.BadZipFile):
        list(files.data_rows(LeadImport(file_format="xlsx", stored_path="bad.xlsx")))


def test_a_workbook_over_the_size_is_streamed_by_openpyxl(var_dir, settings, monkeypatch):
    var_dir.mkdir()
    file = tricky_workbook(var_dir / "big.xlsx")
    settings.KEHU_IMPORT_XLSX_IN_MEMORY_BYTES = file.stat().st_size - 1

    def not_here(path):
        raise AssertionError("read with calamine")

    monkeypatch.setattr(files, "_calamine_sheet", not_here)
    assert [number for number, _texts, _empty in rows_read(var_dir, file)] == [2, 3, 4, 5, 6]


# --- row errors, empty rows, modes ------------------------------------------------------------------------


def test_bad_rows_are_reported_with_row_and_column_and_the_rest_imported(org, tmp_path):
    make_rule([org.rep])
    rows = [
        row(1),
        row(2, phone="12345"),
        ["", "", "", "", "", ""],
        row(4, name="", company=""),
        row(5, email="not-an-email", phone=""),
        row(6, remark='=HYPERLINK("http://evil")'),
    ]
    job = upload(org.dept_manager, write_csv(tmp_path / "mixed.csv", rows))
    job = run(job, org.dept_manager)
    assert (job.status, job.total_rows, job.created_count, job.error_count) == (ImportStatus.DONE, 5, 2, 3)
    assert errors_of(job) == [
        (3, "手机号", "12345", "“12345” is not a valid phone number."),
        (5, "姓名", "", "Give a contact name or a company."),
        (6, "邮箱", "not-an-email", "Enter a valid email address."),
    ]
    assert list(Lead.objects.order_by("id").values_list("name", "owner", "status")) == [
        ("联系人1", org.rep.pk, LeadStatus.ASSIGNED),
        ("联系人6", org.rep.pk, LeadStatus.ASSIGNED),
    ]


@READERS
def test_empty_rows_are_skipped_silently(org, tmp_path, settings, in_memory_bytes):
    settings.KEHU_IMPORT_XLSX_IN_MEMORY_BYTES = in_memory_bytes
    rows = [row(1), [], ["", " ", "", "", "", ""], [None] * 6, row(2), [None, None]]
    job = run(upload(org.dept_manager, write_xlsx(tmp_path / "gaps.xlsx", rows)), org.dept_manager)
    assert (job.created_count, job.error_count, job.total_rows) == (2, 0, 2)
    assert not LeadImportError.objects.exists()


def test_all_or_nothing_creates_nothing_and_reports_every_error(org, tmp_path, var_dir):
    make_rule([org.rep])
    rows = [row(n) for n in range(1, 2500)]
    rows[10][2] = "1"  # row 12
    rows[2400][3] = "bad@"  # row 2402
    job = upload(org.dept_manager, write_csv(tmp_path / "all.csv", rows), mode=ImportMode.ALL_OR_NOTHING)
    job = run(job, org.dept_manager)
    assert (job.status, job.created_count, job.error_count) == (ImportStatus.FAILED, 0, 2)
    assert "nothing was imported" in job.message
    assert [(r, c) for r, c, _v, _m in errors_of(job)] == [(12, "手机号"), (2402, "邮箱")]
    assert not Lead.objects.exists()
    assert Notification.objects.get(recipient=org.dept_manager).verb == "lead.import_done"
    assert not (var_dir / job.stored_path).exists()


def test_all_or_nothing_with_good_rows_imports_them_all(org, tmp_path):
    job = upload(
        org.dept_manager, write_csv(tmp_path / "ok.csv", [row(n) for n in range(1, 1500)]), mode="all"
    )
    job = run(job, org.dept_manager)
    assert (job.status, job.created_count, job.error_count, job.processed_rows) == (
        ImportStatus.DONE,
        1499,
        0,
        1499,
    )
    assert Lead.objects.count() == 1499


def test_duplicates_are_imported_linked_and_counted(org, tmp_path):
    rows = [row(1), row(2, phone="13900000001", company="甲"), row(3, name="又一个", phone="139 0000 0001")]
    job = run(upload(org.dept_manager, write_csv(tmp_path / "dup.csv", rows)), org.dept_manager)
    assert (job.created_count, job.duplicate_count) == (3, 2)  # row 2 repeats row 1's phone, row 3 too
    original = Lead.objects.get(name="联系人1")
    assert set(Lead.objects.filter(duplicate_of=original).values_list("name", flat=True)) == {
        "联系人2",
        "又一个",
    }


def test_job_source_and_campaign_fill_rows_without_their_own(org, tmp_path):
    header = ["姓名", "手机", "来源"]
    rows = [["甲", "13911110001", "展会"], ["乙", "13911110002", ""]]
    job = upload(
        org.dept_manager,
        write_csv(tmp_path / "s.csv", rows, header=header),
        source="website",
        campaign="双11",
    )
    run(job, org.dept_manager)
    assert list(Lead.objects.order_by("id").values_list("source", "campaign")) == [
        ("exhibition", "双11"),
        ("website", "双11"),
    ]


def test_the_importer_is_told_when_it_is_done(org, tmp_path):
    job = run(
        upload(org.dept_manager, write_csv(tmp_path / "n.csv", [row(1), row(2, phone="1")])), org.dept_manager
    )
    note = Notification.objects.get(recipient=org.dept_manager, verb="lead.import_done")
    assert note.title == "Import of n.csv finished: 1 leads created"
    assert note.url == reverse("leads:import_detail", args=[job.pk])
    assert [a.verb for a in activity_for(job).order_by("id")] == [
        "lead_import.uploaded",
        "lead_import.started",
        "lead_import.finished",
    ]


# --- notifications: one per person and import, not one per batch ------------------------------------------


def summaries(verb: str) -> list[tuple]:
    return sorted(Notification.objects.filter(verb=verb).values_list("recipient", "title", "url"))


def test_each_assignee_is_told_once_for_the_whole_import(
    org, tmp_path, huey_immediate, django_capture_on_commit_callbacks, mailoutbox
):
    make_rule([org.rep, org.peer_rep])
    job = upload(org.dept_manager, write_csv(tmp_path / "big.csv", [row(n) for n in range(1, 2501)]))
    with django_capture_on_commit_callbacks(execute=True):  # the task runs as the start commits
        imports.import_start(actor=org.dept_manager, job=job, mapping=job.mapping, mode="skip")
    job.refresh_from_db()
    assert (job.status, job.created_count, import_run_module.BATCH_SIZE) == (ImportStatus.DONE, 2500, 1000)
    url = "/leads/?view=mine&status=assigned"
    assert summaries("lead.assigned") == [
        (org.rep.pk, "1250 new leads for you from the import of big.csv", url),
        (org.peer_rep.pk, "1250 new leads for you from the import of big.csv", url),
    ]
    assert (
        Lead.objects.filter(owner=org.rep).count() == Lead.objects.filter(owner=org.peer_rep).count() == 1250
    )
    assert not Notification.objects.filter(verb="lead.duplicate").exists()
    # one email each: the importer's result and the two summaries
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("manager@example.com", "Import of big.csv finished: 2500 leads created"),
        ("rep1@example.com", "1250 new leads for you from the import of big.csv"),
        ("rep3@example.com", "1250 new leads for you from the import of big.csv"),
    ]


def test_owners_of_duplicated_records_are_told_once_unless_they_received_the_leads(
    org, tmp_path, monkeypatch
):
    monkeypatch.setattr(import_run_module, "BATCH_SIZE", 2)  # six rows: three batches
    make_rule([org.rep])
    # two customers of a rep on leave, so their duplicates go to the rule
    for n in (1, 4):
        customer_create(actor=org.east_rep, data={"name": f"杭州测试{n}科技有限公司"})
    org.east_rep.on_leave = True
    org.east_rep.save()
    # a closed lead of another rep: its duplicate goes to the rule too
    original = LeadFactory(owner=org.other_dept_rep, phone="13900000003")
    Lead.objects.filter(pk=original.pk).update(status=LeadStatus.INVALID)
    # a customer of the rep who receives its duplicate: nothing to add for them
    customer_create(actor=org.rep, data={"name": "杭州测试5科技有限公司"})
    Notification.objects.all().delete()

    job = run(
        upload(org.dept_manager, write_csv(tmp_path / "d.csv", [row(n) for n in range(1, 7)])),
        org.dept_manager,
    )
    assert (job.created_count, job.duplicate_count) == (6, 4)
    assert set(Lead.objects.filter(import_job=job).values_list("owner", flat=True)) == {org.rep.pk}
    assert summaries("lead.duplicate") == [
        (org.east_rep.pk, "2 leads of the import of d.csv duplicate records you work on", ""),
        (
            org.other_dept_rep.pk,
            "1 lead of the import of d.csv duplicates a record you work on",
            reverse("leads:detail", args=[original.pk]),
        ),
    ]
    assert summaries("lead.assigned") == [
        (org.rep.pk, "6 new leads for you from the import of d.csv", "/leads/?view=mine&status=assigned")
    ]


def test_a_failed_all_or_nothing_import_tells_the_importer_only(org, tmp_path):
    make_rule([org.rep])
    customer_create(actor=org.peer_rep, data={"name": "杭州测试1科技有限公司"})
    rows = [row(n) for n in range(1, 1500)]
    rows[1200][2] = "1"
    job = upload(org.dept_manager, write_csv(tmp_path / "f.csv", rows), mode=ImportMode.ALL_OR_NOTHING)
    job = run(job, org.dept_manager)
    assert (job.status, job.created_count) == (ImportStatus.FAILED, 0)
    assert list(Notification.objects.values_list("recipient", "verb")) == [
        (org.dept_manager.pk, "lead.import_done")
    ]


def test_an_import_that_stops_halfway_still_sums_up_what_it_imported(org, tmp_path, monkeypatch):
    monkeypatch.setattr(import_run_module, "BATCH_SIZE", 10)
    make_rule([org.rep])
    job = upload(org.dept_manager, write_csv(tmp_path / "h.csv", [row(n) for n in range(1, 31)]))
    real_create = services.leads_create
    calls = []

    def broken_third_batch(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(services, "leads_create", broken_third_batch)
    job = run(job, org.dept_manager)
    assert (job.status, job.created_count) == (ImportStatus.FAILED, 20)
    assert summaries("lead.assigned") == [
        (org.rep.pk, "20 new leads for you from the import of h.csv", "/leads/?view=mine&status=assigned")
    ]


# --- running: resume, takeover, start once ----------------------------------------------------------------


def test_a_resumed_run_continues_after_the_last_saved_batch(org, tmp_path, monkeypatch):
    monkeypatch.setattr(import_run_module, "BATCH_SIZE", 100)
    make_rule([org.rep])
    rows = [row(n) for n in range(1, 351)]
    rows[149][2] = "bad"  # row 151, in the second batch
    job = upload(org.dept_manager, write_csv(tmp_path / "resume.csv", rows))
    imports.import_start(actor=org.dept_manager, job=job, mapping=job.mapping, mode="skip")

    # the worker dies after saving two batches
    real_create = services.leads_create
    calls = []

    def dying(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit("killed")
        return real_create(**kwargs)

    monkeypatch.setattr(services, "leads_create", dying)
    with pytest.raises(SystemExit):
        imports.import_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count, job.error_count) == ("running", 200, 199, 1)

    # the consumer starts again and queues it; a worker picks it up
    monkeypatch.setattr(services, "leads_create", real_create)
    queued = []
    monkeypatch.setattr(jobs, "enqueue", queued.append)
    assert imports.import_resume_running() == [job.pk]
    assert queued == [job.pk]
    job = imports.import_run(job.pk)
    assert (job.status, job.processed_rows, job.created_count, job.error_count) == (
        ImportStatus.DONE,
        350,
        349,
        1,
    )
    assert Lead.objects.count() == 349
    assert Lead.objects.values("phone").distinct().count() == 349
    assert errors_of(job)[0][:2] == (151, "手机号")
    assert LeadImportError.objects.count() == 1
    # one summary for both runs, sent when the import finished
    assert summaries("lead.assigned") == [
        (
            org.rep.pk,
            "349 new leads for you from the import of resume.csv",
            "/leads/?view=mine&status=assigned",
        )
    ]


def test_all_or_nothing_resumes_its_import_pass_and_restarts_an_unfinished_check(org, tmp_path, monkeypatch):
    monkeypatch.setattr(import_run_module, "BATCH_SIZE", 100)
    file = write_csv(tmp_path / "all.csv", [row(n) for n in range(1, 301)])
    job = upload(org.dept_manager, file, mode=ImportMode.ALL_OR_NOTHING)
    imports.import_start(actor=org.dept_manager, job=job, mapping=job.mapping, mode="all")
    real_create = services.leads_create
    calls = []

    def dying(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("killed")
        return real_create(**kwargs)

    monkeypatch.setattr(services, "leads_create", dying)
    with pytest.raises(SystemExit):
        imports.import_run(job.pk)
    job.refresh_from_db()
    assert (job.processed_rows, job.created_count) == (100, 100)  # checked all, imported one batch

    monkeypatch.setattr(services, "leads_create", real_create)
    job = imports.import_run(job.pk)
    assert (job.status, job.created_count, Lead.objects.count()) == (ImportStatus.DONE, 300, 300)

    # a check pass that was cut short starts again from the top, without the errors it had saved
    job = upload(
        org.dept_manager, write_csv(tmp_path / "b.csv", [row(n, phone="1") for n in range(400, 403)])
    )
    imports.import_start(actor=org.dept_manager, job=job, mapping=job.mapping, mode="all")
    LeadImport.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, processed_rows=2, error_count=2)
    LeadImportError.objects.bulk_create([LeadImportError(job=job, row=n, reason="old") for n in (2, 3)])
    job = imports.import_run(job.pk)
    assert (job.status, job.error_count) == (ImportStatus.FAILED, 3)
    assert [(r, m) for r, _c, _v, m in errors_of(job)] == [
        (n, "“1” is not a phone number.") for n in (2, 3, 4)
    ]


def test_a_run_that_was_taken_over_stops_without_writing(org, tmp_path, monkeypatch):
    monkeypatch.setattr(import_run_module, "BATCH_SIZE", 10)
    job = upload(org.dept_manager, write_csv(tmp_path / "t.csv", [row(n) for n in range(1, 31)]))
    imports.import_start(actor=org.dept_manager, job=job, mapping=job.mapping, mode="skip")
    real_create = services.leads_create

    def second_worker_starts(**kwargs):
        monkeypatch.setattr(services, "leads_create", real_create)
        LeadImport.objects.filter(pk=job.pk).update(started_at=datetime(2030, 1, 1, tzinfo=UTC))
        return real_create(**kwargs)

    monkeypatch.setattr(services, "leads_create", second_worker_starts)
    assert imports.import_run(job.pk) is None
    job.refresh_from_db()
    # the batch it was writing is kept (on PostgreSQL the new run waits for it); then it stops
    assert (job.status, job.processed_rows, job.created_count) == (ImportStatus.RUNNING, 10, 10)
    assert Lead.objects.count() == 10


def test_a_job_starts_once_and_a_finished_job_is_not_run_again(org, tmp_path):
    job = run(upload(org.dept_manager, write_csv(tmp_path / "o.csv", [row(1)])), org.dept_manager)
    with pytest.raises(ConflictError):
        imports.import_start(actor=org.dept_manager, job=job, mapping=job.mapping, mode="skip")
    assert imports.import_run(job.pk).status == ImportStatus.DONE
    assert Lead.objects.count() == 1


def test_an_unexpected_error_fails_the_job_with_a_message(org, tmp_path, monkeypatch):
    job = upload(org.dept_manager, write_csv(tmp_path / "e.csv", [row(1)]))
    imports.import_start(actor=org.dept_manager, job=job, mapping=job.mapping, mode="skip")

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "leads_create", broken)
    job = imports.import_run(job.pk)
    assert (job.status, job.message) == (ImportStatus.FAILED, "The import stopped after 0 rows: disk full")


def test_start_queues_the_task_after_commit(
    org, tmp_path, huey_immediate, django_capture_on_commit_callbacks
):
    job = upload(org.dept_manager, write_csv(tmp_path / "q.csv", [row(1), row(2)]))
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_start(actor=org.dept_manager, job=job, mapping=job.mapping, mode="skip")
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 2)


def test_periodic_sla_task_runs_every_five_minutes():
    task = tasks.reassign_overdue_leads.s()
    due = [m for m in range(60) if task.validate_datetime(datetime(2026, 1, 1, 10, m))]
    assert due == list(range(0, 60, 5))


# --- queries and size -------------------------------------------------------------------------------------


def _queries_for(org, tmp_path, count: int) -> int:
    job = upload(org.dept_manager, write_csv(tmp_path / f"q{count}.csv", [row(n) for n in range(count)]))
    imports.import_start(actor=org.dept_manager, job=job, mapping=job.mapping, mode="skip")
    with CaptureQueriesContext(connection) as queries:
        imports.import_run(job.pk)
    assert LeadImport.objects.get(pk=job.pk).created_count == count
    return len(queries)


def test_queries_per_batch_do_not_grow_with_the_rows(org, tmp_path):
    make_rule([org.rep, org.peer_rep])
    one = _queries_for(org, tmp_path, 1000)
    Lead.objects.all().delete()
    two = _queries_for(org, tmp_path, 2000)
    per_batch = two - one
    assert per_batch < 40, per_batch
    assert two <= 2 * one, (one, two)


def test_five_thousand_rows(org, tmp_path):
    make_rule([org.rep, org.peer_rep, org.east_rep])
    rows = [row(n) for n in range(5000)]
    for n in range(0, 5000, 500):
        rows[n][2] = "000"  # ten bad phones
    job = upload(org.dept_manager, write_xlsx(tmp_path / "5k.xlsx", rows))
    started = time.perf_counter()
    job = run(job, org.dept_manager)
    seconds = time.perf_counter() - started
    print(f"\n5,000 rows imported in {seconds:.1f} s ({5000 / seconds:,.0f} rows/s, {connection.vendor})")
    assert (job.created_count, job.error_count) == (4990, 10)
    assert Lead.objects.filter(owner__isnull=True).count() == 0
    assert seconds < 30


# --- pages ------------------------------------------------------------------------------------------------


def test_pages_upload_map_start_and_show_the_result(client, org, tmp_path):
    client.force_login(org.dept_manager)
    assert client.get(reverse("leads:imports")).status_code == 200
    assert client.get(reverse("leads:import_upload")).status_code == 200
    file = write_csv(tmp_path / "page.csv", [row(1), row(2, phone="12")])
    with file.open("rb") as stream:
        response = client.post(reverse("leads:import_upload"), {"file": stream, "mode": "skip", "source": ""})
    job = LeadImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("leads:import_detail", args=[job.pk])

    page = client.get(reverse("leads:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="mapping-grid"' in page
    assert '<option value="phone" selected>' in page
    assert "杭州测试1科技有限公司" in page

    data = {f"column-{i}": v for i, v in job.mapping.items()} | {"mode": "skip", "source": "", "campaign": ""}
    response = client.post(
        reverse("leads:import_detail", args=[job.pk]), data | {"column-0": "", "column-1": ""}
    )
    assert "contact name or the company" in response.content.decode()
    assert LeadImport.objects.get().status == ImportStatus.UPLOADED

    response = client.post(reverse("leads:import_detail", args=[job.pk]), data)
    assert response.status_code == 302
    imports.import_run(job.pk)  # the worker
    page = client.get(reverse("leads:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="import-errors"' in page
    assert "“12” is not a valid phone number." in page
    assert reverse("leads:import_progress", args=[job.pk]) not in page  # finished: no more polling


def test_progress_fragment_polls_while_running(client, org, tmp_path):
    client.force_login(org.dept_manager)
    job = upload(org.dept_manager, write_csv(tmp_path / "p.csv", [row(n) for n in range(10)]))
    imports.import_start(actor=org.dept_manager, job=job, mapping=job.mapping, mode="skip")
    LeadImport.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, processed_rows=4)
    url = reverse("leads:import_progress", args=[job.pk])
    html = client.get(url, headers={"HX-Request": "true", "HX-Target": "import-progress"}).content.decode()
    assert html.lstrip().startswith('<div id="import-progress"')
    assert 'hx-trigger="every 1s"' in html
    assert 'style="width: 40%"' in html
    assert "<html" in client.get(url).content.decode()  # a plain request gets the whole page


def test_error_report_neutralises_formulas(client, org, tmp_path):
    rows = [row(1, phone="=cmd|' /C calc'!A0"), row(2, phone="+SUM(A1)"), row(3, email="@x")]
    job = run(upload(org.dept_manager, write_csv(tmp_path / "f.csv", rows)), org.dept_manager)
    client.force_login(org.dept_manager)
    response = client.get(reverse("leads:import_errors", args=[job.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Row", "Column", "Value", "Reason")
    assert [v[:3] for v in values[1:]] == [
        (2, "手机号", "'=cmd|' /C calc'!A0"),
        (3, "手机号", "'+SUM(A1)"),
        (4, "邮箱", "'@x"),
    ]
    assert values[1][3].startswith("“=cmd")  # the reason quotes the value, and starts with a quote mark


def test_someone_else_cannot_see_my_import(client, org, tmp_path):
    job = upload(org.dept_manager, write_csv(tmp_path / "mine.csv", [row(1)]))
    with pytest.raises(Http404):
        import_get(user=org.director, pk=job.pk)
    assert import_get(user=org.admin, pk=job.pk) == job
    client.force_login(org.director)
    for name in ("import_detail", "import_progress", "import_errors"):
        assert client.get(reverse(f"leads:{name}", args=[job.pk])).status_code == 404
    assert job.original_name not in client.get(reverse("leads:imports")).content.decode()
    client.force_login(org.rep)
    assert client.get(reverse("leads:import_upload")).status_code == 403


# --- API --------------------------------------------------------------------------------------------------


def test_api_upload_starts_with_the_guessed_mapping_and_reports_progress(
    org, tmp_path, huey_immediate, django_capture_on_commit_callbacks
):
    client = api_client(org.dept_manager)
    file = write_csv(tmp_path / "api.csv", [row(1), row(2, phone="abc"), row(3)])
    with file.open("rb") as stream, django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/leads/import", {"file": stream, "source": "partner"})
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["status"], body["mapping"]["2"], body["source"]) == ("queued", "phone", "partner")

    status = client.get(f"/api/v1/leads/imports/{body['id']}").json()
    assert {
        k: status[k] for k in ("status", "total_rows", "created_count", "error_count", "percent", "phase")
    } == {
        "status": "done",
        "total_rows": 3,
        "created_count": 2,
        "error_count": 1,
        "percent": 100,
        "phase": "finished",
    }
    errors = client.get(status["errors_url"]).json()
    assert errors == {
        "items": [{"row": 3, "column": "手机号", "value": "abc", "reason": "“abc” is not a phone number."}],
        "count": 1,
    }
    assert client.get("/api/v1/leads/imports").json()["count"] == 1


def test_api_upload_with_a_mapping_and_all_or_nothing(org, tmp_path):
    client = api_client(org.dept_manager)
    file = write_csv(tmp_path / "m.csv", [row(1)])
    with file.open("rb") as stream:
        response = client.post(
            "/api/v1/leads/import",
            {"file": stream, "mode": "all", "mapping": '{"0": "name", "手机号": "phone"}'},
        )
    assert response.status_code == 202, response.json()
    assert (response.json()["mode"], response.json()["mapping"]) == ("all", {"0": "name", "2": "phone"})


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"mapping": "[1, 2]"}, 400, "mapping"),
        ({"mapping": '{"0": "phone"}'}, 400, "mapping"),
        ({"mode": "sometimes"}, 400, "mode"),
    ],
)
def test_api_refuses_bad_input_and_keeps_nothing(org, tmp_path, var_dir, data, status, field):
    client = api_client(org.dept_manager)
    with write_csv(tmp_path / "x.csv", [row(1)]).open("rb") as stream:
        response = client.post("/api/v1/leads/import", {"file": stream, **data})
    assert (response.status_code, response.json()["field"]) == (status, field)
    assert not LeadImport.objects.exists()
    assert not list((var_dir / "uploads" / "imports").glob("*"))


def test_api_refuses_a_picture_and_a_rep(org, tmp_path):
    picture = tmp_path / "photo.xlsx"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with picture.open("rb") as stream:
        response = api_client(org.dept_manager).post("/api/v1/leads/import", {"file": stream})
    assert (response.status_code, response.json()["field"]) == (400, "file")
    with write_csv(tmp_path / "x.csv", [row(1)]).open("rb") as stream:
        assert api_client(org.rep).post("/api/v1/leads/import", {"file": stream}).status_code == 403


def test_api_hides_other_peoples_imports(org, tmp_path):
    job = upload(org.dept_manager, write_csv(tmp_path / "mine.csv", [row(1)]))
    client = api_client(org.director)
    assert client.get(f"/api/v1/leads/imports/{job.pk}").status_code == 404
    assert client.get(f"/api/v1/leads/imports/{job.pk}/errors").status_code == 404
    assert client.get("/api/v1/leads/imports").json() == {"items": [], "count": 0}
