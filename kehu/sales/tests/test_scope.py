"""Scope across contracts, payment collection, orders and purchase statistics: a rep reaches none of
another rep's contracts, plans, receipts, invoices, files or orders through any page, export or endpoint,
and no figure of theirs is counted in the rep's lists, reports and statistics."""

from datetime import timedelta
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kehu.customers.tests.factories import CustomerFactory
from kehu.org.services import api_token_create
from kehu.sales.contracts import services as contracts
from kehu.sales.orders.tests.factories import make_order
from kehu.sales.payments import services as payments

pytestmark = pytest.mark.django_db
SECRET_NAME = "南方秘密客户"
SECRET_AMOUNT = "777777"


@pytest.fixture
def theirs(org, settings, tmp_path):
    """Everything another rep (south) has: a signed contract with a plan, a receipt, an invoice, a file,
    and a completed order delivering it."""
    settings.MEDIA_ROOT = tmp_path
    owner = org.other_dept_rep
    customer = CustomerFactory(owner=owner, name=SECRET_NAME)
    draft = contracts.contract_create(
        actor=owner, customer=customer, data={"title": "保密合同", "amount": SECRET_AMOUNT}, lines=[]
    )
    contract = contracts.contract_submit(actor=owner, contract=draft)
    today = timezone.localdate()
    payments.plan_set(
        actor=owner,
        contract=contract,
        instalments=[
            {"amount": "377777", "due_on": today - timedelta(days=40)},
            {"amount": "400000", "due_on": today + timedelta(days=20)},
        ],
    )
    receipt = payments.receipt_record(actor=owner, contract=contract, data={"amount": "100000"})
    invoice = payments.invoice_record(
        actor=owner, contract=contract, data={"number": "44001234", "amount": "100000"}
    )
    attachment = contracts.contract_attach(
        actor=owner, contract=contract, upload=SimpleUploadedFile("scan.pdf", b"%PDF-1.7")
    )
    order = make_order(
        customer,
        status="completed",
        contract_id=contract.pk,
        lines=[{"name": "保密设备", "unit_price": SECRET_AMOUNT, "unit_cost": "1"}],
    )
    return {
        "customer": customer,
        "contract": contract,
        "receipt": receipt,
        "invoice": invoice,
        "attachment": attachment,
        "order": order,
    }


def api(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="scope")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def page_urls(t) -> list[str]:
    c, o = t["contract"].pk, t["order"].pk
    return [
        reverse("contracts:detail", args=[c]),
        reverse("contracts:edit", args=[c]),
        reverse("contracts:amend", args=[c]),
        reverse("contracts:attachment", args=[c, t["attachment"].pk]),
        reverse("payments:contract", args=[c]),
        reverse("orders:detail", args=[o]),
        reverse("orders:edit", args=[o]),
        reverse("orders:customer", args=[t["customer"].pk]),
        reverse("orders:create") + f"?contract={c}",
        reverse("orders:create") + f"?customer={t['customer'].pk}",
    ]


def page_posts(t) -> list[tuple[str, dict]]:
    c, o = t["contract"].pk, t["order"].pk
    return [
        (reverse("contracts:action", args=[c, "start"]), {}),
        (reverse("contracts:action", args=[c, "terminate"]), {"reason": "x"}),
        (reverse("contracts:attach", args=[c]), {"file": SimpleUploadedFile("x.pdf", b"%PDF")}),
        (reverse("payments:plan", args=[c]), {}),
        (reverse("payments:receipt", args=[c]), {"amount": "1"}),
        (reverse("payments:receipt_void", args=[c, t["receipt"].pk]), {"reason": "x"}),
        (reverse("payments:invoice", args=[c]), {"number": "1", "amount": "1"}),
        (reverse("payments:invoice_void", args=[c, t["invoice"].pk]), {}),
        (reverse("orders:action", args=[o, "cancel"]), {"reason": "x"}),
    ]


def test_no_page_of_anothers_contracts_payments_or_orders_opens_or_acts(client, org, theirs):
    client.force_login(org.rep)
    for url in page_urls(theirs):
        assert client.get(url).status_code == 404, url
    for url, data in page_posts(theirs):
        assert client.post(url, data).status_code == 404, url
    theirs["contract"].refresh_from_db()
    assert theirs["contract"].status == "approved"
    assert theirs["receipt"].__class__.objects.get(pk=theirs["receipt"].pk).voided_at is None


def test_lists_reports_statistics_and_exports_leave_out_anothers_rows(client, org, theirs):
    client.force_login(org.rep)
    for name in ("contracts:list", "orders:list", "payments:receivables", "sales_statistics:purchases"):
        html = client.get(reverse(name)).content.decode()
        assert SECRET_NAME not in html, name
        assert theirs["contract"].number not in html, name
        assert "777,777" not in html, name
        assert "777777" not in html, name
    export = client.get(reverse("sales_statistics:export"))
    assert export.status_code == 200
    assert not secrets_in(export)

    client.force_login(org.director)  # the same rows are there for whoever may see them
    assert SECRET_NAME in client.get(reverse("payments:receivables")).content.decode()
    assert secrets_in(client.get(reverse("sales_statistics:export")))


def secrets_in(export) -> set[str]:
    workbook = load_workbook(BytesIO(b"".join(export.streaming_content)), read_only=True)
    cells = {str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row}
    return {c for c in cells if SECRET_NAME in c or SECRET_AMOUNT in c or "保密设备" in c}


def test_no_endpoint_returns_or_changes_anothers_rows(org, theirs):
    rep = api(org.rep)
    c, o = theirs["contract"].pk, theirs["order"].pk
    for url in (f"/api/v1/contracts/{c}", f"/api/v1/orders/{o}", f"/api/v1/payment-plans/{c}"):
        assert rep.get(url).status_code == 404, url
    for url in (
        "/api/v1/contracts",
        "/api/v1/orders",
        f"/api/v1/receipts?contract={c}",
        f"/api/v1/invoices?contract={c}",
    ):
        body = rep.get(url)
        assert body.status_code in (200, 404), url
        assert SECRET_NAME not in body.content.decode(), url
        assert theirs["contract"].number not in body.content.decode(), url
    report = rep.get("/api/v1/reports/receivables").json()
    assert (report["count"], report["by_owner"]) == (0, [])
    statistics = rep.get("/api/v1/reports/purchases")
    assert statistics.status_code == 200
    assert SECRET_AMOUNT not in statistics.content.decode()

    writes = [
        ("post", f"/api/v1/contracts/{c}/terminate", {"reason": "x"}),
        (
            "put",
            f"/api/v1/payment-plans/{c}",
            {"instalments": [{"amount": SECRET_AMOUNT, "due_on": "2030-01-01"}]},
        ),
        ("post", f"/api/v1/receipts/{theirs['receipt'].pk}/void", {"reason": "x"}),
        ("post", f"/api/v1/invoices/{theirs['invoice'].pk}/void", {}),
        ("post", f"/api/v1/orders/{o}/cancel", {"reason": "x"}),
        ("patch", f"/api/v1/orders/{o}", {"notes": "x"}),
    ]
    for method, url, body in writes:
        response = getattr(rep, method)(url, body, content_type="application/json")
        assert response.status_code == 404, (url, response.status_code)
    for url, body in (
        ("/api/v1/receipts", {"contract": c, "amount": "1"}),
        ("/api/v1/invoices", {"contract": c, "number": "9", "amount": "1"}),
    ):
        assert rep.post(url, body, content_type="application/json").status_code in (400, 404), url
    theirs["contract"].refresh_from_db()
    assert theirs["contract"].status == "approved"
    assert theirs["contract"].amount == D(SECRET_AMOUNT)
