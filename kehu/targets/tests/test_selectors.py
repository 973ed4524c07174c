"""Attainment checked against sums computed here from the raw rows; period edges in Asia/Shanghai; roll-up
up the department tree; the data-scope matrix; a constant number of queries."""

from datetime import date, datetime, time
from decimal import Decimal as D

import pytest
import time_machine
from django.utils import timezone

from kehu.targets.selectors import attainment, target_list
from kehu.targets.services import Subject, target_set
from kehu.targets.tests.factories import SHANGHAI, contract, customer, followup, line, local, receipt

AS_OF = date(2026, 5, 15)
Q2 = (4, 5, 6)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2026, 5, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def set_target(org, kind, amount="12000.00", metric="signed_amount", **subject):
    return target_set(
        actor=org.director,
        year=2026,
        metric=metric,
        subject=Subject(kind=kind, **subject),
        amount=D(amount),
    )


# (owner attribute on org, signed_on, amount, status, deleted)
CONTRACTS = [
    ("rep", date(2026, 5, 15), "1000.00", "executing", False),  # as_of day: in MTD
    ("rep", date(2026, 5, 16), "500.00", "executing", False),  # after as_of
    ("rep", date(2026, 4, 1), "200.00", "completed", False),  # first day of Q2
    ("rep", date(2026, 3, 31), "300.00", "approved", False),  # last day of Q1
    ("rep", date(2026, 1, 1), "50.00", "executing", False),
    ("rep", date(2025, 12, 31), "70.00", "executing", False),  # last year, after its as_of
    ("rep", date(2025, 5, 15), "400.00", "executing", False),  # last year's MTD
    ("rep", date(2025, 4, 10), "100.00", "executing", False),  # last year's QTD
    ("peer_rep", date(2026, 5, 2), "600.00", "executing", False),
    ("east_rep", date(2026, 2, 10), "800.00", "executing", False),
    ("other_dept_rep", date(2026, 5, 10), "900.00", "executing", False),
    ("rep", date(2026, 5, 3), "9999.00", "draft", False),  # never signed
    ("rep", date(2026, 5, 3), "7777.00", "executing", True),  # deleted
]
SIGNED = {"approved", "executing", "completed"}


def build_contracts(org):
    for who, signed_on, amount, status, deleted in CONTRACTS:
        c = contract(getattr(org, who), signed_on, amount, status)
        if deleted:
            type(c).objects.filter(pk=c.pk).update(deleted_at=timezone.now())


def expected(rows, who: set[str], year: int, months, upto: date):
    """Sum of signed, alive contracts of `who` in `months` of `year` up to the same day as `upto`."""
    return sum(
        (
            D(amount)
            for owner, day, amount, status, deleted in rows
            if owner in who
            and status in SIGNED
            and not deleted
            and day.year == year
            and day.month in months
            and day <= upto.replace(year=year)
        ),
        D("0.00"),
    )


def row_of(result, target):
    return next(r for r in result.rows if r.target.pk == target.pk)


def test_attainment_of_a_rep_from_raw_rows(org):
    build_contracts(org)
    target = set_target(org, "rep", user=org.rep)
    row = row_of(attainment(user=org.director, year=2026, metric="signed_amount"), target)
    mine = {"rep"}
    assert row.mtd.actual == expected(CONTRACTS, mine, 2026, [5], AS_OF) == D("1000.00")
    assert row.qtd.actual == expected(CONTRACTS, mine, 2026, Q2, AS_OF) == D("1200.00")
    assert row.ytd.actual == expected(CONTRACTS, mine, 2026, range(1, 13), AS_OF) == D("1550.00")
    assert row.mtd.last_year == expected(CONTRACTS, mine, 2025, [5], AS_OF) == D("400.00")
    assert row.qtd.last_year == D("500.00")
    assert row.ytd.last_year == D("500.00")  # 31 Dec 2025 is after 15 May 2025
    # targets: 1000 a month, the quarter 3000, the year 12000
    assert (row.mtd.target, row.qtd.target, row.ytd.target) == (D("1000.00"), D("3000.00"), D("12000.00"))
    assert row.mtd.attainment == D("100.00")
    assert row.mtd.gap == D("0.00")
    assert row.qtd.attainment == D("40.00")
    assert row.qtd.gap == D("1800.00")
    assert row.ytd.attainment == D("12.92")  # 1550 / 12000
    assert row.mtd.growth == D("150.00")  # (1000 − 400) / 400
    assert row.ytd.growth == D("210.00")  # (1550 − 500) / 500
    assert row.months[4] == (D("1000.00"), D("1000.00"))
    assert row.months[5] == (D("1000.00"), D("0.00"))


def test_roll_up_the_department_tree(org):
    build_contracts(org)
    company = set_target(org, "company", "60000.00")
    sales = set_target(org, "department", "36000.00", department=org.sales)
    east = set_target(org, "department", "24000.00", department=org.east)
    south = set_target(org, "department", "6000.00", department=org.south)
    shanghai = set_target(org, "department", "12000.00", department=org.shanghai)
    rep = set_target(org, "rep", "6000.00", user=org.rep)
    peer = set_target(org, "rep", "3000.00", user=org.peer_rep)
    result = attainment(user=org.director, year=2026, metric="signed_amount")
    everyone = {"rep", "peer_rep", "east_rep", "other_dept_rep"}
    cases = [
        (company, everyone),
        (sales, everyone),
        (east, {"rep", "peer_rep", "east_rep"}),
        (shanghai, {"rep", "peer_rep"}),
        (south, {"other_dept_rep"}),
    ]
    for target, who in cases:
        row = row_of(result, target)
        assert row.ytd.actual == expected(CONTRACTS, who, 2026, range(1, 13), AS_OF), target
        assert row.mtd.actual == expected(CONTRACTS, who, 2026, [5], AS_OF), target
    assert row_of(result, company).children_target == D("36000.00")  # the one top department
    assert row_of(result, sales).children_target == D("30000.00")  # east + south
    assert row_of(result, east).children_target == D("12000.00")  # shanghai (no east rep target)
    assert row_of(result, shanghai).children_target == D("9000.00")  # its two reps
    assert row_of(result, rep).children_target is None
    assert row_of(result, peer).ytd.actual == D("600.00")
    assert [r.depth for r in result.rows if r.target.subject_kind == "department"] == [0, 1, 2, 1]


def test_received_is_receipts_not_voided_less_credit(org):
    c = contract(org.rep, date(2026, 1, 5), "5000.00")
    other = contract(org.other_dept_rep, date(2026, 1, 5), "5000.00")
    receipt(c, date(2026, 5, 15), "300.00", credit="50.00")
    receipt(c, date(2026, 5, 10), "1000.00", voided=True)
    receipt(c, date(2026, 4, 30), "100.00")
    receipt(c, date(2026, 5, 16), "100.00")
    receipt(other, date(2026, 5, 1), "700.00")
    receipt(c, date(2025, 5, 1), "125.00")
    target = set_target(org, "rep", "1200.00", metric="received", user=org.rep)
    company = set_target(org, "company", "1200.00", metric="received")
    result = attainment(user=org.director, year=2026, metric="received")
    row = row_of(result, target)
    assert (row.mtd.actual, row.qtd.actual, row.ytd.actual) == (D("250.00"), D("350.00"), D("350.00"))
    assert row.mtd.last_year == D("125.00")
    assert row.mtd.growth == D("100.00")
    assert row_of(result, company).ytd.actual == D("1050.00")


def test_new_customers_by_local_time_at_month_edges(org):
    # 23:30 on 30 April in Shanghai is 15:30 UTC the same day; 00:10 on 1 May is still 30 April in UTC
    customer(org.rep, local(date(2026, 4, 30), time(23, 30)))
    customer(org.rep, local(date(2026, 5, 1), time(0, 10)))
    customer(org.rep, local(date(2026, 5, 15), time(23, 59)))
    customer(org.rep, local(date(2026, 5, 16), time(0, 1)))  # after as_of
    customer(org.rep, local(date(2026, 3, 31), time(23, 59)))  # Q1
    gone = customer(org.rep, local(date(2026, 5, 3)))
    type(gone).objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    target = set_target(org, "rep", "120", metric="new_customers", user=org.rep)
    row = row_of(attainment(user=org.rep, year=2026, metric="new_customers"), target)
    assert (row.mtd.actual, row.qtd.actual, row.ytd.actual) == (2, 3, 4)
    assert row.mtd.target == 10
    assert row.mtd.attainment == D("20.00")
    assert row.mtd.growth is None


def test_followups_at_the_year_edge(org):
    followup(org.rep, local(date(2025, 12, 31), time(23, 59)))
    followup(org.rep, local(date(2026, 1, 1), time(0, 1)))
    followup(org.peer_rep, local(date(2026, 1, 2)))
    target = set_target(org, "rep", "12", metric="followups", user=org.rep)
    with time_machine.travel(datetime(2026, 1, 1, 8, 0, tzinfo=SHANGHAI), tick=False):
        row = row_of(attainment(user=org.rep, year=2026, metric="followups"), target)
    assert (row.mtd.actual, row.qtd.actual, row.ytd.actual) == (1, 1, 1)
    assert row.mtd.last_year == 0


def test_quarter_edge_with_as_of(org):
    build_contracts(org)
    target = set_target(org, "rep", user=org.rep)
    row = row_of(
        attainment(user=org.rep, year=2026, metric="signed_amount", filters={"as_of": "2026-03-31"}), target
    )
    assert (row.mtd.actual, row.qtd.actual, row.ytd.actual) == (D("300.00"), D("350.00"), D("350.00"))
    row = row_of(
        attainment(user=org.rep, year=2026, metric="signed_amount", filters={"as_of": "2026-04-01"}), target
    )
    assert (row.mtd.actual, row.qtd.actual, row.ytd.actual) == (D("200.00"), D("200.00"), D("550.00"))


def test_empty_periods(org):
    target = set_target(org, "company")
    row = row_of(attainment(user=org.rep, year=2026, metric="signed_amount"), target)
    assert (row.mtd.actual, row.ytd.actual, row.ytd.last_year) == (D("0.00"), D("0.00"), D("0.00"))
    assert row.ytd.attainment == D("0.00")
    assert row.ytd.growth is None
    assert row.ytd.gap == D("12000.00")
    assert attainment(user=org.rep, year=2027, metric="signed_amount").rows == []


def test_product_region_and_channel_targets(org):
    from kehu.sales.products.tests.factories import ProductFactory

    crm = ProductFactory(code="CRM")
    c = contract(
        org.rep,
        date(2026, 5, 2),
        "1500.00",
        customer=customer(org.rep, local(date(2026, 1, 1)), province="广东", source="website"),
    )
    line(c, crm, "1000.00")
    contract(
        org.other_dept_rep,
        date(2026, 5, 3),
        "400.00",
        customer=customer(org.other_dept_rep, local(date(2026, 1, 1)), province="江苏"),
    )
    product = set_target(org, "product", product=crm)
    region = set_target(org, "region", region="广东")
    channel = set_target(org, "channel", channel="website")
    result = attainment(user=org.director, year=2026, metric="signed_amount")
    assert row_of(result, product).mtd.actual == D("1000.00")
    assert row_of(result, region).mtd.actual == D("1500.00")
    assert row_of(result, channel).mtd.actual == D("1500.00")


def test_scope_matrix(org):
    company = set_target(org, "company")
    sales = set_target(org, "department", department=org.sales)
    east = set_target(org, "department", department=org.east)
    shanghai = set_target(org, "department", department=org.shanghai)
    mine = set_target(org, "rep", user=org.rep)
    peer = set_target(org, "rep", user=org.peer_rep)
    east_rep = set_target(org, "rep", user=org.east_rep)
    south_rep = set_target(org, "rep", user=org.other_dept_rep)
    seen = {
        u: set(target_list(user=getattr(org, u), year=2026))
        for u in ("rep", "other_dept_rep", "team_lead", "dept_manager", "director")
    }
    assert seen["rep"] == {company, shanghai, mine}
    assert seen["other_dept_rep"] == {company, south_rep}
    assert seen["team_lead"] == {company, east, east_rep}
    assert seen["dept_manager"] == {company, sales, east, shanghai, mine, peer, east_rep, south_rep}
    assert seen["director"] == seen["dept_manager"]
    assert peer not in {r.target for r in attainment(user=org.rep, year=2026, metric="signed_amount").rows}


def test_constant_number_of_queries(org, django_assert_num_queries):
    build_contracts(org)
    set_target(org, "company")
    set_target(org, "rep", user=org.rep)
    with django_assert_num_queries(3):
        attainment(user=org.director, year=2026, metric="signed_amount")
    for dept in (org.sales, org.east, org.south, org.shanghai):
        set_target(org, "department", department=dept)
    for rep in (org.peer_rep, org.east_rep, org.other_dept_rep):
        set_target(org, "rep", user=rep)
    with django_assert_num_queries(3):
        result = attainment(user=org.director, year=2026, metric="signed_amount")
    assert len(result.rows) == 9
