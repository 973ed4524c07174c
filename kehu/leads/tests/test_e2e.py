"""Browser tests: a lead from the form to a customer, and claiming from the pool at phone width."""

import re

import pytest
from playwright.sync_api import Page, expect

from kehu.customers.models import Customer
from kehu.leads.models import Lead
from kehu.leads.tests.factories import LeadFactory, make_rule
from kehu.org.tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/")  # the workbench


def test_rep_captures_works_and_converts_a_lead(page: Page, live_server, org):
    make_rule([org.rep], name="华东网站线索", sla_hours=24)
    log_in(page, live_server, org.rep.username)
    page.locator("#sidebar").get_by_role("link", name=re.compile(r"Leads$")).click()
    page.get_by_role("link", name="New lead").first.click()

    # a validation error first: nothing to reach the lead by
    page.fill("#id_name", "王五")
    page.fill("#id_company_name", "上海星河科技有限公司")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-field-error=phone]")).to_contain_text("at least one way to reach")
    assert not Lead.objects.exists()

    page.fill("#id_phone", "139 1234 5678")
    page.select_option("#id_source", "website")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("lead-name")).to_have_text("王五")
    summary = page.get_by_test_id("assignment-summary")
    expect(summary).to_contain_text("Rep1")
    expect(summary).to_contain_text("华东网站线索")
    expect(summary).to_contain_text("Round robin")
    expect(page.get_by_test_id("lead-sla")).to_contain_text("Due in 23 hours")

    page.get_by_test_id("action-contacted").click()
    expect(page.get_by_test_id("lead-status")).to_have_text("Contacted")
    page.get_by_test_id("tab-history").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("marked the lead as contacted")

    page.get_by_test_id("action-convert").click()
    expect(page.get_by_test_id("convert-plan")).to_contain_text(
        "A new customer 上海星河科技有限公司 will be created"
    )
    page.get_by_test_id("convert-submit").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("上海星河科技有限公司")
    expect(page.locator("#toasts")).to_contain_text("Lead converted into the customer")
    customer = Customer.objects.get()
    assert page.url.endswith(f"/customers/{customer.pk}/")

    page.get_by_test_id("tab-timeline").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("converted the lead into the customer 上海星河科技有限公司")
    expect(timeline).to_contain_text("marked the lead as contacted")
    expect(timeline).to_contain_text("created a lead, assigned to Rep1 by the rule “华东网站线索”")


def test_phone_width_list_and_claim_from_the_pool(page: Page, live_server, org):
    mine = LeadFactory(owner=org.rep, name="我的线索", company_name="深圳南山科技有限公司")
    pooled = LeadFactory(name="公海线索", company_name="杭州西湖贸易有限公司")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, org.rep.username)

    page.get_by_role("button", name="Menu").click()
    page.locator("#sidebar").get_by_role("link", name="Lead pool").click()
    expect(page.get_by_test_id("view-pool")).to_have_class(re.compile("active"))
    expect(page.get_by_role("link", name="公海线索")).to_be_visible()
    expect(page.get_by_role("link", name="我的线索")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling

    page.get_by_test_id(f"claim-{pooled.pk}").click()
    expect(page.get_by_test_id("claimed")).to_be_visible()
    expect(page.locator("#toasts")).to_contain_text("You claimed")
    pooled.refresh_from_db()
    assert pooled.owner == org.rep

    page.get_by_test_id("view-mine").click()
    expect(page.get_by_test_id("result-count")).to_have_text("2 leads")
    page.fill("#id_q", "南山")
    expect(page.get_by_test_id("result-count")).to_have_text("1 lead")
    page.get_by_role("link", name="我的线索").click()
    expect(page.get_by_test_id("lead-name")).to_have_text("我的线索")
    assert mine.pk in {int(x) for x in re.findall(r"/leads/(\d+)/", page.url)}
