"""Browser tests of the quote pages: a discounted quote written on the opportunity page goes to approval and
comes back approved; the line editor's script adds, fills and removes rows; screenshots of the pages."""

import os
from datetime import timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kehu.approvals.models import ApprovalRequest, ApprovalTask
from kehu.approvals.services import approval_approve
from kehu.customers.tests.factories import ContactFactory, CustomerFactory
from kehu.followups.tests.test_e2e import log_in
from kehu.sales.opportunities.tests.factories import OpportunityFactory
from kehu.sales.products.tests.factories import PriceListFactory, PriceListItemFactory, ProductFactory
from kehu.sales.quotes import services
from kehu.sales.quotes.choices import QuoteStatus
from kehu.sales.quotes.models import Quote
from kehu.sales.quotes.tests.factories import make_discount_flow, make_quote

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_pipeline"),
]
# KEHU_SCREENSHOTS=/some/dir keeps screenshots of the pages (desktop and phone, English and Chinese);
# KEHU_EXTRA_LOCALE=/dir adds a catalogue compiled from a not yet merged .po (read before kehu/locale).
SHOTS = os.environ.get("KEHU_SCREENSHOTS", "")
EXTRA_LOCALE = os.environ.get("KEHU_EXTRA_LOCALE", "")


def test_submit_a_discounted_quote_approve_it_as_the_approver_see_it_approved(page: Page, live_server, org):
    make_discount_flow(org.admin, org.team_lead, above="10")
    product = ProductFactory(code="CRM-STD", name="CRM 标准版", unit="套", list_price=D("1000.00"))
    opportunity = OpportunityFactory(owner=org.rep, title="苏州ERP项目")

    # the rep writes the quote from the opportunity's page, with 20 % off the product line
    log_in(page, live_server, org.rep.username)
    page.goto(f"{live_server.url}/opportunities/{opportunity.pk}/")
    page.get_by_test_id("tab-quotes").click()
    page.get_by_test_id("new-quote").click()
    form = page.get_by_test_id("quote-form")
    expect(page.locator("#id_title")).to_have_value("苏州ERP项目")
    expect(page.get_by_test_id("line-add")).to_be_visible()  # the line editor's script is running
    page.select_option("#id_lines-0-product", str(product.pk))
    expect(page.locator("#id_lines-0-name")).to_have_value("CRM 标准版")
    page.fill("#id_lines-0-quantity", "2")
    page.fill("#id_lines-0-discount_percent", "20")
    form.get_by_test_id("quote-save").click()

    expect(page.get_by_test_id("quote-status")).to_have_text("Draft")
    quote = Quote.objects.get()
    expect(page.get_by_test_id("quote-total")).to_have_text("1,808.00 CNY")  # 2 × 1,000 − 20 %, + 13 %
    expect(page.get_by_test_id("quote-effective-discount")).to_have_text("20%")
    page.get_by_test_id("quote-submit").click()
    expect(page.get_by_test_id("quote-status")).to_have_text("Waiting for approval")
    expect(page.locator("#toasts")).to_contain_text(f"Quote {quote.number} submitted: waiting for approval.")
    expect(page.get_by_test_id("quote-edit")).to_have_count(0)

    # the approver finds it in the queue and approves it
    page.context.clear_cookies()
    log_in(page, live_server, org.team_lead.username)
    page.goto(f"{live_server.url}/approvals/")
    approval = ApprovalRequest.objects.get()
    page.get_by_test_id(f"approval-link-{approval.pk}").click()
    expect(page.get_by_test_id("approval-status")).to_have_text("Pending")
    page.get_by_test_id("approval-comment").fill("同意")
    page.get_by_test_id("approval-approve").click()
    expect(page.get_by_test_id("approval-status")).to_have_text("Approved")

    # the quote is approved; its history shows the decision
    page.get_by_test_id("approval-document-link").click()
    expect(page.get_by_test_id("quote-status")).to_have_text("Approved")
    page.get_by_test_id("tab-approvals").click()
    expect(page.get_by_test_id(f"approval-request-{approval.pk}")).to_contain_text("同意")
    assert Quote.objects.get().status == QuoteStatus.APPROVED


def test_the_line_editor_adds_fills_and_removes_rows(page: Page, live_server, org):
    product = ProductFactory(code="POS", name="收银系统", unit="台", list_price=D("2000.00"), tax_rate=D("6"))
    price_list = PriceListFactory(name="渠道价", valid_from=timezone.localdate() - timedelta(days=1))
    PriceListItemFactory(price_list=price_list, product=product, price=D("1800.00"))
    opportunity = OpportunityFactory(owner=org.rep, title="门店项目")
    log_in(page, live_server, org.rep.username)
    page.goto(f"{live_server.url}/quotes/new/?opportunity={opportunity.pk}")
    lines = page.locator("[data-lines] [data-line]")
    expect(lines).to_have_count(1)
    expect(page.get_by_test_id("line-add")).to_be_visible()  # the line editor's script is running

    page.get_by_test_id("line-add").click()
    expect(lines).to_have_count(2)
    expect(page.locator("#id_lines-TOTAL_FORMS")).to_have_value("2")
    page.select_option("#id_lines-1-product", str(product.pk))
    expect(page.locator("#id_lines-1-name")).to_have_value("收银系统")
    expect(page.locator("#id_lines-1-unit")).to_have_value("台")
    expect(page.locator("#id_lines-1-unit_price")).to_have_attribute("placeholder", "2000.00")
    expect(page.locator("#id_lines-1-tax_rate")).to_have_attribute("placeholder", "6.00")
    page.select_option("#id_price_list", str(price_list.pk))  # the hint follows the price list
    expect(page.locator("#id_lines-1-unit_price")).to_have_attribute("placeholder", "1800.00")
    page.fill("#id_lines-1-quantity", "3")
    expect(page.locator('[data-total="total"]')).to_have_text("5,724.00")  # 3 × 1,800 + 6 %

    lines.nth(0).get_by_test_id("line-remove").click()  # the empty first row goes
    expect(lines.nth(0)).to_be_hidden()
    page.get_by_test_id("line-add").click()
    page.fill("#id_lines-2-name", "安装调试")
    page.fill("#id_lines-2-unit_price", "500")
    expect(page.locator('[data-total="total"]')).to_have_text("6,289.00")  # + 500 + 13 %
    page.get_by_test_id("quote-save").click()

    expect(page.get_by_test_id("quote-status")).to_have_text("Draft")
    quote = Quote.objects.get()
    assert [(line.name, line.unit_price, line.amount) for line in quote.lines.all()] == [
        ("收银系统", D("1800.00"), D("5400.00")),
        ("安装调试", D("500.00"), D("500.00")),
    ]
    assert quote.total == D("6289.00")


def _sample_quotes(org):
    customer = CustomerFactory(owner=org.rep, name="江苏南通精密机械制造有限公司")
    contact = ContactFactory(customer=customer, name="周建华", title="采购经理", mobile="13800138000")
    opportunity = OpportunityFactory(owner=org.rep, customer=customer, title="智能制造数字化转型项目一期")
    products = [
        ProductFactory(code="CRM-ENT", name="客户关系管理系统 企业版", unit="套", list_price=D("128000.00")),
        ProductFactory(code="CRM-USER", name="用户许可（年）", unit="用户", list_price=D("1200.00")),
        ProductFactory(
            code="SVC-IMPL", name="实施服务", unit="人天", list_price=D("2500.00"), tax_rate=D("6")
        ),
    ]
    make_discount_flow(org.admin, org.team_lead, above="10")
    lines = [
        {"product_id": products[0].pk, "quantity": "1", "discount_percent": "15"},
        {"product_id": products[1].pk, "quantity": "50"},
        {"product_id": products[2].pk, "quantity": "20", "unit_price": "2200"},
        {"name": "数据迁移（历史订单 8 年）", "unit": "项", "quantity": "1", "unit_price": "18000"},
    ]
    terms = "1. 付款方式：合同签订后 5 个工作日内支付 50%，验收后支付 50%。\n2. 交付周期：合同签订后 60 天。"
    main = services.quote_create(
        actor=org.rep,
        opportunity=opportunity,
        data={
            "title": "CRM 企业版及实施服务报价",
            "terms": terms,
            "notes": "客户预算约 30 万",
            "discount_percent": "2",
        },
        lines=lines,
        contact=contact,
    )
    main = services.quote_submit(actor=org.rep, quote=main)
    approval_approve(actor=org.team_lead, task=ApprovalTask.objects.get(), comment="同意，争取本月签约")
    main.refresh_from_db()
    others = [make_quote(opportunity, title=f"年度维保报价 {i}") for i in range(3)]
    services.quote_submit(actor=org.rep, quote=others[0])
    Quote.objects.filter(pk=others[1].pk).update(valid_until=timezone.localdate() - timedelta(days=3))
    return main, opportunity, others[2]


def test_quote_screenshots(page: Page, live_server, org, settings):
    """Desktop and phone widths, English and Chinese: nothing overflows the page sideways."""
    if EXTRA_LOCALE:
        settings.LOCALE_PATHS = [EXTRA_LOCALE, *settings.LOCALE_PATHS]
    settings.KEHU_COMPANY_NAME = "上海科户信息技术有限公司"
    settings.KEHU_COMPANY_ADDRESS = "上海市浦东新区张江高科技园区碧波路 690 号"
    settings.KEHU_COMPANY_PHONE = "021-5080 8888"
    quote, opportunity, draft = _sample_quotes(org)
    log_in(page, live_server, org.rep.username)
    for language in ("en", "zh-hans"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            pages = {
                "list": "/quotes/",
                "form": f"/quotes/new/?opportunity={opportunity.pk}",
                "edit": f"/quotes/{draft.pk}/edit/",
                "detail": f"/quotes/{quote.pk}/",
                "approvals": f"/quotes/{quote.pk}/?tab=approvals",
                "timeline": f"/quotes/{quote.pk}/?tab=timeline",
                "print": f"/quotes/{quote.pk}/print/",
                "opportunity": f"/opportunities/{opportunity.pk}/?tab=quotes",
            }
            for name, url in pages.items():
                page.goto(f"{live_server.url}{url}")
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                assert scroll_width <= width, (name, language, width)
                if SHOTS:
                    Path(SHOTS).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=f"{SHOTS}/quotes-{name}-{language}-{width}.png", full_page=True)
