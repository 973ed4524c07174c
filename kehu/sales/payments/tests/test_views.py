"""The receivables page: scoped rows with their status, the aging above them, filters, constant queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.customers.tests.factories import CustomerFactory
from kehu.sales.contracts import services as contracts
from kehu.sales.payments import services as payments

pytestmark = pytest.mark.django_db
URL = reverse("payments:receivables")


def signed_contract(org, *, amount="60000", owner=None):
    owner = owner or org.rep
    customer = CustomerFactory(owner=owner, name=f"应收客户{amount}")
    draft = contracts.contract_create(actor=owner, customer=customer, data={"amount": amount}, lines=[])
    return contracts.contract_submit(actor=owner, contract=draft)


def plan(org, contract, *days_and_amounts, actor=None):
    today = timezone.localdate()
    rows = [{"amount": amount, "due_on": today + timedelta(days=days)} for days, amount in days_and_amounts]
    payments.plan_set(actor=actor or org.rep, contract=contract, instalments=rows)


def test_the_page_lists_what_is_owed_with_the_aging(client, org):
    contract = signed_contract(org)
    plan(org, contract, (-45, "20000"), (-3, "20000"), (10, "20000"))
    payments.receipt_record(actor=org.rep, contract=contract, data={"amount": "5000"})
    client.force_login(org.rep)

    page = client.get(URL).content.decode()

    assert page.count('data-testid="receivable-row"') == 3
    assert "15,000.00" in page  # the oldest instalment, partly paid
    assert 'data-testid="aging-31_60"' in page
    overdue = client.get(URL, {"status": "overdue"}).content.decode()
    assert overdue.count('data-testid="receivable-row"') == 2
    found = client.get(URL, {"q": contract.customer.name[:4]}).content.decode()
    assert found.count('data-testid="receivable-row"') == 3
    assert 'data-testid="receivable-row"' not in client.get(URL, {"q": "没有这个客户"}).content.decode()
    later = client.get(URL, {"due_after": str(timezone.localdate()), "due_before": "bad"}).content.decode()
    assert later.count('data-testid="receivable-row"') == 1


def test_the_page_follows_the_scope(client, org):
    plan(org, signed_contract(org), (5, "60000"))
    client.force_login(org.peer_rep)
    assert 'data-testid="receivable-row"' not in client.get(URL).content.decode()
    client.force_login(org.dept_manager)
    assert client.get(URL).content.decode().count('data-testid="receivable-row"') == 1
    client.force_login(org.outsider)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("contracts_count", [1, 6])
def test_the_page_takes_constant_queries(client, org, contracts_count, django_assert_max_num_queries):
    for n in range(contracts_count):
        plan(org, signed_contract(org, amount=str(10000 + n)), (-5, str(10000 + n)))
    client.force_login(org.rep)
    client.get(URL)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200
