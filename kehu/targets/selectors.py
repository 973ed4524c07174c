"""Reads: the targets a viewer may see, and their attainment month-, quarter- and year-to-date.

Actuals per metric (all in the configured time zone, Asia/Shanghai by default):
- signed_amount: `Contract.amount` of signed contracts (statuses in SIGNED, not deleted) by `signed_on`,
  credited to the contract's owner and department; for a product, the amount of its contract lines;
- received: receipts not voided, `amount − credit`, by `received_on`, credited to the contract's owner and
  department;
- new_customers: customers not deleted, by `created_at`, credited to their owner and department;
- followups: follow-ups not deleted, by `occurred_at`, credited to the user who recorded them and that
  user's department.
Regions and channels are the customer's `province` and `source`.

Every actual is one GROUP BY query per subject kind present (month × owner × department for the org tree;
month × product / province / source otherwise), over this year and the same dates of last year: a constant
number of queries whatever the number of targets or rows. A department's actual includes its
sub-departments (the `path` prefix); its target is its own, with the sum of its children's targets
(sub-departments and member reps) beside it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.exceptions import FilterError
from kehu.core.scopes import DataScope
from kehu.customers.models import Customer
from kehu.followups.models import FollowUp
from kehu.org.models import Department
from kehu.sales.contracts.choices import SIGNED
from kehu.sales.contracts.models import Contract, ContractLine
from kehu.sales.payments.models import Receipt
from kehu.targets.choices import MONEY_METRICS, Metric, SubjectKind
from kehu.targets.models import Target

ZERO = Decimal(0)
CENT = Decimal("0.01")
Month = tuple[int, int]


# --- the visible targets ----------------------------------------------------------------------------------


def _visible_q(user: Any) -> Q:
    company = Q(subject_kind=SubjectKind.COMPANY)
    own = Q(subject_kind=SubjectKind.REP, user_id=user.pk)
    own_department = Q(subject_kind=SubjectKind.DEPARTMENT, department_id=user.department_id)
    if user.data_scope == DataScope.OWN:
        return company | own | own_department
    team = user.scope_department_ids()
    return (
        company
        | own
        | own_department
        | Q(subject_kind=SubjectKind.DEPARTMENT, department_id__in=team)
        | Q(subject_kind=SubjectKind.REP, user__department_id__in=team)
    )


def target_list(*, user: Any, year: int | None = None, metric: str | None = None) -> QuerySet[Target]:
    """Targets the user may see: the company's, their own and their department's; a team lead or manager
    also their departments' and those departments' reps'; product, region and channel targets (company
    breakdowns) only with the all-records scope."""
    qs = Target.objects.select_related("department", "user", "product")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.data_scope != DataScope.ALL:
        qs = qs.filter(_visible_q(user))
    if year:
        qs = qs.filter(year=year)
    if metric:
        qs = qs.filter(metric=metric)
    return qs.order_by("metric", "subject_kind", "department__path", "subject_key")


def target_get(*, user: Any, pk: int) -> Target:
    return get_object_or_404(target_list(user=user), pk=pk)


# --- actuals ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    queryset: QuerySet
    date: str  # the date or datetime field that places a row in time
    value: Any  # the aggregate
    owner: str
    department: str
    province: str
    channel: str
    is_datetime: bool = False


def _source(metric: str) -> Source:
    if metric == Metric.SIGNED_AMOUNT:
        return Source(
            Contract.objects.filter(deleted_at__isnull=True, status__in=SIGNED, signed_on__isnull=False),
            "signed_on",
            Sum("amount"),
            "owner_id",
            "department_id",
            "customer__province",
            "customer__source",
        )
    if metric == Metric.RECEIVED:
        return Source(
            Receipt.objects.filter(voided_at__isnull=True, contract__deleted_at__isnull=True),
            "received_on",
            Sum(F("amount") - F("credit")),
            "contract__owner_id",
            "contract__department_id",
            "contract__customer__province",
            "contract__customer__source",
        )
    if metric == Metric.NEW_CUSTOMERS:
        return Source(
            Customer.objects.filter(deleted_at__isnull=True),
            "created_at",
            Count("id"),
            "owner_id",
            "department_id",
            "province",
            "source",
            is_datetime=True,
        )
    return Source(
        FollowUp.objects.filter(deleted_at__isnull=True),
        "occurred_at",
        Count("id"),
        "created_by_id",
        "created_by__department_id",
        "customer__province",
        "customer__source",
        is_datetime=True,
    )


def _in_ranges(source: Source, ranges: Iterable[tuple[date, date]]) -> Q:
    q = Q()
    tz = timezone.get_current_timezone()
    for start, end in ranges:
        if source.is_datetime:
            lo = datetime.combine(start, time.min, tzinfo=tz)
            hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
            q |= Q(**{f"{source.date}__gte": lo, f"{source.date}__lt": hi})
        else:
            q |= Q(**{f"{source.date}__gte": start, f"{source.date}__lte": end})
    return q


def _month_of(value: date | datetime) -> Month:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return (value.year, value.month)


def _number(value: Any, metric: str) -> Decimal:
    value = Decimal(value or 0)
    return value.quantize(CENT) if metric in MONEY_METRICS else value


def actual_rows(
    *, metric: str, by: str, ranges: Iterable[tuple[date, date]]
) -> list[tuple[Month, Any, Any, Decimal]]:
    """One GROUP BY query: (month, key, key2, value) rows. `by` is "org" (key = owner id, key2 = department
    id), "product", "region" or "channel" (key2 None), or "company" (both None)."""
    source = _source(metric)
    ranges = list(ranges)
    if by == "product":
        qs: QuerySet = ContractLine.objects.filter(
            contract__deleted_at__isnull=True,
            contract__status__in=SIGNED,
            product__isnull=False,
        )
        source = Source(qs, "contract__signed_on", Sum("amount"), "product_id", "", "", "")
    keys = {
        "org": [source.owner, source.department],
        "product": [source.owner],
        "region": [source.province],
        "channel": [source.channel],
        "company": [],
    }[by]
    month = (
        TruncMonth(source.date, output_field=DateField())
        if not source.is_datetime
        else TruncMonth(source.date)
    )
    rows = (
        source.queryset.filter(_in_ranges(source, ranges))
        .annotate(month=month)
        .values("month", *keys)
        .annotate(value=source.value)
        .order_by()
    )
    result = []
    for row in rows:
        key = row[keys[0]] if keys else None
        key2 = row[keys[1]] if len(keys) > 1 else None
        result.append((_month_of(row["month"]), key, key2, _number(row["value"], metric)))
    return result


def subject_monthly_actuals(*, year: int, metric: str, subject: Any) -> list[Decimal]:
    """The subject's twelve monthly actuals of `year` (for a split in proportion to last year)."""
    kind = SubjectKind(subject.kind)
    by = {
        SubjectKind.COMPANY: "company",
        SubjectKind.DEPARTMENT: "org",
        SubjectKind.REP: "org",
        SubjectKind.PRODUCT: "product",
        SubjectKind.REGION: "region",
        SubjectKind.CHANNEL: "channel",
    }[kind]
    rows = actual_rows(metric=metric, by=by, ranges=[(date(year, 1, 1), date(year, 12, 31))])
    paths = dict(Department.objects.values_list("id", "path")) if kind == SubjectKind.DEPARTMENT else {}
    months = [ZERO] * 12
    for (_y, m), key, key2, value in rows:
        if _matches(kind, subject_value(kind, subject), key, key2, paths):
            months[m - 1] += value
    return months


def subject_value(kind: SubjectKind, subject: Any) -> Any:
    """The value actual rows are matched on: a department's path, a user's, product's id, a region, a
    channel."""
    if kind == SubjectKind.DEPARTMENT:
        return subject.department.path
    if kind == SubjectKind.REP:
        return subject.user.pk
    if kind == SubjectKind.PRODUCT:
        return subject.product.pk
    if kind == SubjectKind.REGION:
        return subject.region
    if kind == SubjectKind.CHANNEL:
        return subject.channel
    return None


def _matches(kind: SubjectKind, value: Any, key: Any, key2: Any, paths: Mapping[int, str]) -> bool:
    if kind == SubjectKind.COMPANY:
        return True
    if kind == SubjectKind.DEPARTMENT:
        return key2 is not None and paths.get(key2, "").startswith(value)
    return key == value


# --- attainment -------------------------------------------------------------------------------------------


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Period:
    """A period to date: the target of the whole period, what was achieved up to `as_of`, and the same
    dates of last year."""

    target: Decimal
    actual: Decimal
    last_year: Decimal

    @property
    def attainment(self) -> Decimal | None:
        """Actual as a percentage of the target; None without a target."""
        return percent(self.actual, self.target)

    @property
    def gap(self) -> Decimal:
        """What is still missing to reach the target (zero once reached)."""
        return max(self.target - self.actual, ZERO)

    @property
    def growth(self) -> Decimal | None:
        """Year-on-year growth in percent; None when last year's same period is zero."""
        return percent(self.actual - self.last_year, self.last_year)


@dataclass(frozen=True)
class TargetAttainment:
    target: Target
    label: str
    depth: int
    mtd: Period
    qtd: Period
    ytd: Period
    months: list[tuple[Decimal, Decimal]]  # (target, actual) per month, actual to date
    children_target: Decimal | None = None  # departments and the company: the sum of the children's


@dataclass(frozen=True)
class Attainment:
    year: int
    metric: str
    as_of: date
    rows: list[TargetAttainment] = field(default_factory=list)

    @property
    def is_money(self) -> bool:
        return self.metric in MONEY_METRICS


def _same_day_last_year(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def attainment_filters(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """`year` (this year), `metric` (signed_amount), `as_of` (today in the configured time zone; a date in
    another year is clamped to that year's 31 December), `department` (a department id: its target and
    its subtree's), `subject_kind`. Raises FilterError naming the parameter at fault."""
    filters = filters or {}
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned["year"] = int(filters.get("year") or today.year)
        if not 2000 <= cleaned["year"] <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = [_("Enter a year between 2000 and 2100.")]
    metric = filters.get("metric") or Metric.SIGNED_AMOUNT
    if metric not in Metric.values:
        errors["metric"] = [_("Unknown metric.")]
    cleaned["metric"] = metric
    as_of = filters.get("as_of") or None
    try:
        cleaned["as_of"] = as_of if isinstance(as_of, date) else date.fromisoformat(as_of) if as_of else None
    except ValueError:
        errors["as_of"] = [_("Enter a valid date.")]
    kind = filters.get("subject_kind") or ""
    if kind and kind not in SubjectKind.values:
        errors["subject_kind"] = [_("Unknown subject.")]
    cleaned["subject_kind"] = kind
    department = filters.get("department") or None
    try:
        cleaned["department"] = int(department) if department else None
    except (TypeError, ValueError):
        errors["department"] = [_("Enter a whole number.")]
    if errors:
        raise FilterError(errors)
    if cleaned["as_of"] is None:
        cleaned["as_of"] = today if today.year == cleaned["year"] else date(cleaned["year"], 12, 31)
    elif cleaned["as_of"].year != cleaned["year"]:
        cleaned["as_of"] = date(cleaned["year"], 12, 31) if cleaned["as_of"].year > cleaned["year"] else None
        if cleaned["as_of"] is None:
            raise FilterError({"as_of": [_("The date is before the year.")]})
    return cleaned


def attainment(
    *, user: Any, year: int | None = None, metric: str | None = None, filters: Any = None
) -> Attainment:
    """Attainment of the targets `user` may see for `year` and `metric`, as of `filters["as_of"]`."""
    data = filters.dict() if hasattr(filters, "dict") else dict(filters or {})
    data.update({k: v for k, v in (("year", year), ("metric", metric)) if v})
    f = attainment_filters(data)
    year, metric, as_of = f["year"], f["metric"], f["as_of"]
    targets = list(target_list(user=user, year=year, metric=metric))
    if f["subject_kind"]:
        targets = [t for t in targets if t.subject_kind == f["subject_kind"]]
    paths = dict(Department.objects.values_list("id", "path"))
    if f["department"]:
        root = paths.get(f["department"], "\0")
        targets = [t for t in targets if _under(t, root, paths)]
    result = Attainment(year=year, metric=metric, as_of=as_of)
    if not targets:
        return result
    ranges = [(date(year, 1, 1), as_of), (date(year - 1, 1, 1), _same_day_last_year(as_of))]
    kinds = {t.subject_kind for t in targets}
    rows_by: dict[str, list] = {}
    for by, wanted in (
        ("org", {SubjectKind.COMPANY, SubjectKind.DEPARTMENT, SubjectKind.REP}),
        ("product", {SubjectKind.PRODUCT}),
        ("region", {SubjectKind.REGION}),
        ("channel", {SubjectKind.CHANNEL}),
    ):
        if kinds & wanted:
            rows_by[by] = actual_rows(metric=metric, by=by, ranges=ranges)
    children = _children_targets(targets, paths)
    for t in targets:
        by = {
            SubjectKind.PRODUCT: "product",
            SubjectKind.REGION: "region",
            SubjectKind.CHANNEL: "channel",
        }.get(SubjectKind(t.subject_kind), "org")
        kind = SubjectKind(t.subject_kind)
        value = subject_value(kind, t)
        monthly: dict[Month, Decimal] = defaultdict(lambda: ZERO)
        for m, key, key2, v in rows_by[by]:
            if _matches(kind, value, key, key2, paths):
                monthly[m] += v
        result.rows.append(_row(t, monthly, as_of, paths, children.get(t.pk)))
    return result


def _under(t: Target, root: str, paths: Mapping[int, str]) -> bool:
    if t.subject_kind == SubjectKind.DEPARTMENT:
        return paths.get(t.department_id, "").startswith(root)
    if t.subject_kind == SubjectKind.REP:
        return paths.get(t.user.department_id, "").startswith(root)
    return False


def _children_targets(targets: list[Target], paths: Mapping[int, str]) -> dict[int, Decimal]:
    """For the company and each department target: the sum of its children's targets among `targets`
    (the company's children are the top departments; a department's, its direct sub-departments and its
    member reps)."""
    result: dict[int, Decimal] = {}
    departments = {t.department_id: t for t in targets if t.subject_kind == SubjectKind.DEPARTMENT}
    reps = [t for t in targets if t.subject_kind == SubjectKind.REP]
    for t in targets:
        if t.subject_kind == SubjectKind.COMPANY:
            tops = [d for d in departments.values() if paths.get(d.department_id, "").count("/") == 2]
            result[t.pk] = sum((d.amount for d in tops), ZERO) if tops else None
        elif t.subject_kind == SubjectKind.DEPARTMENT:
            path = paths.get(t.department_id, "")
            kids = [
                d
                for d in departments.values()
                if d.pk != t.pk and paths.get(d.department_id, "").rsplit("/", 2)[0] + "/" == path
            ] + [r for r in reps if r.user.department_id == t.department_id]
            result[t.pk] = sum((k.amount for k in kids), ZERO) if kids else None
    return {k: v for k, v in result.items() if v is not None}


def _row(
    t: Target,
    monthly: Mapping[Month, Decimal],
    as_of: date,
    paths: Mapping[int, str],
    children_target: Decimal | None,
) -> TargetAttainment:
    year, month = as_of.year, as_of.month
    quarter = range((month - 1) // 3 * 3 + 1, (month - 1) // 3 * 3 + 4)
    targets = t.monthly

    def period(months: Iterable[int], whole: Iterable[int]) -> Period:
        months = list(months)
        return Period(
            target=sum((targets[m - 1] for m in whole), ZERO),
            actual=sum((monthly.get((year, m), ZERO) for m in months), ZERO),
            last_year=sum((monthly.get((year - 1, m), ZERO) for m in months), ZERO),
        )

    depth = 0
    if t.subject_kind == SubjectKind.DEPARTMENT:
        depth = paths.get(t.department_id, "//").count("/") - 2
    return TargetAttainment(
        target=t,
        label=t.subject_label,
        depth=depth,
        mtd=period([month], [month]),
        qtd=period(range(quarter[0], month + 1), quarter),
        ytd=period(range(1, month + 1), range(1, 13)),
        months=[(targets[m - 1], monthly.get((year, m), ZERO)) for m in range(1, 13)],
        children_target=children_target,
    )
