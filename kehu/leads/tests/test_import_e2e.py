"""Browser tests of the lead import: upload, map, start, watch the progress, read the row errors."""

import pytest
from django.core.files import File
from django.utils import timezone
from playwright.sync_api import Page, expect

from kehu.customers.tests.test_e2e import log_in
from kehu.leads import imports
from kehu.leads.choices import ImportStatus
from kehu.leads.models import Lead, LeadImport, LeadImportError
from kehu.leads.tests.rules import make_rule

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSV = (
    "姓名,公司名称,手机,备注\n"
    "张三,上海星河科技有限公司,13912345678,老客户介绍\n"
    "李四,,12345,号码不全\n"
    "\n"
    "王五,杭州西湖贸易有限公司,+86 139 1234 0000,\n"
)


@pytest.fixture
def csv_file(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    path = tmp_path / "展会线索.csv"
    path.write_text(CSV, encoding="utf-8-sig")
    return path


def test_upload_map_start_and_see_the_row_error(page: Page, live_server, org, huey_immediate, csv_file):
    make_rule([org.rep])
    log_in(page, live_server, org.dept_manager.username)

    # upload
    page.goto(f"{live_server.url}/leads/imports/")
    page.get_by_test_id("import-new").click()
    page.set_input_files("#id_file", str(csv_file))
    page.select_option("#id_source", "exhibition")
    page.get_by_test_id("import-upload").click()

    # the mapping page: guessed columns over the first rows; leave the remark out
    expect(page.get_by_test_id("mapping-grid")).to_contain_text("上海星河科技有限公司")
    expect(page.get_by_test_id("column-0")).to_have_value("name")
    expect(page.get_by_test_id("column-1")).to_have_value("company_name")
    expect(page.get_by_test_id("column-2")).to_have_value("phone")
    page.select_option("[data-testid=column-3]", "")
    page.get_by_test_id("import-start").click()

    # the progress finishes and the bad row is listed with its row number and column
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("import-created")).to_have_text("2")
    errors = page.get_by_test_id("import-errors")
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.locator("tbody tr td").nth(0)).to_have_text("3")
    expect(errors.locator("tbody tr td").nth(1)).to_have_text("手机")
    expect(errors).to_contain_text("“12345” is not a valid phone number.")
    with page.expect_download() as download:
        page.get_by_test_id("import-errors-download").click()
    assert download.value.suggested_filename.endswith("-errors.xlsx")
    assert sorted(Lead.objects.values_list("name", "source", "remark", "owner")) == [
        ("张三", "exhibition", "", org.rep.pk),
        ("王五", "exhibition", "", org.rep.pk),
    ]


def test_the_progress_bar_follows_a_running_import(page: Page, live_server, org, csv_file):
    # an import the background worker is busy with, one row of three read
    with csv_file.open("rb") as stream:
        job = imports.import_upload(actor=org.dept_manager, file=File(stream, name=csv_file.name))
    LeadImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, started_at=timezone.now(), processed_rows=1, total_rows=3
    )
    log_in(page, live_server, org.dept_manager.username)
    page.goto(f"{live_server.url}/leads/imports/{job.pk}/")
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_have_attribute("data-status", "running")
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "33")

    # the worker moves on, then finishes: the page polls and shows it without a reload
    LeadImport.objects.filter(pk=job.pk).update(processed_rows=2)
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "66")
    LeadImportError.objects.create(job=job, row=3, column="手机", value="12345", reason="Too short.")
    LeadImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE, processed_rows=4, created_count=2, error_count=1, finished_at=timezone.now()
    )
    expect(progress).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("import-errors")).to_contain_text("Too short.")


def test_mapping_page_fits_a_phone(page: Page, live_server, org, csv_file):
    with csv_file.open("rb") as stream:
        job = imports.import_upload(actor=org.dept_manager, file=File(stream, name=csv_file.name))
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, org.dept_manager.username)
    page.goto(f"{live_server.url}/leads/imports/{job.pk}/")
    expect(page.get_by_test_id("import-start")).to_be_visible()
    # the grid scrolls inside its box; the page itself does not scroll sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
