"""Browser tests of the purchase statistics page: a manager opens it from the menu, filters by a rep (the
figures change in place) and downloads the export of what is shown; screenshots at desktop and phone widths
in English and Chinese (KEHU_SCREENSHOTS=/dir keeps them)."""

import os
import re
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from kehu.followups.tests.test_e2e import log_in
from kehu.sales.statistics.tests.book import build_book, figures, purchases, raw_orders

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("KEHU_SCREENSHOTS", "")
EXTRA_LOCALE = os.environ.get("KEHU_EXTRA_LOCALE", "")
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2026, 9, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


def money(value: D) -> str:
    return f"{value:,.2f}"


def test_filter_by_a_rep_and_download_the_export(page: Page, live_server, org, tmp_path):
    build_book(org)
    everyone = figures(purchases(raw_orders(), lambda o: True, *YEAR))
    reps = figures(purchases(raw_orders(), lambda o: o["owner_id"] == org.rep.pk, *YEAR))

    log_in(page, live_server, org.dept_manager.username)
    page.get_by_test_id("nav-purchase-statistics").click()
    expect(page.get_by_test_id("total-purchases")).to_have_text(str(everyone[0]))
    expect(page.get_by_test_id("total-amount")).to_have_text(money(everyone[1]))
    expect(page.locator("[data-chart] canvas")).to_have_count(1)  # ECharts drew the monthly series

    page.select_option("#id_owner", str(org.rep.pk))
    expect(page.get_by_test_id("total-amount")).to_have_text(money(reps[1]))
    expect(page.get_by_test_id("total-purchases")).to_have_text(str(reps[0]))
    expect(page).to_have_url(re.compile(rf"/reports/purchases/\?.*owner={org.rep.pk}"))  # kept in the address
    expect(page.get_by_test_id("by-rep").get_by_test_id("group-row")).to_have_count(1)
    expect(page.locator("[data-chart] canvas")).to_have_count(1)  # drawn again after the swap

    with page.expect_download() as download:
        page.get_by_test_id("statistics-export").click()
    path = tmp_path / "statistics.xlsx"
    download.value.save_as(path)
    summary = {row[0]: row[1] for row in load_workbook(path)["Summary"].iter_rows(values_only=True)}
    assert summary["Purchases"] == reps[0]
    assert D(str(summary["Amount"])) == reps[1]
    assert summary["Rep"] == str(org.rep)


def test_statistics_screenshots(page: Page, live_server, org, settings):
    """Desktop and phone widths, English and Chinese: nothing overflows the page sideways."""
    if EXTRA_LOCALE:
        settings.LOCALE_PATHS = [EXTRA_LOCALE, *settings.LOCALE_PATHS]
    build_book(org)
    log_in(page, live_server, org.dept_manager.username)
    for language in ("en", "zh-hans"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{live_server.url}/reports/purchases/")
            expect(page.get_by_test_id("total-purchases")).to_have_text("8")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, (language, width)
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{SHOTS}/statistics-{language}-{width}.png", full_page=True)
