"""Browser tests: record a follow-up with a next plan from the customer page and from the customer list."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kehu.customers.models import Customer
from kehu.customers.tests.factories import ContactFactory, CustomerFactory
from kehu.followups.choices import PlanStatus
from kehu.followups.models import FollowUp, FollowUpPlan
from kehu.org.tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/")  # the workbench


def test_record_a_followup_with_a_next_plan(page: Page, live_server, org):
    customer = CustomerFactory(owner=org.rep, name="苏州工业园区科技有限公司")
    ContactFactory(customer=customer, name="周经理")
    log_in(page, live_server, org.rep.username)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")

    page.get_by_test_id("tab-followups").click()
    form = page.get_by_test_id("followup-form")
    expect(form).to_be_visible()

    # a plan in the past is refused, next to its field
    next_at = timezone.localtime() + timedelta(days=2)
    page.select_option("#id_method", "visit")
    page.select_option("#id_contact", label="周经理")
    page.fill("#id_content", "上门演示，客户关心报表")
    page.fill("#id_next_at", (next_at - timedelta(days=4)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_next_action", "发送报价")
    form.get_by_role("button", name="Record").click()
    expect(page.locator("[data-field-error=next_at]")).to_contain_text("in the future")

    page.fill("#id_next_at", next_at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("followup-form").get_by_role("button", name="Record").click()
    history = page.get_by_test_id("followup-list")
    expect(history).to_contain_text("上门演示，客户关心报表")
    expect(history).to_contain_text("周经理")
    plans = page.get_by_test_id("followup-plans")
    expect(plans).to_contain_text("发送报价")
    expect(plans).to_contain_text(next_at.strftime("%Y-%m-%d %H:%M"))
    expect(page.locator("#toasts")).to_contain_text("Follow-up recorded.")
    assert Customer.objects.get(pk=customer.pk).next_followup_at is not None

    # mark the plan done: it leaves the list
    plans.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("No contact planned.")).to_be_visible()
    assert FollowUpPlan.objects.get().status == PlanStatus.DONE

    # the timeline tells the story
    page.get_by_test_id("tab-timeline").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("recorded a follow-up (Visit): 上门演示，客户关心报表")
    expect(timeline).to_contain_text("done")


def test_record_a_followup_from_the_customer_list(page: Page, live_server, org):
    customer = CustomerFactory(owner=org.rep, name="常州新能源科技有限公司")
    ContactFactory(customer=customer, name="钱总")
    log_in(page, live_server, org.rep.username)
    page.goto(f"{live_server.url}/customers/")

    page.get_by_test_id("quick-followup").first.click()
    dialog = page.locator("#quick-followup")
    expect(dialog.get_by_test_id("quick-followup-form")).to_contain_text("常州新能源科技有限公司")
    page.select_option("#id_quick_method", "phone")
    page.select_option("#id_quick_contact", label="钱总")
    page.fill("#id_quick_content", "电话确认了交付时间")
    dialog.get_by_role("button", name="Record").click()

    expect(page.locator("#toasts")).to_contain_text("Follow-up recorded.")
    expect(dialog).to_be_hidden()
    followup = FollowUp.objects.get(customer=customer)
    assert (followup.method, followup.contact.name, followup.content) == (
        "phone",
        "钱总",
        "电话确认了交付时间",
    )
