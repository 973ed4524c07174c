"""The receivables page: scoped rows with their status, the aging above them in all and per rep and
department, filters, constant queries."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.customers.tests.factories import CustomerFactory
from kehu.sales.contracts import services as contracts
from kehu.sales.payments import services as payments
from kehu.sales.payments.selectors import receivables_aging_report

pytestmark = pytest.mark.django_db
URL = reverse("payments:receivables")


def signed_contract(org, *, amount="60000", owner=None):
    owner = owner or org.rep
    customer = CustomerFactory(owner=owner, name=f"应收客户{amount}{owner.username}")
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
    with django_assert_max_num_queries(16):
        assert client.get(URL).status_code == 200


def test_the_aging_per_rep_and_department_adds_up_and_filters_the_subtree(client, org):
    plan(org, signed_contract(org, amount="30000"), (-40, "10000"), (20, "20000"))
    east = signed_contract(org, amount="50000", owner=org.east_rep)
    plan(org, east, (-100, "50000"), actor=org.east_rep)
    south = signed_contract(org, amount="7000", owner=org.other_dept_rep)
    plan(org, south, (-1, "7000"), actor=org.other_dept_rep)

    by_owner = receivables_aging_report(user=org.dept_manager).by_owner
    assert [(r["name"], r["overdue"], r["total"]) for r in by_owner] == [
        (str(org.east_rep), D("50000"), D("50000")),
        (str(org.rep), D("10000"), D("30000")),
        (str(org.other_dept_rep), D("7000"), D("7000")),
    ]
    assert by_owner[1]["buckets"] == {
        "not_due": D("20000"),
        "1_30": D("0"),
        "31_60": D("10000"),
        "61_90": D("0"),
        "over_90": D("0"),
    }
    by_department = receivables_aging_report(user=org.dept_manager).by_department
    assert {r["name"]: r["total"] for r in by_department} == {
        "华东区": D("50000"),
        "上海一组": D("30000"),
        "华南区": D("7000"),
    }
    in_east = receivables_aging_report(user=org.dept_manager, filters={"department": org.east.pk}).by_owner
    assert {r["name"] for r in in_east} == {str(org.rep), str(org.east_rep)}  # 上海一组 lies under 华东区
    assert [r["name"] for r in receivables_aging_report(user=org.rep).by_owner] == [str(org.rep)]

    client.force_login(org.dept_manager)
    page = client.get(URL).content.decode()
    assert page.count('data-testid="aging-by-owner-row"') == 3
    assert page.count('data-testid="aging-by-department-row"') == 3
    south_only = client.get(URL, {"department": org.south.pk}).content.decode()
    assert south_only.count('data-testid="receivable-row"') == 1
    client.force_login(org.rep)  # one row each: no breakdown
    assert 'data-testid="aging-by-owner"' not in client.get(URL).content.decode()


def test_a_name_in_the_aging_tables_narrows_the_rows_keeping_the_other_filters(client, org):
    plan(org, signed_contract(org), (-5, "60000"))
    plan(org, signed_contract(org, owner=org.east_rep), (-5, "60000"), actor=org.east_rep)
    client.force_login(org.dept_manager)
    page = client.get(URL, {"status": "overdue", "department": org.east.pk}).content.decode()
    assert f'href="?status=overdue&amp;department={org.east.pk}&amp;owner={org.rep.pk}"' in page
    assert f'href="?status=overdue&amp;department={org.shanghai.pk}"' in page  # the department replaced
