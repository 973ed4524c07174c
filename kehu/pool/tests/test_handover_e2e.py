"""Browser test: a manager hands a departing rep's book over (pick, preview, confirm); screenshots."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.tests.factories import PlanFactory
from kehu.followups.tests.test_e2e import log_in
from kehu.leads.tests.factories import LeadFactory
from kehu.org.models import User
from kehu.pool.models import Handover
from kehu.pool.tests.test_handover import grant_handover

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# KEHU_SCREENSHOTS=/some/dir keeps screenshots of the form with its preview and of the result.
SHOTS = os.environ.get("KEHU_SCREENSHOTS", "")
# KEHU_EXTRA_LOCALE=/dir with zh_Hans/LC_MESSAGES/django.mo: translations not yet merged into kehu/locale.
EXTRA_LOCALE = os.environ.get("KEHU_EXTRA_LOCALE", "")


def _book(org):
    for i in range(5):
        customer = CustomerFactory(owner=org.rep, name=f"上海星河科技有限公司{i}")
        PlanFactory(customer=customer)
    LeadFactory(owner=org.rep, name="王五", company_name="杭州西湖贸易有限公司")
    grant_handover(org)


def _fill(page: Page, org, mode: str, recipients: list[str]) -> None:
    page.select_option("#id_from_user", str(org.rep.pk))
    page.get_by_test_id(f"mode-{mode}").check()
    page.select_option("#id_recipients", [str(User.objects.get(username=u).pk) for u in recipients])
    page.fill("#id_note", "离职交接")


def test_manager_previews_and_confirms_a_handover(page: Page, live_server, org):
    _book(org)
    log_in(page, live_server, org.dept_manager.username)
    page.goto(f"{live_server.url}/handovers/new/")
    _fill(page, org, "split", [org.peer_rep.username, org.east_rep.username])

    page.get_by_test_id("handover-preview-button").click()
    preview = page.get_by_test_id("handover-preview")
    expect(preview).to_contain_text("Rep1 will be deactivated")
    summary = preview.get_by_test_id("handover-summary")
    expect(summary.locator("tbody tr")).to_have_count(2)
    # in the order of the list (department, then name): the East rep first, then the Shanghai one
    expect(summary.locator("tbody tr").first).to_contain_text("Rep4")
    expect(summary.locator("tfoot")).to_contain_text("5")
    assert Customer.objects.filter(owner=org.rep).count() == 5  # a preview changes nothing

    page.get_by_test_id("handover-confirm").click()
    expect(page.get_by_test_id("handover-title")).to_have_text("Handover of Rep1")
    expect(page.locator("#toasts")).to_contain_text("Rep1's book was handed over.")
    expect(page.get_by_test_id("handover-summary")).to_contain_text("Rep3")
    expect(page.get_by_test_id("handover-facts")).to_contain_text("Deactivated")
    assert Customer.objects.filter(owner=org.east_rep).count() == 3
    assert Customer.objects.filter(owner=org.peer_rep).count() == 2
    assert not User.objects.get(pk=org.rep.pk).is_active

    page.goto(f"{live_server.url}/handovers/")
    expect(page.get_by_test_id("handover-table")).to_contain_text("Rep1")
    assert Handover.objects.count() == 1


def test_handover_screenshots(page: Page, live_server, org, settings):
    """Desktop and phone widths, English and Chinese: nothing overflows the page sideways."""
    if EXTRA_LOCALE:
        settings.LOCALE_PATHS = [EXTRA_LOCALE, *settings.LOCALE_PATHS]
    _book(org)
    log_in(page, live_server, org.dept_manager.username)
    for language in ("en", "zh-hans"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{live_server.url}/handovers/new/")
            _fill(page, org, "to_one", [org.peer_rep.username])
            page.get_by_test_id("handover-preview-button").click()
            expect(page.get_by_test_id("handover-confirm")).to_be_visible()
            _no_overflow(page, language, width)
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                page.evaluate("window.scrollTo(0, 0)")  # the sticky bar would sit mid-page in a full shot
                page.screenshot(path=f"{SHOTS}/handover-form-{language}-{width}.png", full_page=True)
    page.get_by_test_id("handover-confirm").click()
    expect(page.get_by_test_id("handover-title")).to_be_visible()
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        _no_overflow(page, "zh-hans", width)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/handover-result-zh-hans-{width}.png", full_page=True)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.reload()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/handover-result-en-390.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.reload()
        page.screenshot(path=f"{SHOTS}/handover-result-en-1280.png", full_page=True)


def _no_overflow(page: Page, language: str, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, (language, width, overflow)
