"""The demo's quotes: every state, totals as the services compute them, approval history that matches the
status, and a queue waiting for the demo approvers."""

from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command

from kehu.approvals.models import ApprovalFlow, ApprovalRequest, ApprovalTask
from kehu.sales.quotes.models import Quote
from kehu.sales.quotes.totals import LineInput, quote_totals


@pytest.mark.django_db
def test_demo_quotes_are_in_every_state_with_consistent_totals_and_approvals():
    call_command("demo", customers=600, stdout=None)

    quotes = list(Quote.objects.prefetch_related("lines"))
    statuses = Counter(q.status for q in quotes)
    assert set(statuses) == {"draft", "pending", "approved", "rejected", "sent", "accepted", "declined"}
    assert any(q.is_expired() for q in quotes)
    flows = ApprovalFlow.objects.filter(document_type="quote").values_list("name", flat=True)
    assert set(flows) == {"大额报价审批", "折扣审批"}

    for quote in quotes:
        lines = [
            LineInput(line.quantity, line.unit_price, line.list_price, line.discount_percent, line.tax_rate)
            for line in quote.lines.all()
        ]
        totals = quote_totals(lines, quote.discount_percent)
        assert (quote.total, quote.effective_discount) == (totals.total, totals.discount_percent)
        assert quote.total > Decimal(0)
        requests = ApprovalRequest.objects.for_document(quote)
        pending = requests.filter(status="pending").exists()
        assert pending == (quote.status == "pending"), quote.number
        if quote.status == "rejected":
            assert requests.filter(status="rejected").exists()
        if quote.effective_discount > 10 and quote.status in ("approved", "sent", "accepted", "declined"):
            assert requests.filter(status="approved").exists(), quote.number

    waiting = Counter(
        user.username
        for task in ApprovalTask.objects.filter(status="pending")
        for user in task.approvers.all()
    )
    assert waiting["lead_sh1"] >= 1
    assert waiting["manager"] >= 1
    assert Quote.objects.filter(opportunity__owner__username="rep1").count() >= 5
