"""Workbench reads: each section, local day boundaries (Asia/Shanghai), the scope matrix, query counts."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kehu.core.activity import activity_record
from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.choices import PlanStatus
from kehu.followups.tests.factories import PlanFactory
from kehu.leads.choices import LeadStatus
from kehu.leads.models import Lead
from kehu.leads.tests.factories import LeadFactory
from kehu.pool.models import PoolRule
from kehu.workbench import selectors
from kehu.workbench.selectors import (
    local_day,
    new_leads,
    plans_overdue,
    plans_today,
    pool_warnings,
    team_activity,
    workbench_get,
)
from kehu.workbench.tests.fakes import FakeWarning, install_pool_warnings

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 00:30 on 10 March in Shanghai is still 9 March in UTC.
NOW = datetime(2026, 3, 10, 0, 30, tzinfo=SHANGHAI)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=SHANGHAI)


def actions(section) -> list[str]:
    return [p.action for p in section.items]


def test_local_day_is_the_shanghai_day():
    start, end = local_day(NOW)
    assert (start, end) == (at(10, 0), at(11, 0))
    assert start.astimezone(ZoneInfo("UTC")) == datetime(2026, 3, 9, 16, 0, tzinfo=ZoneInfo("UTC"))


def test_today_and_overdue_split_at_local_midnight(org):
    customer = CustomerFactory(owner=org.rep)
    PlanFactory(customer=customer, due_at=at(9, 23, 59, 59), action="yesterday night")
    PlanFactory(customer=customer, due_at=at(10, 0), action="midnight")
    PlanFactory(customer=customer, due_at=at(10, 0, 15), action="already passed today")
    PlanFactory(customer=customer, due_at=at(10, 23, 59, 59), action="tonight")
    PlanFactory(customer=customer, due_at=at(11, 0), action="tomorrow")
    PlanFactory(customer=customer, due_at=at(1, 9), action="last week")

    today = plans_today(user=org.rep, now=NOW)
    overdue = plans_overdue(user=org.rep, now=NOW)

    assert actions(today) == ["midnight", "already passed today", "tonight"]
    assert today.count == 3
    assert actions(overdue) == ["last week", "yesterday night"]
    assert overdue.count == 2


def test_plans_are_the_users_own_open_ones_on_customers_they_hold(org):
    mine = CustomerFactory(owner=org.rep)
    PlanFactory(customer=mine, due_at=at(10, 9), action="mine")
    PlanFactory(customer=mine, due_at=at(10, 10), action="done", status=PlanStatus.DONE)
    PlanFactory(customer=mine, due_at=at(10, 11), action="cancelled", status=PlanStatus.CANCELLED)
    PlanFactory(customer=CustomerFactory(owner=org.peer_rep), due_at=at(10, 9), action="peer's")
    pooled = CustomerFactory(owner=None)  # a customer in the pool keeps its plans with the previous owner
    PlanFactory(customer=pooled, owner=org.rep, created_by=org.rep, due_at=at(10, 9), action="pooled")
    deleted = CustomerFactory(owner=org.rep, deleted_at=timezone.now())
    PlanFactory(customer=deleted, due_at=at(10, 9), action="deleted customer")

    assert actions(plans_today(user=org.rep, now=NOW)) == ["mine"]
    assert actions(plans_today(user=org.peer_rep, now=NOW)) == ["peer's"]
    # a manager's workbench shows the manager's own plans, not the team's
    assert actions(plans_today(user=org.dept_manager, now=NOW)) == []


def test_a_full_section_counts_all_its_rows(org, monkeypatch):
    monkeypatch.setattr(selectors, "LIST_SIZE", 3)
    customer = CustomerFactory(owner=org.rep)
    for hour in range(9, 14):
        PlanFactory(customer=customer, due_at=at(10, hour))

    today = plans_today(user=org.rep, now=NOW)

    assert (len(today.items), today.count) == (3, 5)


def test_new_leads_are_assigned_to_me_and_not_yet_contacted(org):
    fresh = LeadFactory(owner=org.rep, company_name="新线索")
    contacted = LeadFactory(owner=org.rep, company_name="已联系")
    Lead.objects.filter(pk=contacted.pk).update(status=LeadStatus.CONTACTED, contacted_at=timezone.now())
    converted = LeadFactory(owner=org.rep, company_name="已转化")
    Lead.objects.filter(pk=converted.pk).update(status=LeadStatus.CONVERTED)
    gone = LeadFactory(owner=org.rep, company_name="已删除")
    Lead.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    LeadFactory(owner=org.peer_rep, company_name="别人的")
    LeadFactory(company_name="公海线索")  # no rule: stays in the lead pool

    section = new_leads(user=org.rep)

    assert [lead.pk for lead in section.items] == [fresh.pk]
    assert section.count == 1
    assert new_leads(user=org.dept_manager).count == 0


def test_pool_warnings_come_from_the_pool_app_for_the_user(org, monkeypatch):
    soon = CustomerFactory(owner=org.rep, name="快回公海")
    today = CustomerFactory(owner=org.rep, name="今天回公海")
    calls = install_pool_warnings(
        monkeypatch,
        {
            org.rep.pk: [
                FakeWarning(soon, "华东公海", PoolRule.NO_FOLLOWUP, at(12, 3)),
                FakeWarning(today, "华东公海", PoolRule.NOT_CLOSED, at(10, 20)),
            ],
            org.peer_rep.pk: [
                FakeWarning(CustomerFactory(owner=org.peer_rep), "p", PoolRule.NOT_CLOSED, at(11, 1))
            ],
        },
    )

    section = pool_warnings(user=org.rep, now=NOW)

    assert calls == [{"user": org.rep, "now": NOW}]
    assert section.count == 2
    assert [(w.customer.name, w.days_left, w.rule_label) for w in section.items] == [
        ("今天回公海", 0, "Not closed"),
        ("快回公海", 2, "No follow-up"),
    ]
    assert pool_warnings(user=org.other_dept_rep, now=NOW).count == 0


@pytest.fixture
def deeds(org):
    """One followup-like entry per person, on a customer of their own, plus a system entry."""
    done = {}
    for persona in ("rep", "peer_rep", "east_rep", "other_dept_rep", "team_lead", "outsider"):
        user = getattr(org, persona)
        customer = CustomerFactory(owner=user, name=f"{persona}-customer")
        done[persona] = activity_record(actor=user, subject=customer, verb="customer.created")
    activity_record(actor=None, subject=CustomerFactory(owner=org.rep), verb="customer.created")
    return done


def team_names(section) -> list[str]:
    return sorted(e.customer_name for e in section.items)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("team_lead", ["east_rep-customer", "team_lead-customer"]),
        (
            "dept_manager",
            [
                "east_rep-customer",
                "other_dept_rep-customer",
                "peer_rep-customer",
                "rep-customer",
                "team_lead-customer",
            ],
        ),
        (
            "director",
            [
                "east_rep-customer",
                "other_dept_rep-customer",
                "outsider-customer",
                "peer_rep-customer",
                "rep-customer",
                "team_lead-customer",
            ],
        ),
    ],
)
def test_team_activity_follows_the_managers_scope(org, deeds, persona, expected):
    section = team_activity(user=getattr(org, persona))
    assert team_names(section) == expected
    assert all(e.sentence for e in section.items)


def test_reps_have_no_team_section(org, deeds):
    assert team_activity(user=org.rep) is None
    assert team_activity(user=org.outsider) is None


def test_team_activity_hides_customers_outside_the_scope(org):
    """A team member's action on a customer the manager may not see stays hidden."""
    foreign = CustomerFactory(owner=org.outsider, name="客服部客户")
    activity_record(actor=org.east_rep, subject=foreign, verb="customer.updated")
    assert team_activity(user=org.team_lead).count == 0


def test_team_activity_is_the_latest_twenty(org):
    customer = CustomerFactory(owner=org.east_rep)
    start = timezone.now() - timedelta(hours=1)
    for minute in range(25):
        entry = activity_record(actor=org.east_rep, subject=customer, verb="customer.updated")
        entry.created_at = start + timedelta(minutes=minute)
        entry.save(update_fields=["created_at"])

    section = team_activity(user=org.team_lead)

    assert section.count == 20
    assert section.items[0].activity.created_at == start + timedelta(minutes=24)


def test_workbench_queries_do_not_grow_with_the_rows(org, monkeypatch, django_assert_max_num_queries):
    install_pool_warnings(monkeypatch, {})
    for _ in range(selectors.LIST_SIZE + 10):
        customer = CustomerFactory(owner=org.rep)
        PlanFactory(customer=customer, due_at=at(10, 9))
        PlanFactory(customer=customer, due_at=at(9, 9))
    for _ in range(5):
        LeadFactory(owner=org.rep)

    # today and overdue: rows + count each (both lists are full); new leads: rows; receivables: rows
    with django_assert_max_num_queries(6):
        workbench = workbench_get(user=org.rep, now=NOW)

    total = selectors.LIST_SIZE + 10
    assert (workbench.today.count, workbench.overdue.count, workbench.new_leads.count) == (total, total, 5)
    assert len(workbench.today.items) == selectors.LIST_SIZE
    assert workbench.team_activity is None


def test_pool_warnings_with_the_real_pool_rules(org):
    """kehu.pool's own pool_warnings, end to end: a rep sees their customer, nobody else does."""
    from kehu.pool.tests.factories import PoolFactory

    PoolFactory(name="销售公海", departments=[org.sales], no_followup_days=30, warn_days_before=3)
    received = NOW - timedelta(days=28)
    mine = CustomerFactory(owner=org.rep, name="快到期", received_at=received)
    CustomerFactory(
        owner=org.rep, name="刚跟进", received_at=received, last_followup_at=NOW - timedelta(days=1)
    )
    CustomerFactory(owner=org.peer_rep, name="同事的", received_at=received)

    section = pool_warnings(user=org.rep, now=NOW)

    assert [(w.customer.pk, w.days_left, w.rule_label) for w in section.items] == [
        (mine.pk, 2, "No follow-up")
    ]
    assert [w.customer.name for w in pool_warnings(user=org.peer_rep, now=NOW).items] == ["同事的"]
    assert pool_warnings(user=org.other_dept_rep, now=NOW).count == 0
