"""Browser tests of the opportunity pages: drag a card to the next stage on the board, win through the review
dialog on the detail page, add product lines on the form, and screenshots of the list, board, detail and
form pages."""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.tests.test_e2e import log_in
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import Opportunity, StageChange
from kehu.sales.opportunities.services import opportunity_create, opportunity_move
from kehu.sales.opportunities.tests.factories import OpportunityFactory, default_stages
from kehu.sales.products.tests.factories import ProductFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_pipeline"),
]
# KEHU_SCREENSHOTS=/some/dir keeps screenshots of the pages (desktop and phone, English and Chinese);
# KEHU_LOCALE_DIR=/other/locale reads the translations from a catalogue compiled elsewhere (not yet merged).
SHOTS = os.environ.get("KEHU_SCREENSHOTS", "")
LOCALE_DIR = os.environ.get("KEHU_LOCALE_DIR", "")


def drag(page: Page, source, target) -> None:
    """Drag with the mouse in small steps, as a person does (SortableJS listens to the pointer)."""
    source.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 10, start["y"] + start["height"] / 2, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 20, steps=20)
    page.mouse.up()


def test_drag_a_card_to_the_next_stage_changes_the_weighted_totals(page: Page, live_server, org):
    stages = default_stages()
    lead, next_stage = stages["销售线索"], stages["机会建立"]
    o = OpportunityFactory(owner=org.rep, title="苏州ERP项目", amount=Decimal("100000"))
    OpportunityFactory(
        owner=org.rep, title="杭州CRM项目", amount=Decimal("50000"), stage=next_stage, probability=20
    )
    log_in(page, live_server, org.rep.username)
    page.goto(f"{live_server.url}/opportunities/board/")
    expect(page.get_by_test_id(f"weighted-{lead.pk}")).to_have_text("10,000.00")
    expect(page.get_by_test_id(f"weighted-{next_stage.pk}")).to_have_text("10,000.00")

    drag(
        page,
        page.get_by_test_id(f"card-{o.pk}"),
        page.locator(f'[data-board-column][data-stage-id="{next_stage.pk}"]'),
    )

    expect(page.get_by_test_id(f"weighted-{next_stage.pk}")).to_have_text(
        "30,000.00"
    )  # 10,000 + 20 % of 100,000
    expect(page.get_by_test_id(f"weighted-{lead.pk}")).to_have_text("0.00")
    expect(page.get_by_test_id(f"count-{next_stage.pk}")).to_have_text("2")
    expect(page.locator("#toasts")).to_contain_text("“苏州ERP项目” moved to 机会建立.")
    assert Opportunity.objects.get(pk=o.pk).stage == next_stage
    assert StageChange.objects.filter(opportunity=o, to_stage=next_stage).count() == 1


def test_dropping_on_the_won_column_opens_the_review_and_cancel_puts_the_card_back(
    page: Page, live_server, org
):
    stages = default_stages()
    o = OpportunityFactory(owner=org.rep, title="苏州ERP项目")
    page.set_viewport_size({"width": 2400, "height": 900})  # every column in view, the won one too
    log_in(page, live_server, org.rep.username)
    page.goto(f"{live_server.url}/opportunities/board/")
    won = stages["合同签定"]
    drag(
        page,
        page.get_by_test_id(f"card-{o.pk}"),
        page.locator(f'[data-board-column][data-stage-id="{won.pk}"]'),
    )
    dialog = page.get_by_test_id("review-dialog-form")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    column = page.locator(f'[data-board-column][data-stage-id="{stages["销售线索"].pk}"]')
    expect(column.get_by_test_id(f"card-{o.pk}")).to_be_visible()
    assert Opportunity.objects.get(pk=o.pk).status == OpportunityStatus.OPEN


def test_win_through_the_review_dialog_on_the_detail_page(page: Page, live_server, org):
    o = OpportunityFactory(owner=org.rep, title="苏州ERP项目", amount=Decimal("300000"))
    log_in(page, live_server, org.rep.username)
    page.goto(f"{live_server.url}/opportunities/{o.pk}/")

    page.get_by_test_id("win-open").click()
    form = page.get_by_test_id("win-dialog-form")
    expect(form).to_be_visible()
    form.get_by_test_id("win-dialog-submit").click()  # empty: the browser asks for the reason
    assert Opportunity.objects.get(pk=o.pk).status == OpportunityStatus.OPEN
    page.fill("#win-dialog-reason", "方案贴合，价格合理")
    page.fill("#win-dialog-competitor", "金蝶")
    page.fill("#win-dialog-summary", "三次演示后客户决策")
    form.get_by_test_id("win-dialog-submit").click()

    expect(page.get_by_test_id("status")).to_have_text("Won")
    expect(page.get_by_test_id("stage-name")).to_have_text("合同签定")
    expect(page.locator("#toasts")).to_contain_text("“苏州ERP项目” won.")
    page.get_by_test_id("tab-history").click()
    expect(page.get_by_test_id("history")).to_contain_text("合同签定")
    o.refresh_from_db()
    assert (o.status, o.close_reason, o.winning_competitor) == (
        OpportunityStatus.WON,
        "方案贴合，价格合理",
        "金蝶",
    )


def test_add_a_product_line_on_the_form_and_see_it_on_the_saved_opportunity(page: Page, live_server, org):
    product = ProductFactory(code="CRM-STD", name="CRM 标准版", list_price=Decimal("1000.00"))
    customer = CustomerFactory(owner=org.rep, name="苏州科技")
    log_in(page, live_server, org.rep.username)
    page.goto(f"{live_server.url}/opportunities/new/?customer={customer.pk}")
    expect(page.get_by_test_id("line-add")).to_be_visible()  # the line editor's script is running
    page.fill("#id_title", "苏州CRM项目")
    page.select_option("#id_lines-0-product", str(product.pk))
    expect(page.locator("#id_lines-0-name")).to_have_value("CRM 标准版")
    expect(page.locator("#id_lines-0-unit_price")).to_have_attribute("placeholder", "1000.00")
    page.fill("#id_lines-0-quantity", "2")

    page.get_by_test_id("line-add").click()
    expect(page.locator("[data-lines] [data-line]")).to_have_count(2)
    page.fill("#id_lines-1-name", "实施服务")
    page.fill("#id_lines-1-unit_price", "500")
    expect(page.locator('[data-total="subtotal"]')).to_have_text("2,500.00")
    page.get_by_test_id("opportunity-save").click()

    expect(page.get_by_test_id("amount")).to_have_text("2,500.00 CNY")
    page.get_by_test_id("tab-lines").click()
    expect(page.locator("#opportunity-tab")).to_contain_text("实施服务")
    expect(page.locator("#opportunity-tab")).to_contain_text("CRM 标准版")
    o = Opportunity.objects.get(title="苏州CRM项目")
    assert [(line.product_id, line.amount) for line in o.lines.all()] == [
        (product.pk, Decimal("2000.00")),
        (None, Decimal("500.00")),
    ]
    assert o.amount == Decimal("2500.00")


def test_opportunity_form_screenshots_with_lines(page: Page, live_server, org, settings):
    """The form with two lines, desktop and phone widths, English and Chinese: nothing overflows sideways."""
    if LOCALE_DIR:
        settings.LOCALE_PATHS = [LOCALE_DIR]
    products = [
        ProductFactory(code="CRM-ENT", name="客户关系管理系统 企业版", list_price=Decimal("128000.00")),
        ProductFactory(code="SVC-IMPL", name="实施服务", unit="人天", list_price=Decimal("2500.00")),
    ]
    o = opportunity_create(
        actor=org.admin,
        customer=CustomerFactory(owner=org.admin, name="江苏南通精密机械制造有限公司"),
        data={"title": "智能制造数字化转型项目一期"},
        lines=[
            {"product_id": products[0].pk, "quantity": "1"},
            {"product_id": products[1].pk, "quantity": "20", "unit_price": "2200"},
        ],
    )
    log_in(page, live_server, org.admin.username)
    for language in ("en", "zh-hans"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{live_server.url}/opportunities/{o.pk}/edit/")
            expect(page.get_by_test_id("line-add")).to_be_visible()
            expect(page.locator('[data-total="subtotal"]')).to_have_text("172,000.00")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, (language, width)
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(
                    path=f"{SHOTS}/opportunities-form-lines-{language}-{width}.png", full_page=True
                )


def test_opportunity_screenshots(page: Page, live_server, org, settings):
    """Desktop and phone widths, English and Chinese: nothing overflows the page sideways."""
    if LOCALE_DIR:
        settings.LOCALE_PATHS = [LOCALE_DIR]
    stages = default_stages()
    stages["方案提供"].usual_days = 14
    stages["方案提供"].save()
    names = ["江苏南通精密机械制造有限公司", "上海星河科技有限公司", "杭州西湖贸易有限公司"]
    customers = [CustomerFactory(owner=org.admin, name=n) for n in names]
    first = None
    for i, stage in enumerate(
        ["销售线索", "机会建立", "方案提供", "方案评估", "商务谈判", "方案提供", "机会建立"]
    ):
        o = opportunity_create(
            actor=org.admin,
            customer=customers[i % 3],
            data={"title": f"智能制造数字化转型项目{i}期", "amount": Decimal(120000 + i * 35000)},
            stage=stages["销售线索"],
        )
        if stage != "销售线索":
            opportunity_move(actor=org.admin, opportunity=o, stage=stages[stage])
        first = o if i == 2 else first  # in 方案提供 after two moves, idle
    Opportunity.objects.filter(stage=stages["方案提供"]).update(
        stage_entered_at=timezone.now() - timedelta(days=30)
    )
    log_in(page, live_server, org.admin.username)
    for language in ("en", "zh-hans"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            pages = {
                "list": "/opportunities/",
                "board": "/opportunities/board/",
                "detail": f"/opportunities/{first.pk}/",
                "history": f"/opportunities/{first.pk}/?tab=history",
                "form": f"/opportunities/{first.pk}/edit/",
                "new": f"/opportunities/new/?customer={customers[1].pk}",
                "review": f"/opportunities/{first.pk}/lose/",
            }
            for name, url in pages.items():
                page.goto(f"{live_server.url}{url}")
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                assert scroll_width <= width, (name, language, width)
                if SHOTS:
                    Path(SHOTS).mkdir(parents=True, exist_ok=True)
                    page.screenshot(
                        path=f"{SHOTS}/opportunities-{name}-{language}-{width}.png", full_page=True
                    )
