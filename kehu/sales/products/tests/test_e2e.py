"""Browser test: a director creates a product from the page and finds it in the list."""

import re

import pytest
from playwright.sync_api import Page, expect

from kehu.org.tests.factories import PASSWORD
from kehu.sales.products.models import Product
from kehu.sales.products.tests.factories import ProductCategoryFactory, ProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/products/")


def test_create_a_product_and_find_it_in_the_list(page: Page, live_server, org):
    ProductCategoryFactory(name="硬件")
    ProductFactory(code="SW-001", name="客户管理系统 标准版")
    log_in(page, live_server, org.director.username)
    expect(page.get_by_test_id("result-count")).to_have_text("1 product")

    # create one, with a validation error first (the code is taken)
    page.get_by_role("link", name=re.compile("New product")).first.click()
    page.fill("#id_code", "sw-001")
    page.fill("#id_name", "考勤终端 T1")
    page.select_option("#id_category", label="硬件")
    page.fill("#id_unit", "台")
    page.fill("#id_list_price", "1999.00")
    page.fill("#id_cost", "800")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-field-error=code]")).to_be_visible()
    page.fill("#id_code", "HW-T1")
    page.get_by_role("button", name="Save").click()

    # back on the list: it is there, and the search finds it in place
    expect(page).to_have_url(f"{live_server.url}/products/")
    expect(page.get_by_test_id("result-count")).to_have_text("2 products")
    page.fill("#id_q", "考勤")
    expect(page.get_by_test_id("result-count")).to_have_text("1 product")
    expect(page.get_by_test_id("product-row")).to_contain_text("HW-T1")
    expect(page.get_by_test_id("product-row")).to_contain_text("1,999.00")
    assert Product.objects.get(code="HW-T1").category.name == "硬件"
