"""The demo's opportunities: spread over the stages with consistent history, reviews on the closed ones,
weighted amounts as the services compute them, timeline entries, and a board a rep can open."""

import itertools
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kehu.core.activity import Activity
from kehu.customers.models import Customer
from kehu.org.models import User
from kehu.sales.opportunities.models import Opportunity, StageChange, weighted_amount
from kehu.sales.opportunities.selectors import opportunity_board, opportunity_list
from kehu.sales.opportunities.services import pipeline_default
from kehu.sales.opportunities.services.opportunities import _days_since


@pytest.mark.django_db
def test_demo_opportunities_are_spread_over_the_stages_with_consistent_history():
    output = StringIO()
    call_command("demo", customers=300, stdout=output)

    opportunities = list(Opportunity.objects.select_related("stage", "customer"))
    total = len(opportunities)
    assert total == 300
    assert f"{total:,} opportunities" in output.getvalue()

    # counts per status: mostly open, about 15 % won and 15 % lost, a few suspended and terminated
    status = Counter(o.status for o in opportunities)
    assert status["open"] > total * 0.5
    assert total * 0.08 < status["won"] < total * 0.25
    assert total * 0.08 < status["lost"] < total * 0.25
    assert status["suspended"] > 0
    assert status["terminated"] > 0
    # more open deals in the first stages than in the last ones
    stages = [s for s in pipeline_default().stages.order_by("position") if not s.is_outcome]
    per_stage = Counter(o.stage_id for o in opportunities if o.status == "open")
    assert per_stage[stages[0].pk] > per_stage[stages[-1].pk]

    # owners are the customers' owners, in their departments; no pooled customer has one
    for o in opportunities:
        assert o.owner_id == o.customer.owner_id
        assert o.customer.pool_id is None
    owners = {u.pk: u.department_id for u in User.objects.all()}
    assert all(o.department_id == owners[o.owner_id] for o in opportunities)
    assert not Customer.objects.filter(pool__isnull=False, opportunities__isnull=False).exists()

    # amounts mostly between ¥50k and ¥500k; weighted amounts as the services compute them
    within = sum(50_000 <= o.amount <= 500_000 for o in opportunities)
    assert within > total * 0.6
    for o in opportunities:
        assert o.weighted_amount == weighted_amount(o.amount, o.probability)
        if not o.probability_overridden:
            assert o.probability == o.stage.probability
        lines = list(o.lines.all())
        if lines:
            assert o.amount == sum(line.amount for line in lines)

    # closed ones carry a review in an outcome stage; open ones are in an open stage
    for o in opportunities:
        if o.status == "won":
            assert o.stage.is_won
            assert o.close_reason
            assert o.review_summary
            assert o.closed_at
        elif o.status == "lost":
            assert o.stage.is_lost
            assert o.close_reason
            assert o.winning_competitor
            assert o.review_summary
        elif o.status == "terminated":
            assert not o.stage.is_outcome
            assert o.closed_at
        else:
            assert not o.stage.is_outcome
            assert o.closed_at is None

    # history: first row enters the pipeline, each row leaves where the last one arrived, durations right,
    # the last row is the current stage, entered at stage_entered_at, all in the past
    now = timezone.now()
    history = defaultdict(list)
    for change in StageChange.objects.order_by("opportunity_id", "moved_at", "id"):
        history[change.opportunity_id].append(change)
    for o in opportunities:
        rows = history[o.pk]
        assert rows[0].from_stage_id is None
        assert rows[0].days_in_from_stage is None
        assert rows[0].moved_at == o.created_at
        for before, after in itertools.pairwise(rows):
            assert after.from_stage_id == before.to_stage_id
            assert after.from_stage_name == before.to_stage_name
            assert after.days_in_from_stage == _days_since(before.moved_at, after.moved_at)
        assert rows[-1].to_stage_id == o.stage_id
        assert rows[-1].moved_at == o.stage_entered_at <= now
        assert o.created_at >= o.customer.created_at
    # some open deals are overdue, some idle in their stage
    today = timezone.localdate()
    open_ones = [o for o in opportunities if o.status == "open"]
    assert any(o.expected_close_date < today for o in open_ones)
    assert any(o.expected_close_date > today for o in open_ones)

    # timeline: a "created" entry each, a "won" / "lost" entry per closed deal, moves per history row
    verbs = Counter(Activity.objects.filter(verb__startswith="opportunity.").values_list("verb", flat=True))
    assert verbs["opportunity.created"] == total
    assert verbs["opportunity.won"] == status["won"]
    assert verbs["opportunity.lost"] == status["lost"]
    assert verbs["opportunity.suspended"] == status["suspended"]
    assert verbs["opportunity.terminated"] == status["terminated"]
    moves = StageChange.objects.filter(from_stage__isnull=False).count()
    assert verbs["opportunity.stage_changed"] + status["won"] + status["lost"] == moves
    first = Activity.objects.filter(verb="opportunity.stage_changed").first()
    assert first.customer_id == Opportunity.objects.get(pk=first.subject_id).customer_id

    # the board works for a rep, with the totals of their open deals
    rep = User.objects.get(username="rep1")
    board = opportunity_board(user=rep, pipeline=pipeline_default(), view="mine")
    mine = [o for o in open_ones if o.owner_id == rep.pk]
    assert board.count == len(mine) > 0
    assert board.weighted_amount == sum(o.weighted_amount for o in mine)
    assert any(column.idle_count for column in board.columns) or len(mine) < 5
    assert opportunity_list(user=rep, view="mine").count() == sum(o.owner_id == rep.pk for o in opportunities)
