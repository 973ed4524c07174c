"""Writes: setting, changing and deleting targets. Only holders of `targets.add_target` /
`targets.change_target` / `targets.delete_target` may, for subjects inside their data scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kehu.core.activity import activity_record
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.core.permissions import ensure_perm
from kehu.core.scopes import DataScope
from kehu.customers.choices import CustomerSource
from kehu.org.models import Department, User
from kehu.sales.products.models import Product
from kehu.targets.choices import MONEY_METRICS, Metric, SplitMethod, SubjectKind
from kehu.targets.models import Target
from kehu.targets.splits import CENT, UNIT, split_by_weights, split_even, split_last_year


@dataclass(frozen=True)
class Subject:
    kind: str
    department: Department | None = None
    user: User | None = None
    product: Product | None = None
    region: str = ""
    channel: str = ""

    @property
    def key(self) -> str:
        kind = SubjectKind(self.kind)
        value: Any = {
            SubjectKind.COMPANY: None,
            SubjectKind.DEPARTMENT: self.department and self.department.pk,
            SubjectKind.REP: self.user and self.user.pk,
            SubjectKind.PRODUCT: self.product and self.product.pk,
            SubjectKind.REGION: self.region,
            SubjectKind.CHANNEL: self.channel,
        }[kind]
        return kind.value if kind == SubjectKind.COMPANY else f"{kind.value}:{value}"


def step_for(metric: str) -> Decimal:
    return CENT if metric in MONEY_METRICS else UNIT


def subject_check(*, actor: User, metric: str, subject: Subject) -> None:
    """The subject is complete, fits the metric, and lies in the actor's scope (a department of their
    subtree, a rep of it); company, product, region and channel targets need the all-records scope."""
    kind = SubjectKind(subject.kind)
    needed = {
        SubjectKind.DEPARTMENT: ("department", subject.department),
        SubjectKind.REP: ("user", subject.user),
        SubjectKind.PRODUCT: ("product", subject.product),
        SubjectKind.REGION: ("region", subject.region),
        SubjectKind.CHANNEL: ("channel", subject.channel),
    }.get(kind)
    if needed and not needed[1]:
        raise DomainError(_("Choose the target's subject."), field=needed[0])
    if kind == SubjectKind.PRODUCT and metric != Metric.SIGNED_AMOUNT:
        raise DomainError(_("A product target can only be for the signed contract amount."), field="metric")
    if kind == SubjectKind.CHANNEL and subject.channel not in CustomerSource.values:
        raise DomainError(_("Unknown channel."), field="channel")
    if actor.data_scope == DataScope.ALL:
        return
    team = set(actor.scope_department_ids()) if actor.data_scope != DataScope.OWN else set()
    if kind == SubjectKind.DEPARTMENT and subject.department and subject.department.pk in team:
        return
    if kind == SubjectKind.REP and subject.user and subject.user.department_id in team:
        return
    raise PermissionDeniedError(_("You may only set targets for your own departments and their reps."))


def months_check(*, amount: Decimal, months: Sequence[Decimal], metric: str) -> list[Decimal]:
    """Twelve non-negative months, whole numbers for counts, adding up exactly to the annual amount."""
    step = step_for(metric)
    if len(months) != 12:
        raise DomainError(_("Give twelve monthly amounts."), field="months")
    if any(m < 0 or m != m.quantize(step) for m in months):
        message = _("Monthly amounts must be positive amounts to the cent.")
        if step == UNIT:
            message = _("Monthly amounts must be positive whole numbers.")
        raise DomainError(message, field="months")
    total = sum(months, Decimal(0))
    if total != amount:
        raise DomainError(
            _("The months add up to %(total)s, not to the annual target %(amount)s.")
            % {"total": total.quantize(step), "amount": amount.quantize(step)},
            field="months",
        )
    return [m.quantize(step) for m in months]


def target_split(
    *,
    amount: Decimal,
    metric: str,
    method: str,
    weights: Sequence[Decimal] | None = None,
    last_year: Sequence[Decimal] | None = None,
) -> tuple[list[Decimal], bool]:
    """The twelve months of `amount`; the flag says a last-year split fell back to even."""
    step = step_for(metric)
    if amount < 0 or amount != amount.quantize(step):
        field_message = _("The annual target must be a whole number.") if step == UNIT else None
        raise DomainError(field_message or _("The annual target must be a positive amount."), field="amount")
    if method == SplitMethod.SEASONAL:
        if not weights or len(weights) != 12 or any(w < 0 for w in weights) or not sum(weights):
            raise DomainError(_("Give twelve seasonal weights, not all zero."), field="weights")
        return split_by_weights(amount, weights, step=step), False
    if method == SplitMethod.LAST_YEAR:
        return split_last_year(amount, last_year or [Decimal(0)] * 12, step=step)
    return split_even(amount, step=step), False


@transaction.atomic
def target_set(
    *,
    actor: User,
    year: int,
    metric: str,
    subject: Subject,
    amount: Decimal,
    split_method: str = SplitMethod.EVEN,
    weights: Sequence[Decimal] | None = None,
    months: Sequence[Decimal] | None = None,
) -> Target:
    """Create a target. Without `months`, the annual amount is split by `split_method`; with them, they must
    add up to it. A second target for the same year, metric and subject is refused (409)."""
    ensure_perm(actor, "targets.add_target")
    subject_check(actor=actor, metric=metric, subject=subject)
    months = _months(
        actor=actor,
        year=year,
        metric=metric,
        subject=subject,
        amount=amount,
        method=split_method,
        weights=weights,
        months=months,
    )
    target = Target(
        year=year,
        metric=metric,
        subject_kind=subject.kind,
        department=subject.department,
        user=subject.user,
        product=subject.product,
        region=subject.region,
        channel=subject.channel,
        subject_key=subject.key,
        amount=amount,
        split_method=split_method,
        months=[str(m) for m in months],
        created_by=actor,
    )
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise ConflictError(
            _("There is already a target for this subject, metric and year."), field="subject_kind"
        ) from None
    activity_record(actor=actor, subject=target, verb="target.set", data={"amount": str(amount)})
    return target


def _months(
    *,
    actor: User,
    year: int,
    metric: str,
    subject: Subject,
    amount: Decimal,
    method: str,
    weights: Sequence[Decimal] | None,
    months: Sequence[Decimal] | None,
) -> list[Decimal]:
    if months is not None:
        return months_check(amount=amount, months=months, metric=metric)
    last_year = None
    if method == SplitMethod.LAST_YEAR:
        from kehu.targets.selectors import subject_monthly_actuals

        last_year = subject_monthly_actuals(year=year - 1, metric=metric, subject=subject)
    split, _fell_back = target_split(
        amount=amount, metric=metric, method=method, weights=weights, last_year=last_year
    )
    return split


@transaction.atomic
def target_update(
    *,
    actor: User,
    target: Target,
    amount: Decimal | None = None,
    split_method: str | None = None,
    weights: Sequence[Decimal] | None = None,
    months: Sequence[Decimal] | None = None,
) -> Target:
    """Change the annual amount and/or the months. A new amount without months is split again."""
    ensure_perm(actor, "targets.change_target")
    subject = target_subject(target)
    subject_check(actor=actor, metric=target.metric, subject=subject)
    new_amount = target.amount if amount is None else amount
    method = split_method or target.split_method
    if months is None and amount is None and split_method is None:
        return target
    new_months = _months(
        actor=actor,
        year=target.year,
        metric=target.metric,
        subject=subject,
        amount=new_amount,
        method=method,
        weights=weights,
        months=months,
    )
    before = str(target.amount)
    target.amount, target.split_method, target.months = new_amount, method, [str(m) for m in new_months]
    target.save(update_fields=["amount", "split_method", "months", "updated_at"])
    activity_record(
        actor=actor, subject=target, verb="target.changed", data={"before": before, "after": str(new_amount)}
    )
    return target


@transaction.atomic
def target_delete(*, actor: User, target: Target) -> None:
    ensure_perm(actor, "targets.delete_target")
    subject_check(actor=actor, metric=target.metric, subject=target_subject(target))
    activity_record(actor=actor, subject=target, verb="target.deleted", data={"amount": str(target.amount)})
    target.delete()


def target_subject(target: Target) -> Subject:
    return Subject(
        kind=target.subject_kind,
        department=target.department,
        user=target.user,
        product=target.product,
        region=target.region,
        channel=target.channel,
    )
