"""The sales funnel (销售漏斗), read from the stage history.

Definitions (docs/user-guide.md, "Sales funnel"):

- The cohort: the living opportunities of the pipeline created in the period (local dates, the configured
  time zone), in the viewer's scope (`Opportunity.objects.visible_to`: owner, department and team
  membership), narrowed by the mine / team / all switch, a department subtree and a rep (the owner).
- The funnel's stages are the pipeline's stages in order, without the lost ones.
- An opportunity *reached* a stage when its stage history (`StageChange`, one row written on creation and
  one per move) holds a move into that stage or into any later funnel stage: a deal moved straight from the
  first stage to negotiation passed the stages it skipped, and a deal moved back still reached the furthest
  stage it got to. A lost deal reached the stages it went through before it was lost.
- `amount`: the sum of the current amounts of the opportunities that reached the stage.
- `conversion_rate`: reached of the next funnel stage / reached of this one, in per cent (none for the last
  stage or when nothing reached this one).
- `avg_days`: the days the opportunities spent in the stage (each opportunity's stays in it added up, as the
  history recorded them when they left it), averaged over the opportunities that left it; the stay of a
  deal still in the stage is not finished and not counted.
- Lost: the cohort's lost opportunities by the reason and by the competitor of their review, and by the stage
  they were lost from.

Every figure is a SQL aggregate (GROUP BY), in a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, Max, OuterRef, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.analytics.filters import FunnelFilter
from kehu.core.exceptions import FilterError
from kehu.core.scopes import ViewFilter
from kehu.org.models import User
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import Opportunity, Pipeline, Stage, StageChange

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """`part` as a percentage of `whole`, to two places; None when `whole` is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FunnelStage:
    stage: Stage
    reached: int = 0
    amount: Decimal = ZERO
    conversion_rate: Decimal | None = None
    avg_days: Decimal | None = None
    lost: int = 0  # lost from this stage
    lost_amount: Decimal = ZERO

    @property
    def name(self) -> str:
        return self.stage.name


@dataclass(frozen=True)
class LostGroup:
    """The lost opportunities with one reason, one competitor or lost from one stage."""

    label: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class Lost:
    count: int = 0
    amount: Decimal = ZERO
    by_reason: list[LostGroup] = field(default_factory=list)
    by_competitor: list[LostGroup] = field(default_factory=list)
    by_stage: list[LostGroup] = field(default_factory=list)


@dataclass(frozen=True)
class Funnel:
    pipeline: Pipeline
    date_from: date
    date_to: date
    stages: list[FunnelStage]
    lost: Lost
    created: int = 0  # the cohort: opportunities created in the period
    applied: list[tuple[str, str]] = field(default_factory=list)  # the filters beyond the period, named

    @property
    def won(self) -> int:
        return next((s.reached for s in self.stages if s.stage.is_won), 0)

    @property
    def win_rate(self) -> Decimal | None:
        """Reached the (first) won stage, as a percentage of the cohort."""
        return percent(self.won, self.created)


def funnel_filters(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The filters, checked: `pipeline` (a Pipeline, the default one unless given), `date_from`, `date_to`
    (this year by default), `view`, `department` (a Department), `owner`. Raises FilterError naming the
    parameter at fault."""
    form = FunnelFilter(filters or {})
    if not form.is_valid():
        raise FilterError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return form.cleaned_data


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def funnel_cohort(*, user: User, filters: Mapping[str, Any]) -> QuerySet[Opportunity]:
    """The opportunities the funnel counts, from checked filters (`funnel_filters`)."""
    qs = (
        Opportunity.objects.visible_to(user)
        .alive()
        .narrowed(user, filters.get("view") or ViewFilter.ALL)
        .filter(
            pipeline_id=filters["pipeline"].pk,
            created_at__gte=_local_start(filters["date_from"]),
            created_at__lt=_local_start(filters["date_to"] + timedelta(days=1)),
        )
    )
    if filters.get("owner"):
        qs = qs.filter(owner_id=filters["owner"])
    if filters.get("department"):
        qs = qs.filter(department_id__in=list(filters["department"].subtree().values_list("id", flat=True)))
    return qs.order_by()


def funnel_stages(pipeline: Pipeline) -> list[Stage]:
    """The pipeline's stages in order, without the lost ones."""
    return [s for s in pipeline.stages.order_by("position", "id") if not s.is_lost]


@dataclass
class _Pass:
    """What the one pass over the cohort's history adds up (see `_history_pass`)."""

    created: int = 0
    reached: list[int] = field(default_factory=list)
    amounts: list[Decimal] = field(default_factory=list)
    days: list[Decimal] = field(default_factory=list)
    left: list[int] = field(default_factory=list)
    lost_from: dict[int, list[Any]] = field(default_factory=dict)


def _cents(column: str) -> str:
    """A money or days column summed exactly on both databases: whole hundredths (SQLite keeps decimals as
    floating point, and a raw cursor does not convert its sums back to Decimal)."""
    return f'SUM(CAST(ROUND("{column}" * 100) AS BIGINT))'


def _history_pass(cohort: QuerySet[Opportunity], stages: list[Stage], lost_ids: list[int]) -> _Pass:
    """The reached counts and amounts, the days in each stage and the stage lost from, in one query and one
    pass over the cohort's history: per opportunity (the inner GROUP BY, a join of its stage changes) the
    index of the furthest funnel stage it moved into, its days in each stage, whether it left each, and the
    stage it was lost from; then (the outer GROUP BY) added up by furthest stage and stage lost from."""
    n = len(stages)
    if not n:
        return _Pass(created=cohort.count())
    per_opportunity: dict[str, Any] = {
        "furthest": Max(
            Case(*(When(stage_changes__to_stage_id=s.pk, then=i) for i, s in enumerate(stages))),
            output_field=IntegerField(),
        ),
        "lost_from": Max(
            Case(
                *(
                    When(stage_changes__to_stage_id__in=lost_ids, stage_changes__from_stage_id=s.pk, then=i)
                    for i, s in enumerate(stages)
                )
            ),
            output_field=IntegerField(),
        )
        if lost_ids
        else Max(Value(None, output_field=IntegerField())),
    }
    for i, s in enumerate(stages):
        per_opportunity[f"d{i}"] = Sum(
            Case(When(stage_changes__from_stage_id=s.pk, then="stage_changes__days_in_from_stage"))
        )
        per_opportunity[f"l{i}"] = Max(
            Case(
                When(
                    stage_changes__from_stage_id=s.pk,
                    stage_changes__days_in_from_stage__isnull=False,
                    then=1,
                )
            ),
            output_field=IntegerField(),
        )
    inner_sql, params = (
        cohort.values("id", "amount", "status").annotate(**per_opportunity).query.sql_with_params()
    )
    columns = ", ".join(f'{_cents(f"d{i}")}, COUNT("l{i}")' for i in range(n))
    sql = (
        'SELECT "furthest", CASE WHEN "status" = %s THEN "lost_from" END, COUNT(*), '
        f"{_cents('amount')}, {columns} FROM ({inner_sql}) AS per_opportunity GROUP BY 1, 2"
    )
    result = _Pass(reached=[0] * n, amounts=[ZERO] * n, days=[ZERO] * n, left=[0] * n)
    by_furthest: dict[int, list[Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [OpportunityStatus.LOST, *params])
        rows = cursor.fetchall()
    for furthest, lost_from, count, cents, *figures in rows:
        amount = Decimal(cents or 0) / 100
        result.created += count
        if furthest is not None:
            group = by_furthest.setdefault(furthest, [0, ZERO])
            group[0] += count
            group[1] += amount
        if lost_from is not None:
            group = result.lost_from.setdefault(lost_from, [0, ZERO])
            group[0] += count
            group[1] += amount
        for i in range(n):
            result.days[i] += Decimal(figures[2 * i] or 0) / 100
            result.left[i] += figures[2 * i + 1]
    running, running_amount = 0, ZERO
    for i in range(n - 1, -1, -1):
        count, amount = by_furthest.get(i, (0, ZERO))
        running, running_amount = running + count, running_amount + amount
        result.reached[i], result.amounts[i] = running, running_amount.quantize(CENT)
    return result


def _grouped(pairs: Iterable[tuple[str, int, Decimal]], none: str) -> list[LostGroup]:
    totals: dict[str, list[Any]] = {}
    for label, n, amount in pairs:
        figures = totals.setdefault(label.strip() or none, [0, ZERO])
        figures[0] += n
        figures[1] += amount
    ordered = sorted(totals.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    return [LostGroup(label=label, count=n, amount=amount) for label, (n, amount) in ordered]


def _lost_reviews(cohort: QuerySet[Opportunity]) -> list[dict[str, Any]]:
    """The lost opportunities by the reason and the competitor of their review (one GROUP BY on both)."""
    return list(
        cohort.filter(status=OpportunityStatus.LOST)
        .values("close_reason", "winning_competitor")
        .annotate(n=Count("id"), amount=Sum("amount"))
    )


def _applied(filters: Mapping[str, Any]) -> list[tuple[str, str]]:
    applied: list[tuple[str, str]] = []
    if filters.get("view") and filters["view"] != ViewFilter.ALL:
        applied.append((_("View"), str(ViewFilter(filters["view"]).label)))
    if filters.get("department"):
        applied.append((_("Department"), filters["department"].name))
    if filters.get("owner"):
        owner = User.objects.filter(pk=filters["owner"]).first()
        applied.append((_("Rep"), str(owner) if owner else f"#{filters['owner']}"))
    return applied


def funnel(*, user: User, filters: Mapping[str, Any] | None = None) -> Funnel:
    """The sales funnel of a pipeline over a period, in the user's scope (see the module's definitions)."""
    cleaned = funnel_filters(filters)
    all_stages = list(cleaned["pipeline"].stages.order_by("position", "id"))
    stages = [s for s in all_stages if not s.is_lost]
    cohort = funnel_cohort(user=user, filters=cleaned)
    figures = _history_pass(cohort, stages, [s.pk for s in all_stages if s.is_lost])
    reviews = _lost_reviews(cohort)
    rows = []
    for i, stage in enumerate(stages):
        following = figures.reached[i + 1] if i + 1 < len(stages) else None
        lost_here = figures.lost_from.get(i, (0, ZERO))
        left = figures.left[i]
        rows.append(
            FunnelStage(
                stage=stage,
                reached=figures.reached[i],
                amount=figures.amounts[i],
                conversion_rate=None if following is None else percent(following, figures.reached[i]),
                avg_days=(figures.days[i] / left).quantize(CENT, rounding=ROUND_HALF_UP) if left else None,
                lost=lost_here[0],
                lost_amount=lost_here[1],
            )
        )
    none = _("(none given)")
    lost = Lost(
        count=sum(r["n"] for r in reviews),
        amount=sum((r["amount"] or ZERO for r in reviews), ZERO),
        by_reason=_grouped(((r["close_reason"], r["n"], r["amount"] or ZERO) for r in reviews), none),
        by_competitor=_grouped(
            ((r["winning_competitor"], r["n"], r["amount"] or ZERO) for r in reviews), none
        ),
        by_stage=[
            LostGroup(label=row.name, count=row.lost, amount=row.lost_amount) for row in rows if row.lost
        ],
    )
    return Funnel(
        pipeline=cleaned["pipeline"],
        date_from=cleaned["date_from"],
        date_to=cleaned["date_to"],
        stages=rows,
        lost=lost,
        created=figures.created,
        applied=_applied(cleaned),
    )


def funnel_stage_opportunities(
    *, user: User, filters: Mapping[str, Any] | None, stage_id: int
) -> tuple[Stage, QuerySet[Opportunity]]:
    """The funnel's opportunities that reached a stage (the same cohort and definition), newest first."""
    cleaned = funnel_filters(filters)
    stages = funnel_stages(cleaned["pipeline"])
    position = next((i for i, s in enumerate(stages) if s.pk == stage_id), None)
    if position is None:
        raise FilterError({"stage": [_("This stage is not in the pipeline's funnel.")]})
    reached = StageChange.objects.filter(
        opportunity_id=OuterRef("pk"), to_stage_id__in=[s.pk for s in stages[position:]]
    )
    qs = (
        funnel_cohort(user=user, filters=cleaned)
        .filter(Exists(reached))
        .select_related("owner", "customer", "stage")
        .order_by("-created_at", "-id")
    )
    return stages[position], qs
