"""Payment collection: a plan that does not add up is refused; receipts matched to instalments (named one
first, then the oldest); over-payment refused or kept as credit by choice; statuses derived on a frozen
clock; aging buckets at their edges; invoices; scope."""

from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.customers.tests.factories import CustomerFactory
from kehu.sales.contracts import services as contracts
from kehu.sales.payments import services
from kehu.sales.payments.choices import PaymentStatus
from kehu.sales.payments.models import Receipt
from kehu.sales.payments.selectors import (
    contract_payment_summary,
    instalments_with_status,
    receivables,
    receivables_aging_report,
)

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def contract(org):
    customer = CustomerFactory(owner=org.rep)
    draft = contracts.contract_create(
        actor=org.rep, customer=customer, data={"title": "年度合同", "amount": "100000"}, lines=[]
    )
    return contracts.contract_submit(actor=org.rep, contract=draft)  # no flow: approved at once


def plan(org, contract, *amounts_and_dates):
    rows = [{"amount": amount, "due_on": due} for amount, due in amounts_and_dates]
    return services.plan_set(actor=org.rep, contract=contract, instalments=rows)


def pay(org, contract, amount, day="2026-06-01", **kw):
    return services.receipt_record(
        actor=org.rep, contract=contract, data={"amount": amount, "received_on": day}, **kw
    )


def statuses(contract):
    rows = instalments_with_status(contract.instalments.all()).order_by("position")
    return [(row.position, row.paid, row.payment_status) for row in rows]


def test_a_plan_that_does_not_add_up_is_refused(org, contract):
    with pytest.raises(ValidationError, match=r"add up to 90,000\.00; the contract's amount is 100,000\.00"):
        plan(org, contract, ("50000", "2026-07-01"), ("40000", "2026-08-01"))
    with pytest.raises(ValidationError, match="yuan and fen"):
        plan(org, contract, ("50000.001", "2026-07-01"), ("49999.999", "2026-08-01"))
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        plan(org, contract, ("100000", "next week"))
    assert not contract.instalments.exists()
    created = plan(org, contract, ("60000", "2026-08-01"), ("40000", "2026-07-01"))
    assert [(i.position, str(i.due_on)) for i in created] == [(1, "2026-07-01"), (2, "2026-08-01")]


def test_even_split_adds_up_to_the_fen_and_steps_by_month_ends():
    rows = services.plan_split_even(total=D("100000.00"), count=3, first_due=date(2026, 1, 31))
    assert [r["amount"] for r in rows] == [D("33333.33"), D("33333.33"), D("33333.34")]
    assert [r["due_on"] for r in rows] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]


def test_statuses_unpaid_partial_paid_overdue_on_a_frozen_clock(org, contract):
    plan(org, contract, ("30000", "2026-06-01"), ("30000", "2026-06-15"), ("40000", "2026-07-15"))
    assert statuses(contract) == [
        (1, 0, PaymentStatus.OVERDUE),  # due two weeks ago
        (2, 0, PaymentStatus.UNPAID),  # due today: not yet overdue
        (3, 0, PaymentStatus.UNPAID),
    ]
    assert contract_payment_summary(contract).status == PaymentStatus.OVERDUE

    pay(org, contract, "40000")  # pays #1, then 10,000 of #2
    assert statuses(contract) == [
        (1, D("30000.00"), PaymentStatus.PAID),
        (2, D("10000.00"), PaymentStatus.PARTIAL),
        (3, 0, PaymentStatus.UNPAID),
    ]
    summary = contract_payment_summary(contract)
    assert (summary.received, summary.outstanding, summary.status) == (D("40000"), D("60000"), "partial")

    with time_machine.travel(datetime(2026, 6, 16, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert statuses(contract)[1][2] == PaymentStatus.OVERDUE  # partly paid, and now past due
        assert contract_payment_summary(contract).status == PaymentStatus.OVERDUE

    pay(org, contract, "60000", day="2026-06-15")
    assert [s for _p, _paid, s in statuses(contract)] == ["paid", "paid", "paid"]
    assert contract_payment_summary(contract).status == PaymentStatus.PAID


def test_a_receipt_pays_the_instalment_it_names_first(org, contract):
    _first, second = plan(org, contract, ("50000", "2026-07-01"), ("50000", "2026-08-01"))
    pay(org, contract, "20000", instalment=second)
    assert statuses(contract) == [(1, 0, "unpaid"), (2, D("20000.00"), "partial")]


def test_over_payment_is_refused_or_kept_as_credit_by_choice(org, contract):
    plan(org, contract, ("100000", "2026-07-01"))
    pay(org, contract, "90000")
    with pytest.raises(ConflictError, match=r"20,000\.00 more than the contract still owes \(10,000\.00\)"):
        pay(org, contract, "30000")
    assert Receipt.objects.count() == 1
    with pytest.raises(ConflictError, match=r"the excess is now 20,000\.00"):  # agreed before a receipt came
        pay(org, contract, "30000", excess="credit", credit_agreed=D("25000.00"))
    assert Receipt.objects.count() == 1

    receipt = pay(org, contract, "30000", excess="credit", credit_agreed=D("20000.00"))

    assert receipt.credit == D("20000.00")
    summary = contract_payment_summary(contract)
    assert (summary.received, summary.credit, summary.outstanding, summary.status) == (
        D("100000.00"),
        D("20000.00"),
        0,
        "paid",
    )


def test_voiding_a_receipt_matches_the_rest_again(org, contract):
    plan(org, contract, ("50000", "2026-07-01"), ("50000", "2026-08-01"))
    first = pay(org, contract, "50000", day="2026-05-01")
    pay(org, contract, "30000", day="2026-05-20")
    with pytest.raises(PermissionDeniedError):
        services.receipt_void(actor=org.rep, receipt=first, reason="重复登记")  # reps may not void
    with pytest.raises(DomainError, match="reason"):
        services.receipt_void(actor=org.dept_manager, receipt=first, reason="")
    services.receipt_void(actor=org.dept_manager, receipt=first, reason="重复登记")
    assert statuses(contract) == [(1, D("30000.00"), "partial"), (2, 0, "unpaid")]
    assert Receipt.objects.get(pk=first.pk).void_reason == "重复登记"


def test_a_new_plan_keeps_the_money_already_received(org, contract):
    plan(org, contract, ("100000", "2026-07-01"))
    pay(org, contract, "70000")
    plan(org, contract, ("50000", "2026-06-01"), ("50000", "2026-09-01"))
    assert statuses(contract) == [(1, D("50000.00"), "paid"), (2, D("20000.00"), "partial")]


def test_receipts_need_a_signed_contract_and_sane_input(org):
    customer = CustomerFactory(owner=org.rep)
    draft = contracts.contract_create(actor=org.rep, customer=customer, data={"amount": "5000"}, lines=[])
    with pytest.raises(ConflictError, match="signed contracts"):
        pay(org, draft, "100")
    approved = contracts.contract_submit(actor=org.rep, contract=draft)
    with pytest.raises(ValidationError, match="future"):
        pay(org, approved, "100", day="2026-06-16")
    with pytest.raises(ValidationError, match="yuan and fen"):
        pay(org, approved, "-5")
    with pytest.raises(PermissionDeniedError):
        services.receipt_record(actor=org.peer_rep, contract=approved, data={"amount": "1"})


def test_aging_buckets_at_their_edges(org, contract):
    days = {"not_due": [0, -10], "1_30": [1, 30], "31_60": [31, 60], "61_90": [61, 90], "over_90": [91, 400]}
    rows = []
    for offsets in days.values():
        for offset in offsets:
            rows.append(("10000", TODAY.fromordinal(TODAY.toordinal() - offset)))
    plan(org, contract, *rows)
    pay(org, contract, "4000")  # taken from the oldest instalment (400 days overdue)

    aging = {
        row["bucket"]: (row["count"], row["amount"]) for row in receivables_aging_report(user=org.rep).buckets
    }

    assert aging == {
        "not_due": (2, D("20000.00")),
        "1_30": (2, D("20000.00")),
        "31_60": (2, D("20000.00")),
        "61_90": (2, D("20000.00")),
        "over_90": (2, D("16000.00")),
    }
    assert sum(amount for _count, amount in aging.values()) == contract.amount - 4000


def test_receivables_follow_the_scope_and_filters(org, contract):
    plan(org, contract, ("60000", "2026-06-01"), ("40000", "2026-07-01"))
    assert [i.position for i in receivables(user=org.rep)] == [1, 2]
    assert [i.position for i in receivables(user=org.rep, filters={"status": "overdue"})] == [1]
    assert [i.position for i in receivables(user=org.rep, filters={"status": "upcoming"})] == [2]
    assert list(receivables(user=org.peer_rep)) == []
    assert len(receivables(user=org.dept_manager)) == 2
    assert receivables(user=org.rep)[0].outstanding == D("60000.00")


def test_invoices_never_exceed_the_contract(org, contract):
    services.invoice_record(
        actor=org.rep,
        contract=contract,
        data={"number": "04412345", "amount": "60000", "tax_amount": "6902.65"},
    )
    with pytest.raises(ConflictError, match="recorded already"):
        services.invoice_record(actor=org.rep, contract=contract, data={"number": "04412345", "amount": "1"})
    with pytest.raises(ConflictError, match="more than the contract's amount"):
        services.invoice_record(
            actor=org.rep, contract=contract, data={"number": "04412346", "amount": "40000.01"}
        )
    assert contract_payment_summary(contract).invoiced == D("60000.00")
