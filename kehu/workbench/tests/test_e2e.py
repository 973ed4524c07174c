"""Browser test: a rep opens the workbench, records a follow-up on today's plan, and the plan leaves it."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kehu.core.activity import activity_record
from kehu.customers.tests.factories import ContactFactory, CustomerFactory
from kehu.followups.choices import PlanStatus
from kehu.followups.models import FollowUpPlan
from kehu.followups.tests.factories import PlanFactory
from kehu.followups.tests.test_e2e import log_in
from kehu.leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# KEHU_SCREENSHOTS=/some/dir keeps screenshots of the workbench (desktop and phone, English and Chinese).
SHOTS = os.environ.get("KEHU_SCREENSHOTS", "")


def later_today():
    now = timezone.localtime()
    return min(now + timedelta(minutes=30), now.replace(hour=23, minute=59, second=0, microsecond=0))


def test_record_a_followup_from_the_workbench(page: Page, live_server, org):
    customer = CustomerFactory(owner=org.rep, name="苏州工业园区科技有限公司")
    ContactFactory(customer=customer, name="周经理")
    plan = PlanFactory(customer=customer, due_at=later_today(), action="电话确认报价")
    PlanFactory(
        customer=CustomerFactory(owner=org.rep, name="杭州西湖贸易"),
        due_at=timezone.now() - timedelta(days=2),
        action="回访",
    )
    PlanFactory(customer=CustomerFactory(owner=org.peer_rep, name="同事的客户"), due_at=later_today())
    LeadFactory(owner=org.rep, name="王五", company_name="上海星河科技有限公司")

    log_in(page, live_server, org.rep.username)

    today = page.get_by_test_id("wb-today")
    expect(today).to_contain_text("苏州工业园区科技有限公司")
    expect(today).to_contain_text("电话确认报价")
    expect(page.get_by_test_id("wb-today-count")).to_have_text("1")
    expect(page.get_by_test_id("wb-overdue")).to_contain_text("杭州西湖贸易")
    expect(page.get_by_test_id("wb-leads")).to_contain_text("上海星河科技有限公司")
    expect(page.locator("body")).not_to_contain_text("同事的客户")

    today.get_by_role("button", name="Record follow-up").click()
    form = page.get_by_test_id("wb-record-form")
    expect(form).to_be_visible()
    page.select_option(f"#id_plan{plan.pk}_method", "phone")
    page.select_option(f"#id_plan{plan.pk}_contact", label="周经理")
    page.fill(f"#id_plan{plan.pk}_content", "客户确认报价，下周签约")
    form.get_by_role("button", name="Record").click()

    expect(page.locator("#toasts")).to_contain_text("Follow-up recorded.")
    expect(page.get_by_test_id("wb-today")).to_contain_text("No contacts planned for today.")
    expect(page.get_by_test_id("wb-today-count")).to_have_text("0")
    expect(page.get_by_test_id("wb-overdue")).to_contain_text("杭州西湖贸易")  # another customer's plan stays
    assert FollowUpPlan.objects.get(pk=plan.pk).status == PlanStatus.DONE


def test_a_next_plan_recorded_on_the_customer_page_is_on_the_workbench(page: Page, live_server, org):
    customer = CustomerFactory(owner=org.rep, name="宁波港口物流有限公司")
    log_in(page, live_server, org.rep.username)
    expect(page.get_by_test_id("wb-today-count")).to_have_text("0")

    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.get_by_test_id("tab-followups").click()
    form = page.get_by_test_id("followup-form")
    page.select_option("#id_method", "phone")
    page.fill("#id_content", "客户要求下午再联系")
    page.fill("#id_next_at", later_today().strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_next_action", "下午回电确认需求")
    form.get_by_role("button", name="Record").click()
    expect(page.locator("#toasts")).to_contain_text("Follow-up recorded.")

    page.get_by_role("link", name="Workbench").first.click()
    today = page.get_by_test_id("wb-today")
    expect(today).to_contain_text("宁波港口物流有限公司")
    expect(today).to_contain_text("下午回电确认需求")
    expect(page.get_by_test_id("wb-today-count")).to_have_text("1")


def test_a_customer_about_to_return_to_the_pool_is_a_warning(page: Page, live_server, org):
    from kehu.pool.tests.factories import PoolFactory

    PoolFactory(name="华东公海", departments=[org.sales], no_followup_days=15, warn_days_before=3)
    now = timezone.now()
    tomorrow_noon = timezone.localtime(now).replace(hour=12, minute=0) + timedelta(days=1)
    CustomerFactory(
        owner=org.rep, name="无锡精密机械有限公司", received_at=now - timedelta(days=40),
        last_followup_at=tomorrow_noon - timedelta(days=15),
    )  # fmt: skip
    CustomerFactory(
        owner=org.rep, name="刚联系过的客户", received_at=now - timedelta(days=40), last_followup_at=now
    )

    log_in(page, live_server, org.rep.username)

    warnings = page.get_by_test_id("wb-pool")
    expect(page.get_by_test_id("wb-pool-count")).to_have_text("1")
    expect(warnings).to_contain_text("无锡精密机械有限公司")
    expect(warnings).to_contain_text("Returns to the pool in 1 day (No follow-up)")
    expect(warnings).not_to_contain_text("刚联系过的客户")


def test_workbench_screenshots(page: Page, live_server, org):
    """Desktop and phone widths, English and Chinese: nothing overflows the page sideways."""
    for i in range(3):
        customer = CustomerFactory(owner=org.dept_manager, name=f"上海星河科技有限公司{i}")
        PlanFactory(customer=customer, due_at=later_today(), action="电话确认报价，并发送最新的产品资料")
        PlanFactory(customer=customer, due_at=timezone.now() - timedelta(days=i + 1), action="上门拜访")
        activity_record(actor=org.rep, subject=CustomerFactory(owner=org.rep), verb="customer.created")
    LeadFactory(owner=org.dept_manager, name="王五", company_name="杭州西湖贸易有限公司")
    log_in(page, live_server, org.dept_manager.username)
    for language in ("en", "zh-hans"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{live_server.url}/")
            expect(page.get_by_test_id("wb-team")).to_be_visible()
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (language, width, overflow)
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{SHOTS}/workbench-{language}-{width}.png", full_page=True)
    # the quick form, open under its plan, at phone width
    page.get_by_test_id("wb-today").get_by_role("button").first.click()
    expect(page.get_by_test_id("wb-record-form")).to_be_visible()
    expect(page.locator(".collapse.show [data-testid=wb-record-form]")).to_have_count(1)  # opened
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/workbench-form-390.png", full_page=True)
