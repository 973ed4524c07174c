"""Follow-up and plan reads: the data-scope matrix, filters, due buckets, and constant query counts."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from kehu.core.exceptions import FilterError
from kehu.customers.tests.factories import ContactFactory, CustomerFactory
from kehu.followups.choices import PlanStatus
from kehu.followups.selectors import customer_followups, followup_get, followup_list, plan_get, plan_list
from kehu.followups.tests.factories import FollowUpFactory, PlanFactory


@pytest.fixture
def book(org):
    """One customer per owner, each with one follow-up whose content is the owner's username."""
    owners = [org.rep, org.peer_rep, org.east_rep, org.other_dept_rep, org.team_lead, org.outsider]
    return {
        o.username: FollowUpFactory(customer=CustomerFactory(owner=o), content=o.username) for o in owners
    }


def contents(followups) -> list[str]:
    return sorted(f.content for f in followups)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("rep", ["rep1"]),
        ("peer_rep", ["rep3"]),
        ("team_lead", ["lead", "rep4"]),
        ("dept_manager", ["lead", "rep1", "rep2", "rep3", "rep4"]),
        ("director", ["lead", "outsider", "rep1", "rep2", "rep3", "rep4"]),
        ("admin", ["lead", "outsider", "rep1", "rep2", "rep3", "rep4"]),
        ("outsider", ["outsider"]),
    ],
)
def test_followup_list_follows_the_customer_scope(org, book, persona, expected):
    assert contents(followup_list(user=getattr(org, persona))) == expected


def test_followup_get_outside_scope_is_404(org, book):
    with pytest.raises(Http404):
        followup_get(user=org.rep, pk=book["rep3"].pk)
    assert followup_get(user=org.dept_manager, pk=book["rep3"].pk) == book["rep3"]


def test_deleted_followups_and_customers_leave_the_list(org, book):
    book["rep1"].deleted_at = timezone.now()
    book["rep1"].save()
    customer = book["rep4"].customer
    customer.deleted_at = timezone.now()
    customer.save()

    assert contents(followup_list(user=org.dept_manager)) == ["lead", "rep2", "rep3"]
    with pytest.raises(Http404):
        followup_get(user=org.dept_manager, pk=book["rep1"].pk)


def test_followup_list_filters(org):
    customer = CustomerFactory(owner=org.rep)
    now = timezone.localtime()
    FollowUpFactory(customer=customer, method="visit", occurred_at=now - timedelta(days=10), content="old")
    FollowUpFactory(customer=customer, created_by=org.dept_manager, content="manager")
    FollowUpFactory(customer=CustomerFactory(owner=org.rep), content="elsewhere")
    user = org.dept_manager

    assert contents(followup_list(user=user, filters={"customer": customer.pk})) == ["manager", "old"]
    assert contents(followup_list(user=user, filters={"method": "visit"})) == ["old"]
    assert contents(followup_list(user=user, filters={"author": org.dept_manager.pk})) == ["manager"]
    day = (now - timedelta(days=10)).date()
    assert contents(followup_list(user=user, filters={"date_from": day, "date_to": day})) == ["old"]
    assert contents(followup_list(user=user, filters={"date_from": str(now.date())})) == [
        "elsewhere",
        "manager",
    ]


def test_followup_list_is_newest_first(org):
    customer = CustomerFactory(owner=org.rep)
    now = timezone.now()
    for days, content in ((3, "c"), (1, "a"), (2, "b")):
        FollowUpFactory(customer=customer, occurred_at=now - timedelta(days=days), content=content)

    assert [f.content for f in followup_list(user=org.rep)] == ["a", "b", "c"]
    assert [f.content for f in customer_followups(customer=customer)] == ["a", "b", "c"]


def test_bad_filter_value_names_the_field(org):
    with pytest.raises(FilterError) as exc:
        followup_list(user=org.rep, filters={"method": "fax"})
    assert list(exc.value.message_dict) == ["method"]


@pytest.mark.parametrize("count", [2, 20])
def test_customer_followups_run_constant_queries(org, django_assert_num_queries, count):
    customer = CustomerFactory(owner=org.rep)
    contact = ContactFactory(customer=customer)
    for n in range(count):
        followup = FollowUpFactory(customer=customer, contact=contact if n % 2 else None)
        PlanFactory(customer=customer, source=followup)

    # follow-ups (customer, contact, author joined) + their plans (owner joined)
    with django_assert_num_queries(2):
        rows = [
            (
                f.contact.name if f.contact else "",
                str(f.created_by),
                f.customer.name,
                [str(p.owner) for p in f.plans.all()],
            )
            for f in customer_followups(customer=customer)
        ]
    assert len(rows) == count


@pytest.mark.parametrize("count", [2, 20])
def test_followup_list_runs_constant_queries(org, django_assert_num_queries, count):
    for _n in range(count):
        followup = FollowUpFactory(customer=CustomerFactory(owner=org.rep), contact=None)
        PlanFactory(customer=followup.customer, source=followup)
    user = type(org.dept_manager).objects.get(pk=org.dept_manager.pk)
    user.scope_department_ids()  # the department subtree is read once per request

    with django_assert_num_queries(2):
        rows = [(f.customer.name, str(f.created_by), list(f.plans.all())) for f in followup_list(user=user)]
    assert len(rows) == count


# Plans ------------------------------------------------------------------------------------------------------


def _start_of_today():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


@pytest.fixture
def plans(org):
    start = _start_of_today()
    customer = CustomerFactory(owner=org.rep)
    return {
        "overdue": PlanFactory(customer=customer, due_at=start - timedelta(minutes=1), action="overdue"),
        "today_early": PlanFactory(
            customer=customer, due_at=start + timedelta(minutes=1), action="today early"
        ),
        "today_late": PlanFactory(customer=customer, due_at=start + timedelta(hours=23), action="today late"),
        "upcoming": PlanFactory(
            customer=customer, due_at=start + timedelta(days=1, minutes=1), action="upcoming"
        ),
        "done": PlanFactory(customer=customer, due_at=start, status=PlanStatus.DONE, action="done"),
        "peer": PlanFactory(customer=CustomerFactory(owner=org.peer_rep), due_at=start, action="peer"),
    }


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (None, ["overdue", "today early", "today late", "upcoming"]),
        ("today", ["today early", "today late"]),
        ("overdue", ["overdue"]),
        ("upcoming", ["upcoming"]),
    ],
)
def test_plan_list_is_mine_open_and_bucketed_by_local_day(org, plans, due, expected):
    assert [p.action for p in plan_list(user=org.rep, due=due)] == expected


def test_plan_list_of_a_customer_shows_its_open_plans_to_whoever_sees_it(org, plans):
    customer = plans["overdue"].customer

    assert [p.action for p in plan_list(user=org.dept_manager, customer=customer)] == [
        "overdue",
        "today early",
        "today late",
        "upcoming",
    ]
    assert list(plan_list(user=org.peer_rep, customer=customer)) == []
    assert [p.action for p in plan_list(user=org.dept_manager)] == []


def test_plan_list_refuses_an_unknown_bucket(org):
    with pytest.raises(FilterError) as exc:
        plan_list(user=org.rep, due="someday")
    assert exc.value.message_dict == {"due": ["Use one of today, overdue, upcoming."]}


def test_plan_get_follows_the_customer_scope(org, plans):
    with pytest.raises(Http404):
        plan_get(user=org.rep, pk=plans["peer"].pk)
    assert plan_get(user=org.dept_manager, pk=plans["peer"].pk) == plans["peer"]
    assert plan_get(user=org.rep, pk=plans["done"].pk) == plans["done"]


@pytest.mark.parametrize("count", [2, 20])
def test_plan_list_runs_constant_queries(org, django_assert_num_queries, count):
    for _n in range(count):
        PlanFactory(customer=CustomerFactory(owner=org.rep))

    with django_assert_num_queries(1):
        rows = [(p.customer.name, str(p.owner)) for p in plan_list(user=org.rep, due="upcoming")]
    assert len(rows) == count
