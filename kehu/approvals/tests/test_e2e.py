"""Browser tests of the approval pages: the approver finds a document in the queue, approves or rejects it."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kehu.approvals.choices import RequestStatus, StepKind
from kehu.approvals.models import ApprovalRequest
from kehu.approvals.services import approval_reject, approval_submit
from kehu.approvals.tests.factories import KEY, make_flow, step
from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.tests.test_e2e import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# KEHU_SCREENSHOTS=/some/dir keeps screenshots; KEHU_EXTRA_LOCALE=/dir adds a not yet merged catalogue.
SHOTS = os.environ.get("KEHU_SCREENSHOTS", "")
EXTRA_LOCALE = os.environ.get("KEHU_EXTRA_LOCALE", "")


def _submitted(org, docs, name: str) -> ApprovalRequest:
    make_flow(org.admin, "大额折扣审批", [step(StepKind.USER, org.team_lead, name="销售主管审批")])
    doc = docs.set(CustomerFactory(owner=org.rep, name=name), discount_percent="15", amount="520000")
    return approval_submit(actor=org.rep, document_type=KEY, document=doc)


def _open_from_queue(page: Page, live_server, org, approval) -> None:
    log_in(page, live_server, org.team_lead.username)
    page.goto(f"{live_server.url}/approvals/")
    row = page.locator(f"#approval-row-{approval.pk}")
    expect(row).to_contain_text("Rep1")
    expect(row).to_contain_text("discount (%): 15")
    expect(page.get_by_test_id("tab-queue")).to_contain_text("1")
    row.get_by_test_id(f"approval-link-{approval.pk}").click()
    expect(page.get_by_test_id("approval-status")).to_have_text("Pending")


def test_approver_approves_from_the_queue(page: Page, live_server, org, docs):
    approval = _submitted(org, docs, "报价单 Q-2026-001")
    _open_from_queue(page, live_server, org, approval)

    page.get_by_test_id("approval-comment").fill("同意，尽快签约")
    page.get_by_test_id("approval-approve").click()

    expect(page.locator("#toasts")).to_contain_text("Approved.")
    expect(page.get_by_test_id("approval-status")).to_have_text("Approved")
    expect(page.get_by_test_id("approval-comment-1")).to_contain_text("同意，尽快签约")
    expect(page.get_by_test_id("approval-decision")).to_have_count(0)
    assert ApprovalRequest.objects.get().status == RequestStatus.APPROVED


def test_approver_rejects_with_a_comment(page: Page, live_server, org, docs):
    approval = _submitted(org, docs, "报价单 Q-2026-002")
    _open_from_queue(page, live_server, org, approval)

    page.get_by_test_id("approval-reject").click()  # no comment: refused, nothing changes
    expect(page.get_by_test_id("approval-comment-error")).to_have_text("Give the reason for rejecting.")
    assert ApprovalRequest.objects.get().status == RequestStatus.PENDING
    page.get_by_test_id("approval-comment").fill("折扣超过权限，请重新报价")
    page.get_by_test_id("approval-reject").click()

    expect(page.locator("#toasts")).to_contain_text("Rejected.")
    expect(page.get_by_test_id("approval-status")).to_have_text("Rejected")
    expect(page.get_by_test_id("approval-comment-1")).to_contain_text("折扣超过权限，请重新报价")
    assert ApprovalRequest.objects.get().status == RequestStatus.REJECTED


def test_approval_screenshots(page: Page, live_server, org, docs, settings):
    """Desktop and phone widths, English and Chinese: nothing overflows the page sideways."""
    if EXTRA_LOCALE:
        settings.LOCALE_PATHS = [EXTRA_LOCALE, *settings.LOCALE_PATHS]
    approval = _submitted(org, docs, "上海星河科技有限公司 年度维保报价单 Q-2026-003")
    for i in range(3):
        doc = docs.set(CustomerFactory(owner=org.rep, name=f"报价单 Q-2026-10{i}"), discount_percent="12")
        last = approval_submit(actor=org.rep, document_type=KEY, document=doc)
    approval_reject(
        actor=org.team_lead, task=last.tasks.get(), comment="折扣超过权限，请与客户重新商议后再提交。"
    )
    log_in(page, live_server, org.team_lead.username)
    for language in ("en", "zh-hans"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            for name, url in {
                "queue": "/approvals/",
                "decided": "/approvals/?view=decided",
                "detail": f"/approvals/{approval.pk}/",
                "rejected": f"/approvals/{last.pk}/",
            }.items():
                page.goto(f"{live_server.url}{url}")
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, language, width)
                if SHOTS:
                    Path(SHOTS).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=f"{SHOTS}/approvals-{name}-{language}-{width}.png", full_page=True)
