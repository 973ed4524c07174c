"""The funnel's figures against an independent computation from the raw rows: counts, amounts, conversions,
durations and the lost breakdowns; the period's edges in Asia/Shanghai; scope; a constant query count."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.analytics.selectors import funnel, funnel_stage_opportunities
from kehu.analytics.tests.book import DEALS, at, build_book, expected, seconds_days
from kehu.core.exceptions import FilterError
from kehu.org.models import Role, User
from kehu.org.tests.factories import UserFactory
from kehu.sales.opportunities.models import Pipeline

pytestmark = pytest.mark.django_db
YEAR = {"date_from": "2026-01-01", "date_to": "2026-12-31"}


@pytest.fixture
def book(org, default_pipeline):
    return build_book(org)


def ids(book, *keys):
    return {book[k].pk for k in keys}


def figures(result):
    return [
        {
            "stage": row.name,
            "reached": row.reached,
            "amount": row.amount,
            "conversion_rate": row.conversion_rate,
            "avg_days": row.avg_days,
        }
        for row in result.stages
    ]


def test_the_managers_funnel_matches_the_raw_rows(org, book):
    result = funnel(user=org.dept_manager, filters=YEAR)
    want = expected(ids(book, *(d.key for d in DEALS)), date(2026, 1, 1), date(2026, 12, 31))
    assert result.created == want["created"] == 6  # o1–o5 and o8; o6 (2025) and o7 (2027) are outside
    assert figures(result) == want["stages"]


def test_the_figures_by_hand(org, book):
    """The same book worked out by hand: skipped stages count as passed, a move back keeps the furthest."""
    rows = {row.name: row for row in funnel(user=org.dept_manager, filters=YEAR).stages}
    assert [rows[n].reached for n in rows] == [6, 5, 3, 3, 2, 1, 0]
    assert rows["销售线索"].amount == D("5700.00")
    assert rows["机会建立"].amount == D("5000.00")  # o5 (700) never left the first stage
    assert rows["方案提供"].amount == D("4200.00")  # o1 skipped it, o3, o8 (skipped to 商务谈判)
    assert rows["销售线索"].conversion_rate == D("83.33")
    assert rows["机会建立"].conversion_rate == D("60.00")
    assert rows["合同签定"].conversion_rate == D("0.00")
    assert rows["项目实施"].conversion_rate is None
    # o3's two stays in 机会建立: 2 days, then 1.5 days; o1 7.5 + ... averaged per opportunity
    o3 = seconds_days(at(2026, 6, 2, 9), at(2026, 6, 4, 9)) + seconds_days(
        at(2026, 6, 5, 9), at(2026, 6, 6, 21)
    )
    o1 = seconds_days(at(2026, 1, 5, 12), at(2026, 1, 20, 0, 30))
    o2 = seconds_days(at(2026, 3, 12, 9), at(2026, 3, 31, 23, 59))
    o4 = seconds_days(at(2026, 4, 3, 9), at(2026, 4, 10, 9))
    assert rows["机会建立"].avg_days == ((o1 + o2 + o3 + o4) / 4).quantize(D("0.01"))
    assert rows["项目实施"].avg_days is None


def test_the_lost_breakdowns(org, book):
    lost = funnel(user=org.dept_manager, filters=YEAR).lost
    want = expected(ids(book, *(d.key for d in DEALS)), date(2026, 1, 1), date(2026, 12, 31))
    assert lost.count == 3
    assert lost.amount == D("2000.00")
    assert {g.label: [g.count, g.amount] for g in lost.by_reason} == want["reasons"]
    assert {g.label: [g.count, g.amount] for g in lost.by_competitor} == want["competitors"]
    assert [(g.label, g.count, g.amount) for g in lost.by_reason] == [
        ("价格太高", 2, D("800.00")),
        ("交付周期长", 1, D("1200.00")),
    ]
    assert [(g.label, g.count) for g in lost.by_stage] == [("机会建立", 2), ("商务谈判", 1)]


@pytest.mark.parametrize(
    ("start", "end", "keys"),
    [
        ("2026-01-01", "2026-01-31", {"o1"}),  # 00:30 on 1 January locally is still 2025 in UTC
        ("2025-12-01", "2025-12-31", {"o6"}),  # 23:59 on 31 December locally
        ("2026-03-01", "2026-03-31", {"o2", "o8"}),  # o8: 00:00:30 on 1 March locally (28 Feb in UTC)
        ("2026-02-01", "2026-02-28", set()),
        ("2026-12-31", "2026-12-31", {"o5"}),
        ("2027-01-01", "2027-01-01", {"o7"}),
    ],
)
def test_period_edges_in_the_local_time_zone(org, book, start, end, keys):
    result = funnel(user=org.admin, filters={"date_from": start, "date_to": end})
    want = expected(ids(book, *keys), date.fromisoformat(start), date.fromisoformat(end))
    assert result.created == len(keys) == want["created"]
    assert figures(result) == want["stages"]


def test_an_empty_period(org, book):
    result = funnel(user=org.admin, filters={"date_from": "2020-01-01", "date_to": "2020-12-31"})
    assert result.created == 0
    assert [r.reached for r in result.stages] == [0] * 7
    assert all(r.conversion_rate is None and r.avg_days is None for r in result.stages)
    assert result.lost.count == 0
    assert result.lost.by_reason == []
    assert result.win_rate is None


def test_the_default_period_is_this_year(org, book, time_machine):
    time_machine.move_to(at(2026, 7, 1, 12))
    result = funnel(user=org.admin, filters={})
    assert (result.date_from, result.date_to) == (date(2026, 1, 1), date(2026, 12, 31))
    assert result.pipeline == Pipeline.objects.get(is_default=True)
    assert result.created == 6


@pytest.fixture
def east_manager(org):
    """A sales manager of 华东区: sees its subtree (华东区 and 上海一组)."""
    return UserFactory(
        username="east_manager", department=org.east, role=Role.objects.get(name="Sales manager")
    )


@pytest.mark.parametrize(
    ("persona", "keys"),
    [
        ("east_manager", {"o1", "o2", "o3", "o5", "o8"}),  # the 华东区 subtree, not 华南区's o4
        ("team_lead", {"o5", "o8"}),  # their department only (华东区, not 上海一组)
        ("rep", {"o1", "o2"}),  # their own: never peer_rep's o3 in the same team
        ("peer_rep", {"o3"}),
        ("other_dept_rep", {"o4"}),
        ("outsider", set()),
    ],
)
def test_scope(org, book, east_manager, persona, keys):
    user = east_manager if persona == "east_manager" else getattr(org, persona)
    result = funnel(user=user, filters=YEAR)
    want = expected(ids(book, *keys), date(2026, 1, 1), date(2026, 12, 31))
    assert result.created == len(keys)
    assert figures(result) == want["stages"]


def test_view_department_and_rep_filters(org, book):
    by_department = funnel(user=org.dept_manager, filters={**YEAR, "department": org.east.pk})
    assert by_department.created == 5  # 华东区 with 上海一组
    assert funnel(user=org.dept_manager, filters={**YEAR, "department": org.south.pk}).created == 1
    assert funnel(user=org.dept_manager, filters={**YEAR, "owner": org.rep.pk}).created == 2
    assert funnel(user=org.team_lead, filters={**YEAR, "view": "mine"}).created == 0
    assert funnel(user=org.director, filters={**YEAR, "view": "team"}).created == 6
    # a department outside the rep's scope only narrows: nothing more becomes visible
    assert funnel(user=org.rep, filters={**YEAR, "department": org.south.pk}).created == 0


def test_a_team_member_sees_the_deal_in_their_funnel(org, book):
    """Scope is the opportunity list's: the deals a rep works on as a team member count for them."""
    from kehu.sales.opportunities.services import opportunity_member_add

    opportunity_member_add(actor=org.admin, opportunity=book["o3"], user=org.rep)
    assert funnel(user=org.rep, filters=YEAR).created == 3


def test_the_number_of_queries_does_not_grow_with_the_rows(org, book, east_manager):
    with CaptureQueriesContext(connection) as few:
        funnel(user=User.objects.get(pk=east_manager.pk), filters=YEAR)
    build_book(org)  # the book again: twice the opportunities and history
    with CaptureQueriesContext(connection) as more:
        result = funnel(user=User.objects.get(pk=east_manager.pk), filters=YEAR)
    assert result.created == 10
    assert len(more) == len(few) <= 10


def test_a_stages_opportunities(org, book):
    stage = next(s for s in Pipeline.objects.get(is_default=True).stages.all() if s.name == "方案提供")
    found, qs = funnel_stage_opportunities(user=org.dept_manager, filters=YEAR, stage_id=stage.pk)
    assert found == stage
    assert {o.pk for o in qs} == ids(book, "o1", "o3", "o8")
    _, qs = funnel_stage_opportunities(user=org.rep, filters=YEAR, stage_id=stage.pk)
    assert {o.pk for o in qs} == ids(book, "o1")


def test_bad_filters(org, book):
    lost = next(s for s in Pipeline.objects.get(is_default=True).stages.all() if s.is_lost)
    with pytest.raises(FilterError) as error:
        funnel_stage_opportunities(user=org.admin, filters=YEAR, stage_id=lost.pk)
    assert "stage" in error.value.message_dict
    for bad, name in (
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "date_to"),
        ({"pipeline": "999999"}, "pipeline"),
        ({"department": "999999"}, "department"),
        ({"view": "everything"}, "view"),
    ):
        with pytest.raises(FilterError) as error:
            funnel(user=org.admin, filters=bad)
        assert name in error.value.message_dict
