"""Browser tests of the targets page: a rep opens it from the menu and sees their attainment; a manager sets
a target through the form (split, adjust a month, save); screenshots at desktop and phone widths in English
and Chinese (KEHU_SCREENSHOTS=/dir keeps them)."""

import os
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect

from kehu.followups.tests.test_e2e import log_in
from kehu.targets.models import Target
from kehu.targets.services import Subject, target_set
from kehu.targets.tests.factories import SHANGHAI, contract

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("KEHU_SCREENSHOTS", "")
EXTRA_LOCALE = os.environ.get("KEHU_EXTRA_LOCALE", "")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2026, 5, 15, 10, 0, tzinfo=SHANGHAI), tick=True):
        yield


def book(org):
    contract(org.rep, date(2026, 5, 2), "600.00")
    contract(org.rep, date(2026, 2, 2), "1800.00")
    contract(org.rep, date(2025, 5, 2), "400.00")
    for subject, amount in (
        (Subject("company"), "60000"),
        (Subject("department", department=org.shanghai), "24000"),
    ):
        target_set(actor=org.director, year=2026, metric="signed_amount", subject=subject, amount=D(amount))
    target_set(
        actor=org.director,
        year=2026,
        metric="signed_amount",
        subject=Subject("rep", user=org.rep),
        amount=D("12000"),
    )


def test_rep_sees_attainment(page: Page, live_server, org):
    book(org)
    log_in(page, live_server, org.rep.username)
    page.get_by_test_id("nav-targets").click()
    rows = page.get_by_test_id("target-row")
    expect(rows).to_have_count(3)
    mine = rows.filter(has_text=str(org.rep))
    expect(mine.get_by_test_id("mtd-actual")).to_have_text("600.00")
    expect(mine.get_by_test_id("mtd-attainment")).to_have_text("60.00%")
    expect(mine.get_by_test_id("ytd-actual")).to_have_text("2,400.00")
    expect(mine.get_by_test_id("mtd-growth")).to_have_text("50.00%")
    expect(page.locator("[data-chart] canvas")).to_have_count(1)
    expect(page.get_by_test_id("target-new")).to_have_count(0)


def test_manager_sets_a_target_through_the_form(page: Page, live_server, org):
    log_in(page, live_server, org.dept_manager.username)
    page.get_by_test_id("nav-targets").click()
    page.get_by_test_id("target-new").click()
    page.select_option("#id_subject_kind", "rep")
    page.select_option("#id_user", str(org.peer_rep.pk))
    page.fill("#id_amount", "1200")
    page.get_by_test_id("target-split").click()
    expect(page.locator("#id_month_1")).to_have_value("100.00")
    page.fill("#id_month_1", "50.00")
    page.get_by_test_id("target-save").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("add up to 1150.00")
    page.fill("#id_month_12", "150.00")
    page.get_by_test_id("target-save").click()
    row = page.get_by_test_id("target-row").filter(has_text=str(org.peer_rep))
    expect(row.get_by_test_id("target-amount")).to_have_text("1,200.00")
    assert Target.objects.get().monthly[0] == D("50.00")


def test_targets_screenshots(page: Page, live_server, org, settings):
    """Desktop and phone widths, English and Chinese: nothing overflows the page sideways."""
    if EXTRA_LOCALE:
        settings.LOCALE_PATHS = [EXTRA_LOCALE, *settings.LOCALE_PATHS]
    book(org)
    log_in(page, live_server, org.dept_manager.username)
    for language in ("en", "zh-hans"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{live_server.url}/targets/")
            expect(page.get_by_test_id("target-row")).to_have_count(3)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (language, width)
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{SHOTS}/targets-{language}-{width}.png", full_page=True)
