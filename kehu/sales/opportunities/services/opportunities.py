"""Writes for opportunities. Every rule about them lives here; pages and API call these.

Who may do what:
- create: `add_opportunity`, on a customer the actor may see;
- edit (fields, stage moves, win/lose, suspend/reactivate, terminate): `change_opportunity`, and either the
  opportunity lies in the actor's owner/department scope or the actor is a team member with `can_edit`;
- team, transfer, delete: only within the owner/department scope (members do not manage the team).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.activity import activity_record
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.core.money import CENT, MAX_MONEY
from kehu.core.permissions import ensure_in_scope, ensure_perm
from kehu.customers.models import Contact, Customer
from kehu.org.models import User
from kehu.org.selectors import user_assignable_list
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import (
    Opportunity,
    OpportunityLine,
    OpportunityMember,
    Pipeline,
    Stage,
    StageChange,
    weighted_amount,
)
from kehu.sales.opportunities.services.pipelines import pipeline_default
from kehu.sales.products.models import Product
from kehu.sales.products.selectors import price_for

OPPORTUNITY_FIELDS = frozenset(
    {
        "title",
        "amount",
        "currency",
        "probability",
        "expected_close_date",
        "source",
        "campaign",
        "sales_method",
        "competitors",
        "description",
    }
)
SECONDS_PER_DAY = Decimal(86400)
MOVED_FIELDS = ["stage", "stage_entered_at", "probability", "weighted_amount", "updated_at"]
MAX_LINES = 200
ZERO = Decimal(0)
MAX_QUANTITY = Decimal("9999999999.99")  # what the line's columns hold (12 and 14 digits, 2 decimals)
MAX_ID = 2**63 - 1


def _jsonable(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, bool)) else str(value)


# Checks ----------------------------------------------------------------------------------------------------


def ensure_manages(actor: User, opportunity: Opportunity) -> None:
    """The opportunity lies in the actor's owner/department scope (team membership does not count)."""
    if not Opportunity.objects.alive().in_scope_of(actor).filter(pk=opportunity.pk).exists():
        raise PermissionDeniedError(_("Only the owner and their managers may do this to the opportunity."))


def ensure_can_edit(actor: User, opportunity: Opportunity) -> None:
    ensure_perm(actor, "opportunities.change_opportunity")
    if Opportunity.objects.alive().in_scope_of(actor).filter(pk=opportunity.pk).exists():
        return
    if OpportunityMember.objects.filter(
        opportunity_id=opportunity.pk, user_id=actor.pk, can_edit=True
    ).exists():
        return
    raise PermissionDeniedError(_("You may see this opportunity but not edit it."))


def _lock(opportunity: Opportunity) -> Opportunity:
    """Re-read the row under a lock (PostgreSQL), so concurrent moves apply one after the other."""
    fresh = Opportunity.objects.select_for_update(of=("self",)).select_related("stage").get(pk=opportunity.pk)
    opportunity.status, opportunity.stage, opportunity.stage_entered_at = (
        fresh.status,
        fresh.stage,
        fresh.stage_entered_at,
    )
    return opportunity


def _ensure_open(opportunity: Opportunity) -> None:
    messages = {
        OpportunityStatus.TERMINATED: _("This opportunity was terminated: it is closed for good."),
        OpportunityStatus.WON: _("This opportunity is already won."),
        OpportunityStatus.LOST: _("This opportunity is already lost."),
        OpportunityStatus.SUSPENDED: _("This opportunity is suspended: reactivate it first."),
    }
    if opportunity.status in messages:
        raise ConflictError(messages[opportunity.status])


def _clean_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - OPPORTUNITY_FIELDS
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in sorted(unknown)})
    cleaned = {}
    for field, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        if field in ("amount", "probability") and value is not None:
            value = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
        if field == "currency" and value:
            value = value.upper()
        cleaned[field] = value
    if "title" in cleaned and not cleaned["title"]:
        raise ValidationError({"title": _("Give the opportunity a title.")})
    return cleaned


def _full_clean(opportunity: Opportunity) -> None:
    opportunity.full_clean(
        exclude=["owner", "department", "customer", "pipeline", "stage", "contacts"],
        validate_unique=False,
        validate_constraints=False,
    )


def _refresh_weighted(opportunity: Opportunity) -> None:
    opportunity.weighted_amount = weighted_amount(opportunity.amount, opportunity.probability)


def _days_since(start: Any, now: Any) -> Decimal:
    return (Decimal((now - start).total_seconds()) / SECONDS_PER_DAY).quantize(CENT, rounding=ROUND_HALF_UP)


# Opportunities ---------------------------------------------------------------------------------------------


def _stage_in(pipeline: Pipeline, stage: Stage | None) -> Stage:
    if stage is None:
        first = pipeline.stages.filter(is_won=False, is_lost=False).order_by("position", "id").first()
        if first is None:
            raise DomainError(_("This pipeline has no open stage."), field="stage")
        return first
    if stage.pipeline_id != pipeline.pk:
        raise DomainError(_("This stage belongs to another pipeline."), field="stage")
    if stage.is_outcome:
        raise DomainError(_("A new opportunity cannot start in a won or lost stage."), field="stage")
    return stage


def _contacts_of(customer: Customer, ids: Iterable[int]) -> list[Contact]:
    wanted = set(ids)
    contacts = list(Contact.objects.alive().filter(customer=customer, pk__in=wanted))
    if len(contacts) != len(wanted):
        raise DomainError(_("A contact does not belong to the customer."), field="contacts")
    return contacts


def _owner_for(actor: User, owner: User | None) -> User:
    if owner is None or owner.pk == actor.pk:
        return actor
    ensure_perm(actor, "opportunities.transfer_opportunity")
    ensure_can_receive(actor, owner)
    return owner


def ensure_can_receive(actor: User, owner: User) -> None:
    if not user_assignable_list(user=actor).filter(pk=owner.pk).exists():
        raise DomainError(
            _("%(user)s cannot receive opportunities from you (inactive, on leave or outside your team).")
            % {"user": owner},
            field="owner",
        )


@transaction.atomic
def opportunity_create(
    *,
    actor: User,
    customer: Customer,
    data: Mapping[str, Any],
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    owner: User | None = None,
    contact_ids: Iterable[int] = (),
    lines: Sequence[Mapping[str, Any]] | None = None,
) -> Opportunity:
    """A new open opportunity of a customer the actor may see; default pipeline, its first stage, owner
    the actor. The probability follows the stage unless `data` gives one."""
    ensure_perm(actor, "opportunities.add_opportunity")
    ensure_in_scope(actor, Customer.objects.alive(), customer.pk)
    pipeline = pipeline or pipeline_default()
    if not pipeline.active:
        raise DomainError(_("This pipeline is not active."), field="pipeline")
    stage = _stage_in(pipeline, stage)
    owner = _owner_for(actor, owner)
    cleaned = _clean_fields(data)
    opportunity = Opportunity(
        customer=customer, pipeline=pipeline, stage=stage, owner=owner, department_id=owner.department_id
    )
    for field, value in cleaned.items():
        setattr(opportunity, field, value)
    opportunity.probability_overridden = cleaned.get("probability") is not None
    if not opportunity.probability_overridden:
        opportunity.probability = stage.probability
    opportunity.stage_entered_at = timezone.now()
    _full_clean(opportunity)
    _refresh_weighted(opportunity)
    opportunity.save()
    opportunity.contacts.set(_contacts_of(customer, contact_ids))
    if lines:
        _replace_lines(opportunity, lines)
        _refresh_weighted(opportunity)
        opportunity.save(update_fields=["amount", "weighted_amount"])
    StageChange.objects.create(
        opportunity=opportunity,
        to_stage=stage,
        to_stage_name=stage.name,
        actor=actor,
        moved_at=opportunity.created_at,
    )
    activity_record(
        actor=actor,
        subject=opportunity,
        verb="opportunity.created",
        data={
            "title": opportunity.title,
            "stage": stage.name,
            "amount": f"{Decimal(opportunity.amount):.2f}",
        },
    )
    return opportunity


@transaction.atomic
def opportunity_update(
    *,
    actor: User,
    opportunity: Opportunity,
    data: Mapping[str, Any],
    contact_ids: Iterable[int] | None = None,
    lines: Sequence[Mapping[str, Any]] | None = None,
) -> Opportunity:
    """Change fields; `probability: None` follows the stage again. Lost and terminated ones are read-only."""
    ensure_can_edit(actor, opportunity)
    if opportunity.status in (OpportunityStatus.TERMINATED, OpportunityStatus.LOST):
        raise ConflictError(_("A closed opportunity cannot be changed."))
    cleaned = _clean_fields(data)
    if lines:
        cleaned.pop("amount", None)  # with lines, the amount is their sum
    changes: dict[str, list[Any]] = {}
    if "probability" in cleaned:
        overridden = cleaned["probability"] is not None
        opportunity.probability_overridden = overridden
        if not overridden:
            cleaned["probability"] = opportunity.stage.probability
    for field, value in cleaned.items():
        old = getattr(opportunity, field)
        if old != value:
            changes[field] = [_jsonable(old), _jsonable(value)]
            setattr(opportunity, field, value)
    if lines is not None:
        old_amount = opportunity.amount
        _replace_lines(opportunity, lines)
        if old_amount != opportunity.amount:
            changes["amount"] = [_jsonable(old_amount), _jsonable(opportunity.amount)]
    if contact_ids is not None:
        opportunity.contacts.set(_contacts_of(opportunity.customer, contact_ids))
    _full_clean(opportunity)
    _refresh_weighted(opportunity)
    opportunity.save()
    if changes:
        activity_record(
            actor=actor, subject=opportunity, verb="opportunity.updated", data={"changes": changes}
        )
    return opportunity


def _line_error(position: int, message: str, **params: Any) -> ValidationError:
    return ValidationError({"lines": message % {"line": position, **params}})


def _line_number(value: Any, position: int, *, most: Decimal) -> Decimal:
    """A line's quantity or price, to the cent, between 0 and `most`; a clear error for anything else."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise _line_error(position, _("Line %(line)s: enter a number."))
    if not ZERO <= number <= most:
        raise _line_error(
            position, _("Line %(line)s: quantity and price must be positive and not absurdly large.")
        )
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _line_products(opportunity: Opportunity, rows: Sequence[Mapping[str, Any]]) -> dict[int, Product]:
    """The products the rows name, read at once; a row naming no product, or one no longer sold that is not
    on the opportunity already, is refused."""
    wanted: dict[int, int] = {}  # product id → the first line naming it
    for position, row in enumerate(rows, start=1):
        raw = row.get("product_id")
        if raw in (None, ""):
            continue
        if isinstance(raw, bool) or not str(raw).strip().isdecimal() or int(raw) > MAX_ID:
            raise _line_error(position, _("Line %(line)s: there is no product with id %(id)s."), id=raw)
        wanted.setdefault(int(raw), position)
    products = Product.objects.in_bulk(list(wanted)) if wanted else {}
    for pk, position in wanted.items():
        if pk not in products:
            raise _line_error(position, _("Line %(line)s: there is no product with id %(id)s."), id=pk)
    stopped = {pk for pk, product in products.items() if not product.active}
    if stopped and opportunity.pk:
        stopped -= set(
            OpportunityLine.objects.filter(opportunity_id=opportunity.pk, product_id__in=stopped).values_list(
                "product_id", flat=True
            )
        )
    if stopped:
        pk = min(stopped, key=wanted.__getitem__)
        raise _line_error(
            wanted[pk], _("Line %(line)s: %(product)s is no longer sold."), product=products[pk]
        )
    return products


def _replace_lines(opportunity: Opportunity, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace the product lines; with lines, the amount is their sum (without, it stays as typed).

    A row is {product_id?, product_name?, quantity?, unit_price?}. A product line takes the product's name
    and its price today (`price_for`: the default price list, else the list price) unless given; a free-text
    line needs a name. Products no longer sold stay only on the opportunities that already have them."""
    if len(rows) > MAX_LINES:
        raise ValidationError({"lines": _("At most %(n)d lines.") % {"n": MAX_LINES}})
    products = _line_products(opportunity, rows)
    prices: dict[int, Decimal] = {}
    lines = []
    for position, row in enumerate(rows, start=1):
        raw = row.get("product_id")
        product = products[int(raw)] if raw not in (None, "") else None
        name = str(row.get("product_name") or "").strip() or (product.name if product else "")
        if not name:
            raise _line_error(position, _("Line %(line)s: choose a product or describe the item."))
        quantity = row.get("quantity")
        quantity = _line_number(1 if quantity in (None, "") else quantity, position, most=MAX_QUANTITY)
        price = row.get("unit_price")
        if price in (None, "") and product is not None:
            if product.pk not in prices:
                prices[product.pk] = price_for(product)
            price = prices[product.pk]
        price = _line_number(price or 0, position, most=MAX_MONEY)
        lines.append(
            OpportunityLine(
                opportunity=opportunity,
                product_id=product.pk if product else None,
                product_name=name[:200],
                quantity=quantity,
                unit_price=price,
                amount=(quantity * price).quantize(CENT, rounding=ROUND_HALF_UP),
                position=position,
            )
        )
    total = sum((line.amount for line in lines), ZERO)
    if total > MAX_MONEY:
        raise ValidationError({"lines": _("The lines add up to more than the largest amount allowed.")})
    OpportunityLine.objects.filter(opportunity=opportunity).delete()
    OpportunityLine.objects.bulk_create(lines)
    if lines:
        opportunity.amount = total


def _record_move(actor: User, opportunity: Opportunity, stage: Stage, now: Any) -> StageChange:
    change = StageChange.objects.create(
        opportunity=opportunity,
        from_stage=opportunity.stage,
        to_stage=stage,
        from_stage_name=opportunity.stage.name,
        to_stage_name=stage.name,
        moved_at=now,
        actor=actor,
        days_in_from_stage=_days_since(opportunity.stage_entered_at, now),
    )
    opportunity.stage, opportunity.stage_entered_at = stage, now
    if not opportunity.probability_overridden:
        opportunity.probability = stage.probability
    _refresh_weighted(opportunity)
    return change


def _ensure_stage_of(opportunity: Opportunity, stage: Stage) -> None:
    if stage.pipeline_id != opportunity.pipeline_id:
        raise DomainError(_("This stage belongs to another pipeline."), field="stage")


@transaction.atomic
def opportunity_move(*, actor: User, opportunity: Opportunity, stage: Stage) -> Opportunity:
    """Move an open opportunity to another stage, recording the days it spent in the one it leaves.

    Won and lost stages take a review: use opportunity_win / opportunity_lose. A won opportunity may only
    move on between won stages (合同签定 → 项目实施)."""
    ensure_can_edit(actor, opportunity)
    _lock(opportunity)
    _ensure_stage_of(opportunity, stage)
    if opportunity.status == OpportunityStatus.WON and stage.is_won:
        pass
    else:
        _ensure_open(opportunity)
        if stage.is_outcome:
            raise DomainError(
                _("Winning or losing needs a review: give the reason, the competitor and a summary."),
                field="stage",
            )
    if stage.pk == opportunity.stage_id:
        return opportunity
    previous = opportunity.stage.name
    change = _record_move(actor, opportunity, stage, timezone.now())
    opportunity.save(update_fields=MOVED_FIELDS)
    activity_record(
        actor=actor,
        subject=opportunity,
        verb="opportunity.stage_changed",
        data={
            "title": opportunity.title,
            "from": previous,
            "to": stage.name,
            "days": str(change.days_in_from_stage),
        },
    )
    return opportunity


def _outcome_stage(opportunity: Opportunity, stage: Stage | None, *, won: bool) -> Stage:
    if stage is not None:
        _ensure_stage_of(opportunity, stage)
        if (won and not stage.is_won) or (not won and not stage.is_lost):
            raise DomainError(
                _("Choose a won stage.") if won else _("Choose a lost stage."),
                field="stage",
            )
        return stage
    found = (
        Stage.objects.filter(pipeline_id=opportunity.pipeline_id, **{"is_won" if won else "is_lost": True})
        .order_by("position", "id")
        .first()
    )
    if found is None:
        raise DomainError(
            _("This pipeline has no won stage.") if won else _("This pipeline has no lost stage."),
            field="stage",
        )
    return found


def _clean_review(reason: str, competitor: str, summary: str, *, won: bool) -> dict[str, str]:
    errors = {}
    if not reason.strip():
        errors["reason"] = [_("Give the reason.")]
    if not won and not competitor.strip():
        errors["competitor"] = [_("Name the competitor who won the deal (or “none”).")]
    if not summary.strip():
        errors["summary"] = [_("Write a short review summary.")]
    if errors:
        raise ValidationError(errors)
    return {
        "close_reason": reason.strip()[:500],
        "winning_competitor": competitor.strip()[:200],
        "review_summary": summary.strip()[:5000],
    }


def _close(
    actor: User,
    opportunity: Opportunity,
    *,
    won: bool,
    reason: str,
    competitor: str,
    summary: str,
    stage: Stage | None,
) -> Opportunity:
    ensure_can_edit(actor, opportunity)
    _lock(opportunity)
    _ensure_open(opportunity)
    review = _clean_review(reason, competitor, summary, won=won)
    target = _outcome_stage(opportunity, stage, won=won)
    now = timezone.now()
    previous = opportunity.stage.name
    _record_move(actor, opportunity, target, now)
    for field, value in review.items():
        setattr(opportunity, field, value)
    opportunity.status = OpportunityStatus.WON if won else OpportunityStatus.LOST
    opportunity.closed_at = now
    opportunity.save()
    activity_record(
        actor=actor,
        subject=opportunity,
        verb="opportunity.won" if won else "opportunity.lost",
        data={
            "title": opportunity.title,
            "from": previous,
            "to": target.name,
            "amount": f"{Decimal(opportunity.amount):.2f}",
            "reason": review["close_reason"],
            "competitor": review["winning_competitor"],
        },
    )
    return opportunity


@transaction.atomic
def opportunity_win(
    *,
    actor: User,
    opportunity: Opportunity,
    reason: str,
    summary: str,
    competitor: str = "",
    stage: Stage | None = None,
) -> Opportunity:
    """Win with a review (reason and summary; the main competitor beaten, if any); moves to the (first)
    won stage."""
    return _close(
        actor, opportunity, won=True, reason=reason, competitor=competitor, summary=summary, stage=stage
    )


@transaction.atomic
def opportunity_lose(
    *,
    actor: User,
    opportunity: Opportunity,
    reason: str,
    competitor: str,
    summary: str,
    stage: Stage | None = None,
) -> Opportunity:
    """Lose with a review: reason, the competitor who won, a summary; moves to the lost stage."""
    return _close(
        actor, opportunity, won=False, reason=reason, competitor=competitor, summary=summary, stage=stage
    )


@transaction.atomic
def opportunity_suspend(*, actor: User, opportunity: Opportunity, reason: str = "") -> Opportunity:
    """中止: the opportunity leaves the active pipeline, keeping its stage, until reactivated."""
    ensure_can_edit(actor, opportunity)
    _lock(opportunity)
    _ensure_open(opportunity)
    opportunity.status = OpportunityStatus.SUSPENDED
    opportunity.save(update_fields=["status", "updated_at"])
    activity_record(
        actor=actor,
        subject=opportunity,
        verb="opportunity.suspended",
        data={"title": opportunity.title, "reason": reason.strip()[:500]},
    )
    return opportunity


@transaction.atomic
def opportunity_reactivate(*, actor: User, opportunity: Opportunity) -> Opportunity:
    """恢复: a suspended opportunity returns to the active pipeline, in the stage it left."""
    ensure_can_edit(actor, opportunity)
    _lock(opportunity)
    if opportunity.status != OpportunityStatus.SUSPENDED:
        raise ConflictError(_("Only a suspended opportunity can be reactivated."))
    opportunity.status = OpportunityStatus.OPEN
    opportunity.save(update_fields=["status", "updated_at"])
    activity_record(
        actor=actor,
        subject=opportunity,
        verb="opportunity.reactivated",
        data={"title": opportunity.title, "stage": opportunity.stage.name},
    )
    return opportunity


@transaction.atomic
def opportunity_terminate(*, actor: User, opportunity: Opportunity, reason: str = "") -> Opportunity:
    """终止: closed for good; it cannot move, be reactivated or changed afterwards."""
    ensure_can_edit(actor, opportunity)
    _lock(opportunity)
    if opportunity.status not in (OpportunityStatus.OPEN, OpportunityStatus.SUSPENDED):
        _ensure_open(opportunity)
    opportunity.status = OpportunityStatus.TERMINATED
    opportunity.closed_at = timezone.now()
    opportunity.close_reason = reason.strip()[:500]
    opportunity.save(update_fields=["status", "closed_at", "close_reason", "updated_at"])
    activity_record(
        actor=actor,
        subject=opportunity,
        verb="opportunity.terminated",
        data={"title": opportunity.title, "reason": opportunity.close_reason},
    )
    return opportunity


@transaction.atomic
def opportunity_delete(*, actor: User, opportunity: Opportunity) -> Opportunity:
    """To the recycle bin (soft delete)."""
    ensure_perm(actor, "opportunities.delete_opportunity")
    ensure_manages(actor, opportunity)
    opportunity.deleted_at = timezone.now()
    opportunity.save(update_fields=["deleted_at", "updated_at"])
    activity_record(
        actor=actor, subject=opportunity, verb="opportunity.deleted", data={"title": opportunity.title}
    )
    return opportunity
