"""Browser tests: the main customer flows in Chromium, desktop and phone width."""

import re

import pytest
from playwright.sync_api import Page, expect

from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory
from kehu.org.tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/")  # the workbench
    page.goto(f"{live_server.url}/customers/")  # where these tests start


def test_create_filter_open_and_see_timeline(page: Page, live_server, org):
    CustomerFactory(owner=org.rep, name="杭州西湖贸易有限公司", status="deal")
    log_in(page, live_server, org.rep.username)

    # create a customer, with a validation error first
    page.get_by_role("link", name=re.compile("New customer")).first.click()
    page.fill("#id_name", "上海星河科技有限公司")
    page.fill("#id_credit_code", "91350100M000100Y44")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-field-error=credit_code]")).to_contain_text("check character")
    page.fill("#id_credit_code", "91350100M000100Y43")
    page.fill("#id_phone", "138 1234 5678")
    page.select_option("#id_status", "intent")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("上海星河科技有限公司")
    customer = Customer.objects.get(name="上海星河科技有限公司")
    assert customer.phone == "+8613812345678"

    # edit it, then see the change on its timeline
    page.get_by_role("link", name="Edit").click()
    page.select_option("#id_level", "A")
    page.get_by_role("button", name="Save").click()
    page.get_by_test_id("tab-timeline").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("changed the customer")
    expect(timeline).to_contain_text("Level")
    expect(timeline).to_contain_text("created the customer")

    # filter the list in place (htmx): by search and by status
    page.goto(f"{live_server.url}/customers/")
    expect(page.get_by_test_id("result-count")).to_have_text("2 customers")
    page.fill("#id_q", "星河")
    expect(page.get_by_test_id("result-count")).to_have_text("1 customer")
    expect(page).to_have_url(re.compile(r"q=%E6%98%9F%E6%B2%B3"))
    page.fill("#id_q", "")
    page.select_option("#id_status", "deal")
    expect(page.get_by_test_id("result-count")).to_have_text("1 customer")
    page.get_by_role("link", name="杭州西湖贸易有限公司").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("杭州西湖贸易有限公司")


def test_switch_language(page: Page, live_server, org):
    log_in(page, live_server, org.rep.username)
    page.select_option("[data-testid=language-select]", "zh-hans")
    expect(page.get_by_role("heading", name="客户")).to_be_visible()
    page.select_option("[data-testid=language-select]", "en")
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()


def test_phone_width_menu_and_list(page: Page, live_server, org):
    CustomerFactory(owner=org.rep, name="深圳南山科技有限公司")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, org.rep.username)
    expect(page.get_by_role("link", name="深圳南山科技有限公司")).to_be_visible()
    sidebar_link = page.locator("#sidebar").get_by_role("link", name="Recycle bin")
    expect(sidebar_link).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(sidebar_link).to_be_visible()
    sidebar_link.click()
    expect(page.get_by_role("heading", name="Recycle bin")).to_be_visible()


def test_manager_transfers_from_the_list(page: Page, live_server, org):
    customer = CustomerFactory(owner=org.rep, name="苏州工业园区客户")
    log_in(page, live_server, org.dept_manager.username)
    page.get_by_label("苏州工业园区客户").check()
    page.select_option("#transfer-owner", str(org.peer_rep.pk))
    page.get_by_test_id("transfer-submit").click()
    expect(page.locator("#toasts")).to_contain_text("1 customers transferred")
    customer.refresh_from_db()
    assert customer.owner == org.peer_rep
