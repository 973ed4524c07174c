"""Browser test of the issue's flow: a rep writes a contract from a won opportunity through the pages,
submits it (no flow: approved at once), sets a two-instalment plan on its Payments tab, records a partial
receipt for the first instalment, sees it partly paid and the contract's payment status, then the amount
outstanding on the customer's Purchases tab; and the tab at phone width, in English and Chinese, without
sideways overflow.

KEHU_SCREENSHOTS=/some/dir keeps screenshots; KEHU_EXTRA_LOCALE=/dir adds a catalogue compiled from a not yet
merged .po (read before kehu/locale)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kehu.followups.tests.test_e2e import log_in
from kehu.sales.contracts import services as contracts
from kehu.sales.contracts.models import Contract
from kehu.sales.contracts.tests.test_e2e import _won_opportunity
from kehu.sales.payments import services

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_pipeline"),
]
SHOTS = os.environ.get("KEHU_SCREENSHOTS", "")
EXTRA_LOCALE = os.environ.get("KEHU_EXTRA_LOCALE", "")


def test_a_two_instalment_plan_a_partial_receipt_and_the_customers_outstanding_amount(
    page: Page, live_server, org
):
    opportunity, _quote = _won_opportunity(org)
    today = timezone.localdate()
    first_due, second_due = today + timedelta(days=15), today + timedelta(days=105)
    log_in(page, live_server, org.rep.username)

    # the contract, written from the won opportunity and approved at once (no flow applies)
    page.goto(f"{live_server.url}/opportunities/{opportunity.pk}/")
    page.get_by_test_id("new-contract").click()
    page.get_by_test_id("contract-create-confirm").click()
    expect(page.get_by_test_id("contract-form")).to_be_visible()
    page.select_option("#id_signatory", str(org.rep.pk))
    page.get_by_test_id("contract-save").click()
    page.get_by_test_id("contract-submit").click()
    expect(page.get_by_test_id("contract-status")).to_have_text("Approved")
    expect(page.get_by_test_id("contract-amount")).to_have_text("197,640.00 CNY")

    # the Payments tab: nothing planned, nothing received yet
    page.get_by_test_id("tab-payments").click()
    panel = page.get_by_test_id("payments-panel")
    expect(panel.get_by_test_id("summary-outstanding")).to_have_text("197,640.00")
    expect(panel.get_by_test_id("summary-status")).to_have_text("Unpaid")

    # a plan of two instalments typed in the editor; the sum follows the amounts
    expect(page.get_by_test_id("plan-add")).to_be_visible()  # the editor's script is running
    page.fill("#id_plan-0-due_on", first_due.isoformat())
    page.fill("#id_plan-0-amount", "98820")
    page.fill("#id_plan-0-description", "合同签订后首付 50%")
    page.get_by_test_id("plan-add").click()
    page.fill("#id_plan-1-due_on", second_due.isoformat())
    page.fill("#id_plan-1-amount", "98820")
    page.fill("#id_plan-1-description", "验收后付 50%")
    expect(page.locator('[data-total="subtotal"]')).to_have_text("197,640.00")
    page.get_by_test_id("plan-save").click()
    expect(page.locator("#toasts")).to_contain_text("Payment plan saved: 2 instalments.")
    expect(panel.get_by_test_id("instalment-1")).to_contain_text(first_due.isoformat())
    expect(panel.get_by_test_id("instalment-2")).to_contain_text("验收后付 50%")
    contract = Contract.objects.get()
    first = contract.instalments.get(position=1)

    # a partial receipt for the first instalment
    page.get_by_test_id("receipt-open").click()
    page.fill("#id_receipt-amount", "50000")
    page.select_option("#id_receipt-instalment", str(first.pk))
    page.fill("#id_receipt-reference", "工行回单 20261125-001")
    page.get_by_test_id("receipt-save").click()
    expect(page.locator("#toasts")).to_contain_text("Receipt of 50,000.00 recorded.")
    row = panel.get_by_test_id("instalment-1")
    expect(row.get_by_test_id("instalment-paid")).to_have_text("50,000.00")
    expect(row.get_by_test_id("instalment-status")).to_have_text("Partly paid")
    expect(panel.get_by_test_id("instalment-2").get_by_test_id("instalment-status")).to_have_text("Unpaid")
    expect(panel.get_by_test_id("summary-status")).to_have_text("Partly paid")
    expect(panel.get_by_test_id("summary-received")).to_have_text("50,000.00")
    expect(panel.get_by_test_id("summary-outstanding")).to_have_text("147,640.00")
    expect(panel.get_by_test_id("receipts")).to_contain_text("工行回单 20261125-001")

    # the customer's Purchases tab shows what the signed contracts still owe
    page.get_by_test_id("customer-link").click()
    page.get_by_test_id("tab-purchases").click()
    expect(page.get_by_test_id("purchase-outstanding")).to_have_text("147,640.00")


def test_the_payments_tab_fits_a_phone_in_english_and_chinese(page: Page, live_server, org, settings):
    if EXTRA_LOCALE:
        settings.LOCALE_PATHS = [EXTRA_LOCALE, *settings.LOCALE_PATHS]
    opportunity, _quote = _won_opportunity(org)
    contract = contracts.contract_create_from_opportunity(actor=org.rep, opportunity=opportunity)
    contract = contracts.contract_submit(actor=org.rep, contract=contract)
    today = timezone.localdate()
    first, _second = services.plan_set(
        actor=org.rep,
        contract=contract,
        instalments=[
            {"due_on": today - timedelta(days=20), "amount": "98820", "description": "首付款"},
            {"due_on": today + timedelta(days=70), "amount": "98820", "description": "验收款"},
        ],
    )
    services.receipt_record(
        actor=org.rep,
        contract=contract,
        data={"amount": "50000", "method": "acceptance_bill", "reference": "银承 3100 0052 1234"},
        instalment=first,
    )
    services.invoice_record(
        actor=org.rep,
        contract=contract,
        data={"number": "04400123", "amount": "98820", "tax_amount": "11368.67"},
    )
    log_in(page, live_server, org.rep.username)
    for language in ("en", "zh-hans"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{live_server.url}/contracts/{contract.pk}/?tab=payments")
            expect(page.get_by_test_id("instalment-1")).to_be_visible()  # loaded over htmx
            page.get_by_test_id("receipt-open").click()
            expect(page.get_by_test_id("receipt-save")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (language, width)
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{SHOTS}/contract-payments-{language}-{width}.png", full_page=True)
