"""Opportunity reads: the data-scope matrix with team members, list filters, the board's aggregates and its
constant number of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kehu.customers.tests.factories import CustomerFactory
from kehu.sales.opportunities import models
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import Opportunity, OpportunityMember, Pipeline
from kehu.sales.opportunities.schemas import CardOut
from kehu.sales.opportunities.selectors import opportunity_board, opportunity_list
from kehu.sales.opportunities.tests.factories import OpportunityFactory, default_stages

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org):
    """One opportunity per owner, titled after the owner; the South rep is on the team of rep1's."""
    owners = [org.rep, org.peer_rep, org.east_rep, org.other_dept_rep, org.team_lead, org.outsider]
    book = {o.username: OpportunityFactory(owner=o, title=o.username) for o in owners}
    OpportunityMember.objects.create(opportunity=book["rep1"], user=org.other_dept_rep)
    return book


def titles(qs) -> list[str]:
    return sorted(o.title for o in qs)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("rep", ["rep1"]),
        ("peer_rep", ["rep3"]),
        ("other_dept_rep", ["rep1", "rep2"]),  # rep1's as a team member
        ("team_lead", ["lead", "rep4"]),
        ("dept_manager", ["lead", "rep1", "rep2", "rep3", "rep4"]),
        ("director", ["lead", "outsider", "rep1", "rep2", "rep3", "rep4"]),
        ("outsider", ["outsider"]),
    ],
)
def test_list_shows_the_data_scope_plus_the_team_members_opportunities(org, book, persona, expected):
    assert titles(opportunity_list(user=getattr(org, persona))) == expected


def test_mine_includes_the_opportunities_i_am_on_the_team_of(org, book):
    assert titles(opportunity_list(user=org.other_dept_rep, view="mine")) == ["rep1", "rep2"]
    assert titles(opportunity_list(user=org.dept_manager, view="mine")) == []


def test_a_manager_on_a_team_outside_their_scope_sees_it_in_every_view(org, book):
    OpportunityMember.objects.create(opportunity=book["outsider"], user=org.dept_manager)
    pipeline = Pipeline.objects.get(is_default=True)

    assert titles(opportunity_list(user=org.dept_manager, view="mine")) == ["outsider"]
    everything = ["lead", "outsider", "rep1", "rep2", "rep3", "rep4"]
    assert titles(opportunity_list(user=org.dept_manager)) == everything
    board = opportunity_board(user=org.dept_manager, pipeline=pipeline, view="mine")
    assert [card.title for card in board.columns[0].cards] == ["outsider"]


def test_someone_on_many_teams_is_scoped_by_a_subquery_with_the_same_result(org, book, monkeypatch):
    monkeypatch.setattr(models, "MEMBER_IDS_LISTED", 1)
    OpportunityMember.objects.create(opportunity=book["outsider"], user=org.other_dept_rep)

    assert titles(opportunity_list(user=org.other_dept_rep)) == ["outsider", "rep1", "rep2"]
    assert titles(opportunity_list(user=org.peer_rep)) == ["rep3"]  # on no team: no subquery needed


def test_deleted_opportunities_are_not_listed(org):
    OpportunityFactory(owner=org.rep, deleted_at=timezone.now())
    assert list(opportunity_list(user=org.rep)) == []


def test_filters_narrow_the_list(org):
    stages = default_stages()
    customer = CustomerFactory(owner=org.rep, name="华为技术")
    soon = OpportunityFactory(
        owner=org.rep,
        title="CRM",
        customer=customer,
        expected_close_date=date(2026, 3, 1),
        amount=Decimal("5"),
    )
    OpportunityFactory(
        owner=org.rep, title="ERP", stage=stages["方案提供"], expected_close_date=date(2026, 6, 1)
    )
    OpportunityFactory(owner=org.rep, title="OA", status=OpportunityStatus.SUSPENDED)

    assert titles(opportunity_list(user=org.rep, filters={"q": "华为"})) == ["CRM"]
    assert titles(opportunity_list(user=org.rep, filters={"q": "er"})) == ["ERP"]
    assert titles(opportunity_list(user=org.rep, filters={"stage": stages["方案提供"].pk})) == ["ERP"]
    assert titles(opportunity_list(user=org.rep, filters={"status": "suspended"})) == ["OA"]
    assert titles(opportunity_list(user=org.rep, filters={"customer": customer.pk})) == ["CRM"]
    window = {"close_from": "2026-02-01", "close_to": "2026-04-01"}
    assert list(opportunity_list(user=org.rep, filters=window)) == [soon]
    assert [o.title for o in opportunity_list(user=org.rep, filters={"sort": "close"})][:2] == ["CRM", "ERP"]


# The board -------------------------------------------------------------------------------------------------


def test_board_columns_carry_counts_amounts_weighted_amounts_and_idle_cards(org):
    stages = default_stages()
    old = timezone.now() - timedelta(days=15)  # 销售线索 is usually 14 days
    a = OpportunityFactory(owner=org.rep, amount=Decimal("100000.00"), stage_entered_at=old)
    b = OpportunityFactory(owner=org.rep, amount=Decimal("0.05"))
    c = OpportunityFactory(owner=org.rep, stage=stages["方案评估"], amount=Decimal("333.33"))
    OpportunityFactory(owner=org.rep, status=OpportunityStatus.SUSPENDED)  # out of the active pipeline
    OpportunityFactory(owner=org.peer_rep)  # not visible to the rep

    board = opportunity_board(user=org.rep, pipeline=Pipeline.objects.get(is_default=True))

    summary = {
        col.stage.name: (col.count, col.amount, col.weighted_amount, col.idle_count)
        for col in board.columns
        if col.count
    }
    assert summary == {
        "销售线索": (2, Decimal("100000.05"), Decimal("10000.01"), 1),
        "方案评估": (1, Decimal("333.33"), Decimal("200.00"), 0),
    }
    assert [c.stage.name for c in board.columns] == list(stages)
    assert (board.count, board.amount, board.weighted_amount) == (
        3,
        Decimal("100333.38"),
        Decimal("10200.01"),
    )
    first = board.columns[0]
    assert {card.pk: card.is_idle for card in first.cards} == {a.pk: True, b.pk: False}
    assert [card.pk for card in board.columns[3].cards] == [c.pk]


def test_board_shows_at_most_n_cards_per_column_but_counts_all(org):
    stages = default_stages()
    for _ in range(4):
        OpportunityFactory(owner=org.rep)
    OpportunityFactory(owner=org.rep, stage=stages["商务谈判"])

    board = opportunity_board(user=org.rep, pipeline=Pipeline.objects.get(is_default=True), per_column=2)

    by_stage = {col.stage.name: (col.count, len(col.cards)) for col in board.columns if col.count}
    assert by_stage == {"销售线索": (4, 2), "商务谈判": (1, 1)}


def test_board_cards_are_each_columns_most_recently_updated(org):
    stages = default_stages()
    now = timezone.now()
    first = [OpportunityFactory(owner=org.rep) for _ in range(4)]
    later = [OpportunityFactory(owner=org.rep, stage=stages["方案提供"]) for _ in range(3)]
    for n, o in enumerate(first + later):
        Opportunity.objects.filter(pk=o.pk).update(updated_at=now - timedelta(hours=n))

    board = opportunity_board(user=org.rep, pipeline=Pipeline.objects.get(is_default=True), per_column=2)

    cards = {col.stage.name: [card.pk for card in col.cards] for col in board.columns if col.cards}
    assert cards == {"销售线索": [first[0].pk, first[1].pk], "方案提供": [later[0].pk, later[1].pk]}


def test_board_without_cards_still_counts(org):
    OpportunityFactory(owner=org.rep)
    board = opportunity_board(user=org.rep, pipeline=Pipeline.objects.get(is_default=True), per_column=0)
    assert (board.count, board.columns[0].cards) == (1, [])


def test_board_includes_team_members_opportunities(org):
    theirs = OpportunityFactory(owner=org.other_dept_rep)
    OpportunityMember.objects.create(opportunity=theirs, user=org.rep)
    board = opportunity_board(user=org.rep, pipeline=Pipeline.objects.get(is_default=True))
    assert [card.pk for card in board.columns[0].cards] == [theirs.pk]


@pytest.mark.parametrize("size", [1, 30])
def test_board_runs_a_constant_number_of_queries(org, django_assert_num_queries, size):
    stages = list(default_stages().values())
    for n in range(size):
        OpportunityFactory(owner=org.dept_manager if n % 2 else org.rep, stage=stages[n % 5])
    pipeline = Pipeline.objects.get(is_default=True)
    user = org.dept_manager
    user.team_department_ids()  # read once per request, with the user

    # stages, the ids of the opportunities the user is on the team of, the aggregate, the cards (every field
    # a card shows on the page or in the API is loaded with it)
    with django_assert_num_queries(4):
        board = opportunity_board(user=user, pipeline=pipeline)
        cards = [
            (str(card.owner), CardOut.from_orm(card)) for column in board.columns for card in column.cards
        ]
    assert len(cards) == size


@pytest.mark.parametrize("size", [1, 30])
def test_list_runs_a_constant_number_of_queries(org, django_assert_num_queries, size):
    for _ in range(size):
        OpportunityFactory(owner=org.rep)
    # the ids of the opportunities the rep is on the team of, the page
    with django_assert_num_queries(2):
        rows = [
            (o.owner, o.customer.name, o.stage.name, o.pipeline.name) for o in opportunity_list(user=org.rep)
        ]
    assert len(rows) == size
