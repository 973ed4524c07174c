"""Browser test of the sales funnel: a manager opens it from the menu, filters by a department (the figures
change in place), clicks a stage and sees its opportunities (KEHU_SCREENSHOTS=/dir keeps screenshots)."""

import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from kehu.analytics.tests.book import build_book
from kehu.followups.tests.test_e2e import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("KEHU_SCREENSHOTS", "")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2026, 12, 31, 23, 45, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


def test_filter_by_department_and_click_a_stage(page: Page, live_server, org, default_pipeline):
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        build_book(org)  # the book's own times; the page's default period is this year (2026)
    log_in(page, live_server, org.dept_manager.username)
    page.get_by_test_id("nav-funnel").click()
    expect(page.get_by_test_id("total-created")).to_have_text("6")
    expect(page.locator("[data-funnel-chart] canvas")).to_have_count(1)  # ECharts drew the funnel

    page.select_option("#id_department", str(org.south.pk))
    expect(page.get_by_test_id("total-created")).to_have_text("1")
    expect(page).to_have_url(re.compile(rf"/reports/funnel/\?.*department={org.south.pk}"))
    expect(page.locator("[data-funnel-chart] canvas")).to_have_count(1)  # drawn again after the swap

    page.select_option("#id_department", str(org.east.pk))
    expect(page.get_by_test_id("total-created")).to_have_text("5")
    page.locator('tr[data-testid="stage-row"]').nth(2).click()  # 方案提供: o1, o3, o8 reached it
    panel = page.get_by_test_id("stage-opportunities")
    expect(panel.get_by_test_id("stage-opportunity")).to_have_count(3)
    expect(panel).to_contain_text("o3 项目")
    expect(panel).not_to_contain_text("o5 项目")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SHOTS}/funnel-e2e-{width}.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
