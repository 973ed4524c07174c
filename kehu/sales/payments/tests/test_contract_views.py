"""The contract's Payments tab: shown for signed contracts, the panel over htmx and as a page; the plan
(custom rows, the even split, refused when it does not add up, the rows kept), receipts (matched,
over-payment refused then kept as credit by an explicit choice, voided with a reason), invoices (refused
above the contract's amount, voided); scope (404), read-only viewers (no forms, 403 on POST), terminated
contracts, and constant queries."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from kehu.core.scopes import DataScope
from kehu.customers.tests.factories import CustomerFactory
from kehu.org.models import Role
from kehu.org.tests.factories import UserFactory
from kehu.sales.contracts import services as contracts
from kehu.sales.payments import services
from kehu.sales.payments.models import Instalment, Invoice, Receipt

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true", "HX-Target": "payments-panel"}
TODAY = timezone.localdate()


def day(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


def url(name: str, contract, *args) -> str:
    return reverse(f"payments:{name}", args=[contract.pk, *args])


def tab_url(contract) -> str:
    return reverse("contracts:detail", args=[contract.pk]) + "?tab=payments"


def signed(org, amount="100000", owner=None):
    owner = owner or org.rep
    customer = CustomerFactory(owner=owner, name="杭州西湖电子有限公司")
    draft = contracts.contract_create(
        actor=owner, customer=customer, data={"title": "年度服务合同", "amount": amount}, lines=[]
    )
    return contracts.contract_submit(actor=owner, contract=draft)  # no flow: approved at once


def plan(org, contract, *amounts):
    rows = [{"amount": a, "due_on": day(30 * (n + 1))} for n, a in enumerate(amounts)]
    return services.plan_set(actor=org.rep, contract=contract, instalments=rows)


def plan_data(*rows, initial: int = 0) -> dict:
    data = {
        "plan-TOTAL_FORMS": str(len(rows)),
        "plan-INITIAL_FORMS": str(initial),
        "plan-MIN_NUM_FORMS": "0",
        "plan-MAX_NUM_FORMS": "120",
    }
    for n, (due, amount, text) in enumerate(rows):
        data |= {f"plan-{n}-due_on": due, f"plan-{n}-amount": amount, f"plan-{n}-description": text}
    return data


def receipt_data(amount, **extra) -> dict:
    data = {
        "receipt-amount": amount,
        "receipt-received_on": TODAY.isoformat(),
        "receipt-method": "bank_transfer",
        "receipt-reference": "BOC-2026-0042",
        "receipt-instalment": "",
        "receipt-note": "",
    }
    return data | {f"receipt-{k}": v for k, v in extra.items()}


def invoice_data(number, amount, tax="0") -> dict:
    return {
        "invoice-number": number,
        "invoice-kind": "special_vat",
        "invoice-issued_on": TODAY.isoformat(),
        "invoice-amount": amount,
        "invoice-tax_amount": tax,
        "invoice-note": "",
    }


def read_only_user(org):
    """Sees every contract and its payments, changes none."""
    role = Role.objects.create(name="审计", data_scope=DataScope.ALL)
    codenames = ["view_contract", "view_instalment", "view_receipt", "view_invoice", "view_customer"]
    role.permissions.add(*Permission.objects.filter(codename__in=codenames))
    return UserFactory(username="auditor", department=org.sales, role=role)


# The tab ---------------------------------------------------------------------------------------------------


def test_the_tab_is_for_signed_contracts_and_loads_the_panel(client, org):
    contract = signed(org)
    draft = contracts.contract_create(
        actor=org.rep, customer=contract.customer, data={"title": "草稿", "amount": "500"}, lines=[]
    )
    client.force_login(org.rep)

    assert 'data-testid="tab-payments"' not in client.get(tab_url(draft)).content.decode()
    assert client.get(tab_url(draft)).context["tab"] == "lines"
    page = client.get(tab_url(contract)).content.decode()
    assert 'data-testid="tab-payments"' in page
    assert f'hx-get="{url("contract", contract)}"' in page

    panel = client.get(url("contract", contract), headers=HX)
    html = panel.content.decode()
    assert panel.status_code == 200
    assert "<html" not in html
    assert 'id="payments-panel"' in html
    assert panel.context["summary"].outstanding == D("100000")
    assert 'data-testid="plan-form"' in html
    assert 'data-testid="receipt-form"' in html
    assert 'data-testid="invoice-form"' in html
    whole = client.get(url("contract", contract)).content.decode()  # without htmx: a page of its own
    assert "<html" in whole
    assert contract.number in whole


# The plan --------------------------------------------------------------------------------------------------


def test_a_plan_of_custom_rows_is_saved(client, org):
    contract = signed(org)
    client.force_login(org.rep)
    data = plan_data((day(10), "40000", "首付款"), (day(100), "60000", "验收款"), ("", "", ""))

    response = client.post(url("plan", contract), data, headers=HX)

    assert response.status_code == 200
    assert "Payment plan saved: 2 instalments." in response["HX-Trigger"]
    rows = list(contract.instalments.values_list("position", "amount", "description"))
    assert rows == [(1, D("40000.00"), "首付款"), (2, D("60000.00"), "验收款")]
    html = response.content.decode()
    assert 'data-testid="instalment-2"' in html
    assert "验收款" in html


def test_a_removed_row_is_left_out_and_a_plain_post_redirects_to_the_tab(client, org):
    contract = signed(org)
    client.force_login(org.rep)
    data = plan_data((day(10), "100000", ""), (day(20), "5", "删掉")) | {"plan-1-DELETE": "on"}

    response = client.post(url("plan", contract), data)

    assert response.status_code == 302
    assert response["Location"] == tab_url(contract)
    assert list(contract.instalments.values_list("amount", flat=True)) == [D("100000.00")]


def test_a_plan_that_does_not_add_up_is_refused_next_to_the_form_with_the_rows_kept(client, org):
    contract = signed(org)
    client.force_login(org.rep)
    data = plan_data((day(10), "40000", "首付款"), (day(100), "50000", "验收款"))

    response = client.post(url("plan", contract), data, headers=HX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "HX-Trigger" not in response
    assert 'data-testid="plan-errors"' in html
    assert "The instalments add up to 90,000.00; the contract&#x27;s amount is 100,000.00." in html
    assert 'value="50000"' in html
    assert 'value="验收款"' in html
    assert 'class="collapse show" id="plan-editor"' in html
    assert not Instalment.objects.exists()


def test_a_half_filled_row_is_refused_by_the_form(client, org):
    contract = signed(org)
    client.force_login(org.rep)

    response = client.post(url("plan", contract), plan_data((day(10), "", "首付款")), headers=HX)

    assert "Required in a row that is filled in." in response.content.decode()
    assert not Instalment.objects.exists()


def test_the_even_split_fills_the_rows_or_saves_them(client, org):
    contract = signed(org)
    client.force_login(org.rep)
    split = {"split-count": "3", "split-first_due": day(10), "split-months_apart": "2"}

    filled = client.post(url("plan", contract), {**split, "split": "fill"}, headers=HX)

    html = filled.content.decode()
    assert 'value="33333.33"' in html
    assert 'value="33333.34"' in html
    assert f'value="{(TODAY + timedelta(days=10)).isoformat()}"' in html
    assert not Instalment.objects.exists()  # only filled in

    saved = client.post(url("plan", contract), {**split, "split": "save"}, headers=HX)

    assert "Payment plan saved: 3 instalments." in saved["HX-Trigger"]
    amounts = list(contract.instalments.values_list("amount", flat=True))
    assert amounts == [D("33333.33"), D("33333.33"), D("33333.34")]


# Receipts --------------------------------------------------------------------------------------------------


def test_a_receipt_for_the_first_instalment_makes_it_partly_paid(client, org):
    contract = signed(org)
    first, _second = plan(org, contract, "50000", "50000")
    client.force_login(org.rep)

    response = client.post(
        url("receipt", contract), receipt_data("20000", instalment=str(first.pk)), headers=HX
    )

    assert "Receipt of 20,000.00 recorded." in response["HX-Trigger"]
    receipt = Receipt.objects.get()
    assert (receipt.amount, receipt.instalment, receipt.recorded_by) == (D("20000"), first, org.rep)
    rows = {i.position: (i.paid, i.payment_status) for i in response.context["instalments"]}
    assert rows == {1: (D("20000"), "partial"), 2: (D("0"), "unpaid")}
    assert response.context["summary"].status == "partial"
    html = response.content.decode()
    assert "Partly paid" in html
    assert "BOC-2026-0042" in html


def test_an_over_payment_is_refused_then_kept_as_credit_when_chosen(client, org):
    contract = signed(org)
    client.force_login(org.rep)

    refused = client.post(url("receipt", contract), receipt_data("120000"), headers=HX)

    html = refused.content.decode()
    assert not Receipt.objects.exists()
    assert "This receipt is 20,000.00 more than the contract still owes (100,000.00)" in html
    assert 'data-testid="receipt-keep-excess"' in html
    assert 'value="20000.00"' in html
    assert "Keep the excess of 20,000.00 CNY as the customer's credit" in html
    assert 'value="120000"' in html  # the input is kept

    # the box ticked for another excess (the amount was changed): refused again, for the new excess
    changed = client.post(
        url("receipt", contract), receipt_data("130000", keep_excess="20000.00"), headers=HX
    )
    assert not Receipt.objects.exists()
    assert "Keep the excess of 30,000.00 CNY" in changed.content.decode()

    kept = client.post(url("receipt", contract), receipt_data("120000", keep_excess="20000.00"), headers=HX)

    receipt = Receipt.objects.get()
    assert (receipt.amount, receipt.credit) == (D("120000"), D("20000"))
    assert "20,000.00 kept as the customer" in kept["HX-Trigger"].encode().decode("unicode_escape")
    summary = kept.context["summary"]
    assert (summary.received, summary.credit, summary.outstanding, summary.status) == (
        D("100000"),
        D("20000"),
        D("0"),
        "paid",
    )


def test_a_receipt_in_the_future_is_refused_in_place(client, org):
    contract = signed(org)
    client.force_login(org.rep)

    response = client.post(url("receipt", contract), receipt_data("100", received_on=day(3)), headers=HX)

    assert "Money cannot be received in the future." in response.content.decode()
    assert not Receipt.objects.exists()


def test_voiding_a_receipt_needs_a_reason_and_the_permission(client, org):
    contract = signed(org)
    receipt = services.receipt_record(actor=org.rep, contract=contract, data={"amount": "30000"})
    void = url("receipt_void", contract, receipt.pk)

    client.force_login(org.rep)  # records receipts, may not void them
    assert (
        f'data-testid="receipt-void-{receipt.pk}"'
        not in client.get(url("contract", contract)).content.decode()
    )
    assert client.post(void, {"reason": "录错了"}, headers=HX).status_code == 403

    client.force_login(org.dept_manager)
    no_reason = client.post(void, {"reason": "  "}, headers=HX)
    assert no_reason.status_code == 200
    assert 'data-testid="void-error"' in no_reason.content.decode()
    receipt.refresh_from_db()
    assert receipt.voided_at is None

    voided = client.post(void, {"reason": "重复录入"}, headers=HX)

    receipt.refresh_from_db()
    assert receipt.voided_at is not None
    assert receipt.void_reason == "重复录入"
    assert "Receipt of 30,000.00 voided." in voided["HX-Trigger"]
    html = voided.content.decode()
    assert "重复录入</td>" in html
    assert voided.context["summary"].received == D("0")


# Invoices --------------------------------------------------------------------------------------------------


def test_invoices_are_recorded_refused_above_the_contract_and_voided(client, org):
    contract = signed(org)
    client.force_login(org.rep)

    done = client.post(url("invoice", contract), invoice_data("04400123", "60000", "6902.65"), headers=HX)
    assert "Invoice 04400123 recorded." in done["HX-Trigger"]
    above = client.post(url("invoice", contract), invoice_data("04400124", "40000.01"), headers=HX)

    html = above.content.decode()
    assert "Invoices would add up to more than the contract&#x27;s amount (100,000.00)." in html
    assert 'value="04400124"' in html
    assert list(Invoice.objects.values_list("number", flat=True)) == ["04400123"]
    assert above.context["summary"].invoiced == D("60000")

    invoice = Invoice.objects.get()
    client.force_login(org.dept_manager)
    voided = client.post(url("invoice_void", contract, invoice.pk), headers=HX)
    assert "Invoice 04400123 voided." in voided["HX-Trigger"]
    again = client.post(url("invoice_void", contract, invoice.pk), headers=HX)
    assert "This invoice is already void." in again.content.decode()
    plain = client.post(url("invoice_void", contract, invoice.pk))
    assert plain.status_code == 302


def test_a_plain_post_with_errors_shows_the_page_with_the_form(client, org):
    contract = signed(org)
    client.force_login(org.rep)

    response = client.post(url("invoice", contract), invoice_data("", "100"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert 'data-field-error="number"' in html


# Who may ---------------------------------------------------------------------------------------------------


def test_a_rep_outside_the_scope_gets_404_and_cannot_post(client, org):
    contract = signed(org)
    receipt = services.receipt_record(actor=org.rep, contract=contract, data={"amount": "100"})
    invoice = services.invoice_record(
        actor=org.rep, contract=contract, data={"number": "A1", "amount": "100", "issued_on": TODAY}
    )
    client.force_login(org.peer_rep)

    assert client.get(tab_url(contract)).status_code == 404
    assert client.get(url("contract", contract), headers=HX).status_code == 404
    posts = [
        (url("plan", contract), plan_data((day(10), "100000", ""))),
        (url("receipt", contract), receipt_data("100")),
        (url("receipt_void", contract, receipt.pk), {"reason": "x"}),
        (url("invoice", contract), invoice_data("A2", "100")),
        (url("invoice_void", contract, invoice.pk), {}),
    ]
    for target, data in posts:
        assert client.post(target, data, headers=HX).status_code == 404, target
    assert not Instalment.objects.exists()
    assert Receipt.objects.filter(voided_at=None).count() == 1
    assert Invoice.objects.filter(voided_at=None).count() == 1


def test_a_read_only_viewer_sees_the_payments_without_forms_and_is_refused_on_post(client, org):
    contract = signed(org)
    plan(org, contract, "100000")
    receipt = services.receipt_record(actor=org.rep, contract=contract, data={"amount": "100"})
    client.force_login(read_only_user(org))

    assert 'data-testid="tab-payments"' in client.get(tab_url(contract)).content.decode()
    panel = client.get(url("contract", contract), headers=HX)
    html = panel.content.decode()
    assert panel.status_code == 200
    assert not any(panel.context["may"].values())
    for form in ("plan-form", "split-form", "receipt-form", "invoice-form", "plan-edit-open", "receipt-open"):
        assert f'data-testid="{form}"' not in html, form
    assert f'data-testid="receipt-void-{receipt.pk}"' not in html
    assert 'data-testid="receipt-' in html  # the receipt is listed
    for target, data in [
        (url("plan", contract), plan_data((day(10), "100000", ""))),
        (url("receipt", contract), receipt_data("100")),
        (url("receipt_void", contract, receipt.pk), {"reason": "x"}),
        (url("invoice", contract), invoice_data("A2", "100")),
    ]:
        assert client.post(target, data, headers=HX).status_code == 403, target
    assert Receipt.objects.filter(voided_at=None).count() == 1


def test_users_without_the_payments_permissions_see_no_tab(client, org):
    contract = signed(org)
    role = Role.objects.create(name="只看合同", data_scope=DataScope.ALL)
    role.permissions.add(*Permission.objects.filter(codename__in=["view_contract", "view_customer"]))
    client.force_login(UserFactory(username="reader", department=org.sales, role=role))

    assert 'data-testid="tab-payments"' not in client.get(tab_url(contract)).content.decode()
    assert client.get(url("contract", contract)).status_code == 403


def test_a_terminated_contract_shows_what_was_recorded_and_records_nothing(client, org):
    contract = signed(org)
    plan(org, contract, "100000")
    services.receipt_record(actor=org.rep, contract=contract, data={"amount": "100"})
    contracts.contract_terminate(actor=org.rep, contract=contract, reason="客户破产")
    client.force_login(org.rep)

    assert 'data-testid="tab-payments"' in client.get(tab_url(contract)).content.decode()
    panel = client.get(url("contract", contract), headers=HX)
    html = panel.content.decode()
    assert "This contract was terminated" in html
    for form in ("plan-form", "receipt-form", "invoice-form"):
        assert f'data-testid="{form}"' not in html, form
    refused = client.post(url("receipt", contract), receipt_data("100"), headers=HX)
    assert "Receipts are recorded for signed contracts" in refused.content.decode()
    assert Receipt.objects.count() == 1


# Queries ---------------------------------------------------------------------------------------------------


def test_the_panel_takes_constant_queries(client, org, django_assert_max_num_queries):
    contract = signed(org)
    client.force_login(org.dept_manager)  # sees every form and void button

    def count() -> int:
        with django_assert_max_num_queries(30) as queries:
            assert client.get(url("contract", contract), headers=HX).status_code == 200
        return len(queries.captured_queries)

    instalments = plan(org, contract, "50000", "50000")
    services.receipt_record(
        actor=org.rep, contract=contract, data={"amount": "100"}, instalment=instalments[1]
    )
    services.invoice_record(
        actor=org.rep, contract=contract, data={"number": "N0", "amount": "100", "issued_on": TODAY}
    )
    few = count()
    plan(org, contract, *["10000"] * 10)
    for n in range(1, 8):
        receipt = services.receipt_record(
            actor=org.rep,
            contract=contract,
            data={"amount": "100"},
            instalment=contract.instalments.get(position=n),
        )
        services.invoice_record(
            actor=org.rep, contract=contract, data={"number": f"N{n}", "amount": "100", "issued_on": TODAY}
        )
    services.receipt_void(actor=org.dept_manager, receipt=receipt, reason="重复")
    assert count() == few
