"""The demo's contracts: at least 50, in every state, signed ones with payment plans that add up, receipts
leaving instalments paid, partly paid and overdue, customers of signed contracts being deal customers."""

from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from kehu.sales.contracts.choices import SIGNED
from kehu.sales.contracts.models import Contract
from kehu.sales.payments.selectors import contract_payment_summary, instalments_with_status


@pytest.mark.django_db
def test_demo_contracts_cover_every_state_and_their_payment_collection():
    call_command("demo", customers=2000, stdout=None)

    contracts = list(Contract.objects.select_related("customer"))
    assert len(contracts) >= 50
    assert set(Counter(c.status for c in contracts)) == {
        "draft",
        "pending",
        "rejected",
        "approved",
        "executing",
        "completed",
        "terminated",
    }
    signed = [c for c in contracts if c.status in SIGNED]
    for contract in signed:
        assert contract.customer.status == "deal"
        planned = contract.instalments.aggregate(s=Sum("amount"))["s"]
        assert planned in (None, contract.amount)
    statuses = Counter(i.payment_status for i in instalments_with_status())
    assert statuses["paid"]
    assert statuses["overdue"]
    summaries = Counter(contract_payment_summary(c).status for c in signed)
    assert summaries["paid"]
    assert summaries["overdue"]
    assert summaries["partial"]
    assert all(c.amount > Decimal(0) for c in contracts)
