"""Demo targets for this year: the company, each department and each rep, for the signed contract amount and
the payments received. Each annual target is the last twelve months' actual plus 15 %, rounded up to ten
thousand (a round default where there is none). The demo's history starts about fourteen months back, so last
year alone covers only its last quarter and a split by last year would leave January to September without a
target: the months are split by last year's and this year's actuals together, month by month (seasonal
weights), and evenly where both are empty."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from django.utils import timezone

from kehu.org.models import Department, User
from kehu.targets.choices import Metric, SplitMethod, SubjectKind
from kehu.targets.selectors import subject_monthly_actuals
from kehu.targets.services import Subject, target_set

GROWTH = Decimal("1.15")
ROUND_TO = Decimal("10000")
DEFAULTS = {SubjectKind.COMPANY: "5000000", SubjectKind.DEPARTMENT: "1000000", SubjectKind.REP: "300000"}


def _annual(last_year: Decimal, kind: str) -> Decimal:
    if last_year <= 0:
        return Decimal(DEFAULTS[kind]).quantize(Decimal("0.01"))
    return ((last_year * GROWTH / ROUND_TO).to_integral_value(ROUND_CEILING) * ROUND_TO).quantize(
        Decimal("0.01")
    )


def demo_targets(*, users: dict[str, User]) -> int:
    actor = users["admin"]
    year = timezone.localdate().year
    subjects = [Subject(SubjectKind.COMPANY)]
    subjects += [Subject(SubjectKind.DEPARTMENT, department=d) for d in Department.objects.order_by("path")]
    subjects += [
        Subject(SubjectKind.REP, user=u)
        for u in sorted(users.values(), key=lambda u: u.username)
        if u.role_id and u.role.name == "Sales rep"
    ]
    month = timezone.localdate().month
    count = 0
    for metric in (Metric.SIGNED_AMOUNT, Metric.RECEIVED):
        for subject in subjects:
            last = subject_monthly_actuals(year=year - 1, metric=metric, subject=subject)
            this = subject_monthly_actuals(year=year, metric=metric, subject=subject)
            trailing = sum(last[month:], Decimal(0)) + sum(this[:month], Decimal(0))
            weights = [a + b for a, b in zip(last, this, strict=True)]
            seasonal = sum(weights, Decimal(0)) > 0
            target_set(
                actor=actor,
                year=year,
                metric=metric,
                subject=subject,
                amount=_annual(trailing, subject.kind),
                split_method=SplitMethod.SEASONAL if seasonal else SplitMethod.EVEN,
                weights=weights if seasonal else None,
            )
            count += 1
    return count
