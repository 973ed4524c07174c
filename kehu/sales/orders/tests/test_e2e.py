"""Browser tests of the order pages: an order with two lines written from the customer's Purchases tab shows
up there once confirmed; screenshots of the pages (KEHU_SCREENSHOTS=/dir keeps them)."""

import os
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.tests.test_e2e import log_in
from kehu.sales.orders.models import Order
from kehu.sales.orders.tests.factories import make_order
from kehu.sales.products.tests.factories import ProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("KEHU_SCREENSHOTS", "")
EXTRA_LOCALE = os.environ.get("KEHU_EXTRA_LOCALE", "")


def test_create_an_order_with_two_lines_and_see_it_on_the_purchases_tab(page: Page, live_server, org):
    customer = CustomerFactory(owner=org.rep, name="苏州精密机械有限公司")
    product = ProductFactory(
        code="MES", name="MES 生产管理", unit="套", list_price=D("20000.00"), cost=D("8000.00")
    )

    log_in(page, live_server, org.rep.username)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.get_by_test_id("tab-purchases").click()
    page.get_by_test_id("new-order").click()
    expect(page.get_by_test_id("line-add")).to_be_visible()  # the line editor's script is running
    page.select_option("#id_lines-0-product", str(product.pk))
    expect(page.locator("#id_lines-0-name")).to_have_value("MES 生产管理")
    page.fill("#id_lines-0-quantity", "2")
    page.get_by_test_id("line-add").click()
    page.fill("#id_lines-1-name", "现场实施")
    page.fill("#id_lines-1-unit_price", "3000")
    page.fill("#id_lines-1-unit_cost", "1000")
    expect(page.locator('[data-total="total"]')).to_have_text("43,000.00")
    page.get_by_test_id("order-save").click()

    expect(page.get_by_test_id("order-status")).to_have_text("Draft")
    expect(page.get_by_test_id("order-total")).to_have_text("43,000.00 CNY")
    expect(page.get_by_test_id("order-gross-profit")).to_have_text("26,000.00")
    page.get_by_test_id("order-confirm").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Confirmed")
    order = Order.objects.get()

    page.get_by_test_id("customer-link").click()
    panel = page.get_by_test_id("purchases-panel")
    expect(panel.get_by_test_id("purchase-count")).to_have_text("1")
    expect(panel.get_by_test_id("purchase-total")).to_have_text("43,000.00")
    expect(panel.get_by_test_id("purchase-products")).to_contain_text("MES 生产管理")
    expect(panel.get_by_test_id("purchase-orders")).to_contain_text(order.number)


def test_order_screenshots(page: Page, live_server, org, settings):
    """Desktop and phone widths, English and Chinese: nothing overflows the page sideways."""
    if EXTRA_LOCALE:
        settings.LOCALE_PATHS = [EXTRA_LOCALE, *settings.LOCALE_PATHS]
    customer = CustomerFactory(owner=org.rep, name="上海浦东新区精密仪器制造有限公司")
    products = [
        ProductFactory(
            code="CRM-ENT", name="CRM 企业版（含移动端）", unit="套", list_price=D("98000"), cost=D("30000")
        ),
        ProductFactory(code="SVC-DAY", name="实施服务", unit="人天", list_price=D("2500"), cost=D("1200")),
    ]
    lines = [
        {"product_id": products[0].pk, "quantity": "1", "unit_price": "88000"},
        {"product_id": products[1].pk, "quantity": "20"},
        {
            "name": "数据迁移（历史订单 8 年）",
            "unit": "项",
            "quantity": "1",
            "unit_price": "18000",
            "unit_cost": "6000",
        },
    ]
    main = make_order(
        customer,
        lines=lines,
        status="shipped",
        order_date=date(2026, 3, 18),
        source_reference="HT-2026-000012",
    )
    for status, day in (
        ("completed", date(2025, 12, 1)),
        ("completed", date(2025, 1, 20)),
        ("cancelled", date(2025, 6, 5)),
    ):
        make_order(customer, lines=lines[1:], status=status, order_date=day)
    draft = make_order(customer, lines=lines[:2])
    log_in(page, live_server, org.rep.username)
    for language in ("en", "zh-hans"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            pages = {
                "list": "/orders/",
                "form": f"/orders/new/?customer={customer.pk}",
                "edit": f"/orders/{draft.pk}/edit/",
                "detail": f"/orders/{main.pk}/",
                "timeline": f"/orders/{main.pk}/?tab=timeline",
                "purchases": f"/customers/{customer.pk}/?tab=purchases",
            }
            for name, url in pages.items():
                page.goto(f"{live_server.url}{url}")
                if name == "purchases":
                    expect(page.get_by_test_id("purchase-count")).to_have_text("3")
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                assert scroll_width <= width, (name, language, width)
                if SHOTS:
                    Path(SHOTS).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=f"{SHOTS}/orders-{name}-{language}-{width}.png", full_page=True)
