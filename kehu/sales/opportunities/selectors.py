"""Reads for pipelines and opportunities. Every read of opportunities starts from the data scope (plus the
opportunities the user works on as a team member)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, IntegerField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kehu.core.exceptions import FilterError
from kehu.core.money import CENT
from kehu.org.models import User
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.filters import OpportunityFilter
from kehu.sales.opportunities.models import Opportunity, OpportunityMember, Pipeline, Stage, StageChange

BOARD_CARDS = 20
# What a card shows (the board page and the API's CardOut) and what places it on the board; not the whole
# rows of its customer and owner.
CARD_FIELDS = (
    "title",
    "amount",
    "probability",
    "weighted_amount",
    "expected_close_date",
    "stage_entered_at",
    "stage_id",
    "updated_at",
    "customer__name",
    "owner__display_name",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)


def pipeline_list(*, active_only: bool = False) -> QuerySet[Pipeline]:
    qs = Pipeline.objects.prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("position", "id"))
    )
    return qs.filter(active=True) if active_only else qs


def pipeline_get(*, pk: int) -> Pipeline:
    return get_object_or_404(pipeline_list(), pk=pk)


def opportunity_list(
    *, user: User, filters: Mapping[str, Any] | None = None, view: str | None = None
) -> QuerySet[Opportunity]:
    """Visible, living opportunities, narrowed by the mine/team/all switch and the list filters."""
    qs = (
        Opportunity.objects.visible_to(user)
        .alive()
        .narrowed(user, view)
        .select_related("owner", "customer", "pipeline", "stage")
    )
    opportunity_filter = OpportunityFilter(filters or {}, queryset=qs)
    if not opportunity_filter.is_valid():
        raise FilterError({k: [str(m) for m in v] for k, v in opportunity_filter.errors.items()})
    return opportunity_filter.qs


def opportunity_find(*, user: User, pk: int) -> Opportunity:
    """The visible, living opportunity with its stage only: for actions, which read the details after."""
    return get_object_or_404(Opportunity.objects.visible_to(user).alive().select_related("stage"), pk=pk)


def opportunity_get(*, user: User, pk: int) -> Opportunity:
    return get_object_or_404(
        Opportunity.objects.visible_to(user)
        .alive()
        .select_related("owner", "customer", "pipeline", "stage")
        .prefetch_related(
            "lines",
            "contacts",
            Prefetch("members", queryset=OpportunityMember.objects.select_related("user")),
        ),
        pk=pk,
    )


def opportunity_history(*, opportunity: Opportunity) -> QuerySet[StageChange]:
    """The stage changes, oldest first: where the durations and the funnel come from."""
    return (
        StageChange.objects.filter(opportunity=opportunity).select_related("actor").order_by("moved_at", "id")
    )


@dataclass
class BoardColumn:
    stage: Stage
    count: int = 0
    amount: Decimal = Decimal("0.00")
    weighted_amount: Decimal = Decimal("0.00")
    idle_count: int = 0
    cards: list[Opportunity] = field(default_factory=list)


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[BoardColumn]

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns)

    @property
    def amount(self) -> Decimal:
        return sum((c.amount for c in self.columns), Decimal("0.00"))

    @property
    def weighted_amount(self) -> Decimal:
        return sum((c.weighted_amount for c in self.columns), Decimal("0.00"))


def _idle_condition(stages: list[Stage], now: datetime) -> Q | None:
    condition = None
    for stage in stages:
        if stage.usual_days:
            clause = Q(stage_id=stage.pk, stage_entered_at__lt=now - timedelta(days=stage.usual_days))
            condition = clause if condition is None else condition | clause
    return condition


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def _union_all(querysets: list[QuerySet[Any]]) -> RawSQL:
    """`q1 UNION ALL q2 …` of sliced, ordered querysets, for `pk__in`. Django refuses LIMIT and ORDER BY in
    the members of its own `union()` on SQLite; wrapped as `SELECT * FROM (…)` both databases take them."""
    parts, params = [], []
    for n, qs in enumerate(querysets):
        sql, part_params = qs.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS part_{n}")
        params.extend(part_params)
    return RawSQL(" UNION ALL ".join(parts), params)


def opportunity_board(
    *, user: User, pipeline: Pipeline, view: str | None = None, per_column: int = BOARD_CARDS
) -> Board:
    """The kanban board of a pipeline's open opportunities the user may see: per stage the count, Σ amount,
    Σ weighted amount and how many are idle (one aggregate query), and the newest `per_column` cards of each
    stage (one query: a UNION ALL of one LIMIT per stage, each reading `opportunity_board_cards_idx` in order
    and stopping after its cards). Cards carry `is_idle`: longer in the stage than its usual days. Constant
    queries."""
    stages = list(pipeline.stages.all())  # prefetched, in position order, by pipeline_list / pipeline_get
    now = timezone.now()
    base = (
        Opportunity.objects.visible_to(user)
        .alive()
        .narrowed(user, view)
        .filter(pipeline=pipeline, status=OpportunityStatus.OPEN)
    )
    idle = _idle_condition(stages, now)
    totals = (
        base.order_by()
        .values("stage_id")
        .annotate(
            n=Count("id"),
            total=Sum("amount"),
            weighted=Sum("weighted_amount"),
            idle=Count("id", filter=idle) if idle is not None else Value(0, output_field=IntegerField()),
        )
    )
    columns = {s.pk: BoardColumn(stage=s) for s in stages}
    for row in totals:
        column = columns.get(row["stage_id"])
        if column is not None:
            column.count, column.idle_count = row["n"], row["idle"]
            column.amount, column.weighted_amount = _money(row["total"]), _money(row["weighted"])
    newest = (F("updated_at").desc(), F("id").desc())
    shown = [
        base.filter(stage_id=pk).order_by(*newest).values("pk")[:per_column]
        for pk, column in columns.items()
        if column.count and per_column > 0
    ]
    cards = Opportunity.objects.none()
    if shown:
        cards = (
            Opportunity.objects.filter(pk__in=_union_all(shown))
            .select_related("owner", "customer")
            .only(*CARD_FIELDS)
        )
    for card in cards.order_by(*newest):
        column = columns[card.stage_id]
        days = column.stage.usual_days
        card.is_idle = bool(days) and card.stage_entered_at < now - timedelta(days=days)  # type: ignore[attr-defined]
        column.cards.append(card)
    return Board(pipeline=pipeline, columns=list(columns.values()))
