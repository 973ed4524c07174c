"""Browser tests of the shared pool: claim from the pool, release from the customer page, preview a rule."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.tests.test_e2e import log_in
from kehu.pool.models import Pool, PoolEvent, PoolEventKind
from kehu.pool.services import customer_release
from kehu.pool.tests.factories import PoolFactory, pooled_customer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# KEHU_SCREENSHOTS=/some/dir keeps screenshots of the pool pages (desktop and phone, English and Chinese).
SHOTS = os.environ.get("KEHU_SCREENSHOTS", "")


@pytest.fixture
def east(org):
    return PoolFactory(
        name="华东公海", departments=[org.east], admins=[org.team_lead], claims_per_day=5, no_followup_days=30
    )


def test_rep_claims_a_customer_from_the_pool(page: Page, live_server, org, east):
    customer = CustomerFactory(owner=org.peer_rep, name="苏州工业园区科技有限公司", level="B", city="苏州")
    customer_release(actor=org.peer_rep, customer_ids=[customer.pk], reason="预算冻结", pool=east)
    pooled_customer(east, name="杭州西湖贸易有限公司")
    log_in(page, live_server, org.rep.username)

    page.locator("#sidebar").get_by_role("link", name="Shared pool").click()
    expect(page.get_by_test_id("pool-name")).to_have_text("华东公海")  # the only pool: straight to it
    expect(page.get_by_test_id("claims-today")).to_contain_text("My claims today: 0 / 5")
    row = page.locator(f"#pool-row-{customer.pk}")
    expect(row).to_contain_text("Rep3")
    expect(row).to_contain_text("Released: 预算冻结")

    row.get_by_test_id(f"claim-{customer.pk}").click()
    expect(page.get_by_test_id("claimed")).to_be_visible()
    expect(page.locator("#toasts")).to_contain_text("You claimed “苏州工业园区科技有限公司”.")
    customer.refresh_from_db()
    assert (customer.owner, customer.pool) == (org.rep, None)

    page.locator("#sidebar").get_by_role("link", name="Customers").click()
    page.get_by_test_id("view-mine").click()
    page.get_by_role("link", name="苏州工业园区科技有限公司").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("苏州工业园区科技有限公司")
    page.get_by_test_id("tab-timeline").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("claimed the customer from the pool 华东公海")
    expect(timeline).to_contain_text("released the customer to the pool 华东公海: 预算冻结")


def test_rep_releases_a_customer_with_a_reason(page: Page, live_server, org, east):
    customer = CustomerFactory(owner=org.rep, name="上海星河科技有限公司")
    log_in(page, live_server, org.rep.username)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")

    page.get_by_test_id("release-open").click()
    dialog = page.get_by_test_id("release-form")
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("release-submit").click()  # no reason: the browser asks for one
    assert Customer.objects.get(pk=customer.pk).owner == org.rep
    page.fill("#release-reason", "客户项目取消，暂无需求")
    dialog.get_by_test_id("release-submit").click()

    expect(page.locator("#toasts")).to_contain_text("“上海星河科技有限公司” released to the pool.")
    banner = page.get_by_test_id("pool-banner")
    expect(banner).to_contain_text("In the pool 华东公海 since")
    expect(banner).to_contain_text("客户项目取消，暂无需求")
    banner.get_by_role("link", name="华东公海").click()
    expect(page.locator(f"#pool-row-{customer.pk}")).to_contain_text("Released: 客户项目取消，暂无需求")
    event = PoolEvent.objects.get(customer=customer)
    assert (event.kind, event.from_user, event.reason) == (
        PoolEventKind.RELEASED,
        org.rep,
        "客户项目取消，暂无需求",
    )


def test_admin_previews_a_rule_change(page: Page, live_server, org, east):
    PoolFactory(name="公司公海", is_default=True, position=9)
    old = timezone.now() - timedelta(days=20)
    for i in range(3):
        CustomerFactory(owner=org.rep, name=f"久未跟进{i}", received_at=old, last_followup_at=old)
    CustomerFactory(owner=org.east_rep, name="久未跟进A", received_at=old, last_followup_at=old)
    CustomerFactory(owner=org.east_rep, name="刚跟进", received_at=old, last_followup_at=timezone.now())
    log_in(page, live_server, org.team_lead.username)
    page.goto(f"{live_server.url}/pool/{east.pk}/")
    page.get_by_test_id("pool-settings-link").click()

    page.fill("#id_no_followup_days", "14")
    page.get_by_test_id("pool-preview-button").click()
    expect(page.get_by_test_id("pool-preview-text")).to_have_text(
        "This change would move 4 customers to the pool."
    )
    owners = page.get_by_test_id("pool-preview-owners")
    expect(owners.locator("tbody tr").first).to_contain_text("Rep1")
    expect(owners.locator("tbody tr").first).to_contain_text("3")
    expect(owners).to_contain_text("Rep4")
    assert Pool.objects.get(pk=east.pk).no_followup_days == 30
    assert not Customer.objects.filter(pool__isnull=False).exists()

    page.get_by_test_id("pool-save").click()
    expect(page.locator("#toasts")).to_contain_text("Pool “华东公海” saved.")
    assert Pool.objects.get(pk=east.pk).no_followup_days == 14


def test_pool_screenshots(page: Page, live_server, org, east):
    """Desktop and phone widths, English and Chinese: nothing overflows the page sideways."""
    PoolFactory(name="华南公海", departments=[org.south], admins=[org.admin], is_default=True, position=5)
    east.claim_wait_hours, east.level_days, east.warn_days_before = 2, {"A": 60, "B": 45}, 3
    east.save()
    for i in range(4):
        c = CustomerFactory(
            owner=org.peer_rep, name=f"江苏南通精密机械制造有限公司{i}", level="ABCD"[i], city="南通"
        )
        customer_release(
            actor=org.peer_rep, customer_ids=[c.pk], reason="客户预算冻结，明年再联系", pool=east
        )
    PoolEvent.objects.update(created_at=timezone.now() - timedelta(days=12))
    Customer.objects.update(pooled_at=timezone.now() - timedelta(days=12))
    pooled_customer(east, name="新进公海的客户", industry="it", province="浙江", city="杭州")
    mine = CustomerFactory(owner=org.admin, name="上海星河科技有限公司")
    pooled = Customer.objects.filter(pool=east).order_by("pk").first()
    old = timezone.now() - timedelta(days=40)
    CustomerFactory(owner=org.rep, received_at=old, last_followup_at=old)
    log_in(page, live_server, org.admin.username)
    for language in ("en", "zh-hans"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            pages = {
                "list": "/pool/",
                "pool": f"/pool/{east.pk}/",
                "settings": f"/pool/{east.pk}/settings/",
                "banner": f"/customers/{pooled.pk}/",
                "release": f"/customers/{mine.pk}/",
                "timeline": f"/customers/{pooled.pk}/?tab=timeline",
            }
            for name, url in pages.items():
                page.goto(f"{live_server.url}{url}")
                if name == "pool":
                    page.locator("input[data-bulk-all]").check()
                    expect(page.get_by_test_id("pool-bulk-bar")).to_be_visible()
                if name == "settings":
                    page.fill("#id_no_followup_days", "14")
                    page.get_by_test_id("pool-preview-button").click()
                    expect(page.get_by_test_id("pool-preview-owners")).to_be_visible()
                if name == "release":
                    page.get_by_test_id("release-open").click()
                    expect(page.get_by_test_id("release-form")).to_be_visible()
                    page.wait_for_timeout(400)  # the dialog's fade
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, language, width)
                if SHOTS:
                    Path(SHOTS).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=f"{SHOTS}/pool-{name}-{language}-{width}.png", full_page=True)
