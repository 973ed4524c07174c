"""Input and output shapes of the targets API. Money travels as decimal strings with two places, counts as
whole-number strings; percentages as decimal strings or null."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from kehu.core.api import Id
from kehu.customers.choices import CustomerSource
from kehu.targets.choices import MONEY_METRICS, Metric, SplitMethod, SubjectKind
from kehu.targets.models import Target
from kehu.targets.selectors import Attainment, Period, TargetAttainment


def number(value: Decimal | None, metric: str) -> str | None:
    if value is None:
        return None
    return f"{value:.2f}" if metric in MONEY_METRICS else f"{value:.0f}"


def pct(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class TargetIn(_Input):
    year: int = Field(ge=2000, le=2100)
    metric: Metric
    subject_kind: SubjectKind
    department: Id | None = Field(None, description="For subject_kind=department.")
    user: Id | None = Field(None, description="For subject_kind=rep.")
    product: Id | None = Field(None, description="For subject_kind=product (metric signed_amount only).")
    region: str = Field("", max_length=32, description="A province, for subject_kind=region.")
    channel: CustomerSource | None = Field(None, description="A customer source, for subject_kind=channel.")
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2, description="The annual target.")
    split_method: SplitMethod = SplitMethod.EVEN
    weights: list[Decimal] | None = Field(None, min_length=12, max_length=12, description="For seasonal.")
    months: list[Decimal] | None = Field(
        None,
        min_length=12,
        max_length=12,
        description="Twelve months adding up to `amount`; instead of a split.",
    )


class TargetPatch(_Input):
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    split_method: SplitMethod | None = None
    weights: list[Decimal] | None = Field(None, min_length=12, max_length=12)
    months: list[Decimal] | None = Field(None, min_length=12, max_length=12)


class TargetOut(Schema):
    id: int
    year: int
    metric: str
    subject_kind: str
    subject: str
    department: int | None
    user: int | None
    product: int | None
    region: str
    channel: str
    amount: str
    split_method: str
    months: list[str]

    @staticmethod
    def resolve_subject(obj: Target) -> str:
        return obj.subject_label

    @staticmethod
    def resolve_department(obj: Target) -> int | None:
        return obj.department_id

    @staticmethod
    def resolve_user(obj: Target) -> int | None:
        return obj.user_id

    @staticmethod
    def resolve_product(obj: Target) -> int | None:
        return obj.product_id

    @staticmethod
    def resolve_amount(obj: Target) -> str:
        return number(obj.amount, obj.metric) or ""

    @staticmethod
    def resolve_months(obj: Target) -> list[str]:
        return [number(m, obj.metric) or "" for m in obj.monthly]


class AttainmentFilterSchema(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="Default: this year.")
    metric: Metric = Metric.SIGNED_AMOUNT
    as_of: date | None = Field(None, description="Default: today (Asia/Shanghai).")
    department: Id | None = Field(None, description="A department: its target and its subtree's.")
    subject_kind: SubjectKind | None = None

    def filter_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class PeriodOut(Schema):
    target: str
    actual: str
    attainment: str | None = Field(description="Actual as a percentage of the target.")
    gap: str = Field(description="Target − actual, zero once reached.")
    last_year: str = Field(description="The same dates of last year.")
    growth: str | None = Field(description="Year-on-year growth in percent; null when last year is zero.")


class AttainmentRowOut(Schema):
    target: int
    subject_kind: str
    subject: str
    depth: int
    amount: str
    children_target: str | None = Field(description="Departments and the company: the children's targets.")
    mtd: PeriodOut
    qtd: PeriodOut
    ytd: PeriodOut
    months: list[dict[str, str]]


class AttainmentOut(Schema):
    year: int
    metric: str
    as_of: date
    rows: list[AttainmentRowOut]


def _period(p: Period, metric: str) -> dict[str, Any]:
    return {
        "target": number(p.target, metric),
        "actual": number(p.actual, metric),
        "attainment": pct(p.attainment),
        "gap": number(p.gap, metric),
        "last_year": number(p.last_year, metric),
        "growth": pct(p.growth),
    }


def _row(row: TargetAttainment, metric: str) -> dict[str, Any]:
    return {
        "target": row.target.pk,
        "subject_kind": row.target.subject_kind,
        "subject": row.label,
        "depth": row.depth,
        "amount": number(row.target.amount, metric),
        "children_target": number(row.children_target, metric),
        "mtd": _period(row.mtd, metric),
        "qtd": _period(row.qtd, metric),
        "ytd": _period(row.ytd, metric),
        "months": [{"target": number(t, metric), "actual": number(a, metric)} for t, a in row.months],
    }


def attainment_out(result: Attainment) -> dict[str, Any]:
    return {
        "year": result.year,
        "metric": result.metric,
        "as_of": result.as_of,
        "rows": [_row(row, result.metric) for row in result.rows],
    }
