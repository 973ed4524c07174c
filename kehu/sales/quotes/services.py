"""Writes for quotes. Every rule about them lives here; pages and API call these.

Who may do what: whoever may edit the opportunity (its owner/department scope, or a team member who may
edit) creates, edits, submits, sends, accepts, declines and copies its quotes, with the quotes
permission for it (add_quote for create and copy, change_quote for the rest, delete_quote to delete).

Life cycle: draft → (submit) → waiting for approval → approved | rejected; a draft whose discount and
amount stay under every approval flow's conditions is approved at once. Rejected quotes are edited
(back to draft) and submitted again. Approved → sent → accepted | declined. Content changes only in
draft and rejected; after that, copy the quote into a new draft.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.approvals.models import ApprovalRequest
from kehu.approvals.services import approval_cancel, approval_ensure_unlocked, approval_submit
from kehu.core.activity import activity_record
from kehu.core.exceptions import ConflictError, DomainError
from kehu.core.keep import KEEP, Keep
from kehu.core.money import MAX_MONEY, cents, decimal_or_none
from kehu.core.params import id_param
from kehu.core.permissions import ensure_perm
from kehu.core.sequences import sequence_next
from kehu.customers.models import Contact
from kehu.org.models import User
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import Opportunity
from kehu.sales.opportunities.services.opportunities import ensure_can_edit
from kehu.sales.products.models import PriceList, PriceListItem, Product
from kehu.sales.quotes.choices import APPROVED_OR_SENT, EDITABLE, QuoteStatus
from kehu.sales.quotes.models import Quote, QuoteLine
from kehu.sales.quotes.totals import HUNDRED, ZERO, LineInput, quote_totals

DOCUMENT_TYPE = "quote"
QUOTE_FIELDS = frozenset({"title", "valid_until", "discount_percent", "terms", "notes", "currency"})
MAX_LINES = 200
MAX_QUANTITY = Decimal("9999999999.99")


# Checks ----------------------------------------------------------------------------------------------------


def ensure_can_change(actor: User, quote: Quote, perm: str = "quotes.change_quote") -> None:
    ensure_perm(actor, perm)
    ensure_can_edit(actor, quote.opportunity)


def _ensure_editable(quote: Quote) -> None:
    approval_ensure_unlocked(quote)
    if quote.status not in EDITABLE:
        raise ConflictError(
            _("A quote that is %(status)s cannot be changed: copy it into a new draft instead.")
            % {"status": quote.get_status_display().lower()}
        )


def _ensure_opportunity_open(opportunity: Opportunity) -> None:
    if opportunity.status in (OpportunityStatus.LOST, OpportunityStatus.TERMINATED):
        raise ConflictError(_("The opportunity is closed: it takes no new quotes."))
    if opportunity.deleted_at is not None:
        raise ConflictError(_("The opportunity is in the recycle bin."))


# Input -----------------------------------------------------------------------------------------------------


def _decimal(value: Any, *, field: str, position: int | None = None) -> Decimal:
    where = {"line": position}
    number = decimal_or_none(value)
    if number is None:
        message = _("Line %(line)s: enter a number.") % where if position else _("Enter a number.")
        raise ValidationError({field: message})
    return number


def _percent(value: Any, *, field: str, position: int | None = None) -> Decimal:
    number = cents(_decimal(value, field=field, position=position))
    if not ZERO <= number <= HUNDRED:
        message = _("A percentage is between 0 and 100.")
        if position:
            message = _("Line %(line)s: a percentage is between 0 and 100.") % {"line": position}
        raise ValidationError({field: message})
    return number


def _clean_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - QUOTE_FIELDS
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in sorted(unknown)})
    cleaned: dict[str, Any] = {}
    for field, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        if field == "discount_percent":
            value = _percent(value or 0, field=field)
        elif field == "currency":
            value = (value or settings.DEFAULT_CURRENCY).upper()
            if not (len(value) == 3 and value.isascii() and value.isalpha()):
                raise ValidationError({field: _("Use a three-letter ISO 4217 code such as CNY.")})
        elif field == "valid_until" and value is None:
            raise ValidationError({field: _("Give the date the quote is valid until.")})
        cleaned[field] = value
    if "title" in cleaned and not cleaned["title"]:
        raise ValidationError({"title": _("Give the quote a title.")})
    return cleaned


def _product_map(rows: Sequence[Mapping[str, Any]]) -> dict[int, Product]:
    raw = [row.get("product_id") for row in rows if row.get("product_id") not in (None, "")]
    if any(id_param(value) is None for value in raw):
        raise ValidationError({"lines": _("A product id is not a valid id.")})
    ids = {id_param(value) for value in raw}
    products = {p.pk: p for p in Product.objects.filter(pk__in=ids)}
    missing = ids - set(products)
    if missing:
        raise ValidationError({"lines": _("There is no product with id %(id)s.") % {"id": min(missing)}})
    return products


def _prices(quote: Quote, products: Mapping[int, Product], day: date) -> dict[int, Decimal | None]:
    """Each product's price in the quote's currency on `day`: from the quote's price list, else from the
    default list valid that day in that currency, else its list price when the quote is in the default
    currency (list prices are); None when nothing prices it in that currency. One query for the items."""
    price_list = quote.price_list or (
        PriceList.objects.valid_on(day)
        .filter(is_default=True, currency=quote.currency)
        .order_by("-valid_from", "-id")
        .first()
    )
    items: dict[int, Decimal] = {}
    if price_list is not None and price_list.is_valid_on(day) and products:
        items = dict(
            PriceListItem.objects.filter(price_list=price_list, product_id__in=products).values_list(
                "product_id", "price"
            )
        )
    in_list_prices = quote.currency == settings.DEFAULT_CURRENCY
    return {
        pk: items.get(pk, product.list_price if in_list_prices else None) for pk, product in products.items()
    }


def _line_error(position: int, message: str, **values: Any) -> ValidationError:
    return ValidationError({"lines": message % {"line": position, **values}})


def _clean_lines(
    quote: Quote, rows: Sequence[Mapping[str, Any]], *, kept: Iterable[int] = ()
) -> list[QuoteLine]:
    """Lines from rows {product_id?, name?, unit?, quantity, unit_price?, discount_percent?, tax_rate?}.

    A product line takes the product's name, unit and tax rate unless given, and its price in the quote's
    currency (see `_prices`) as list price and, unless given, unit price. A free-text line needs its unit
    price. Products no longer sold are refused, except those in `kept` (already on the quote).
    """
    if len(rows) > MAX_LINES:
        raise ValidationError({"lines": _("At most %(n)d lines.") % {"n": MAX_LINES}})
    products = _product_map(rows)
    prices = _prices(quote, products, timezone.localdate())
    kept = set(kept)
    lines = []
    for position, row in enumerate(rows, start=1):
        product = products.get(id_param(row.get("product_id")) or 0)
        if product is not None and not product.active and product.pk not in kept:
            raise _line_error(position, _("Line %(line)s: %(product)s is no longer sold."), product=product)
        name = (row.get("name") or (product.name if product else "")).strip()
        if not name:
            raise _line_error(position, _("Line %(line)s: choose a product or describe the item."))
        quantity = cents(_decimal(row.get("quantity", 1), field="lines", position=position))
        given = row.get("unit_price")
        given = None if given in (None, "") else _decimal(given, field="lines", position=position)
        tax_rate = row.get("tax_rate")
        if product is not None:
            list_price = prices[product.pk]
            if given is None and list_price is None:
                raise _line_error(
                    position,
                    _("Line %(line)s: %(product)s has no price in %(currency)s: give its unit price."),
                    product=product,
                    currency=quote.currency,
                )
            unit_price = list_price if given is None else given
            tax_rate = product.tax_rate if tax_rate in (None, "") else tax_rate
        else:
            if given is None:
                raise _line_error(position, _("Line %(line)s: give the unit price of “%(name)s”."), name=name)
            unit_price, list_price = given, None
            tax_rate = settings.KEHU_DEFAULT_TAX_RATE if tax_rate in (None, "") else tax_rate
        unit_price = cents(unit_price)
        if not (ZERO <= quantity <= MAX_QUANTITY and ZERO <= unit_price <= MAX_MONEY):
            raise _line_error(
                position, _("Line %(line)s: quantity and price must be positive and not absurdly large.")
            )
        lines.append(
            QuoteLine(
                quote=quote,
                product=product,
                name=name[:200],
                unit=(row.get("unit") or (product.unit if product else "")).strip()[:16],
                quantity=quantity,
                list_price=unit_price if list_price is None else cents(list_price),
                unit_price=unit_price,
                discount_percent=_percent(row.get("discount_percent") or 0, field="lines", position=position),
                tax_rate=_percent(tax_rate, field="lines", position=position),
                position=position,
            )
        )
    return lines


def _apply_totals(quote: Quote, lines: Sequence[QuoteLine]) -> None:
    totals = quote_totals(
        (
            LineInput(
                quantity=line.quantity,
                unit_price=line.unit_price,
                list_price=line.list_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
            )
            for line in lines
        ),
        quote.discount_percent,
    )
    for line, amount in zip(lines, totals.line_amounts, strict=True):
        line.amount = amount
    quote.list_amount, quote.subtotal = totals.list_amount, totals.subtotal
    quote.discount_amount, quote.net_amount = totals.discount_amount, totals.net
    quote.tax_amount, quote.total = totals.tax, totals.total
    quote.effective_discount = totals.discount_percent
    if max(quote.total, quote.list_amount, quote.subtotal) > MAX_MONEY:
        raise ValidationError({"lines": _("The total is too large.")})


def _save_lines(quote: Quote, lines: Sequence[QuoteLine]) -> None:
    QuoteLine.objects.filter(quote=quote).delete()
    QuoteLine.objects.bulk_create(lines)


def _full_clean(quote: Quote) -> None:
    quote.full_clean(
        exclude=["opportunity", "customer", "contact", "price_list", "created_by", "revision_of"],
        validate_unique=False,
        validate_constraints=False,
    )


def _contact_of(opportunity: Opportunity, contact: Contact | None) -> Contact | None:
    if contact is not None and (contact.customer_id != opportunity.customer_id or contact.deleted_at):
        raise DomainError(_("The contact does not belong to the opportunity's customer."), field="contact")
    return contact


def _price_list(price_list: PriceList | None, currency: str) -> PriceList | None:
    if price_list is None:
        return None
    if not price_list.active:
        raise DomainError(_("This price list is not active."), field="price_list")
    if price_list.currency != currency:
        raise DomainError(
            _("This price list is in %(list)s, the quote in %(quote)s.")
            % {"list": price_list.currency, "quote": currency},
            field="price_list",
        )
    return price_list


def _record(actor: User, quote: Quote, verb: str, **data: Any) -> None:
    data = {"number": quote.number, "title": quote.title, **data}
    activity_record(actor=actor, subject=quote, verb=verb, data=data, customer_id=quote.customer_id)


# Create and change -----------------------------------------------------------------------------------------


@transaction.atomic
def quote_create(
    *,
    actor: User,
    opportunity: Opportunity,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] = (),
    contact: Contact | None = None,
    price_list: PriceList | None = None,
    revision_of: Quote | None = None,
    kept: Iterable[int] = (),
) -> Quote:
    """A new draft quote of an opportunity the actor may edit; valid for KEHU_QUOTE_VALID_DAYS by default."""
    ensure_perm(actor, "quotes.add_quote")
    ensure_can_edit(actor, opportunity)
    _ensure_opportunity_open(opportunity)
    cleaned = _clean_fields(data)
    cleaned.setdefault("title", opportunity.title)
    cleaned.setdefault("valid_until", timezone.localdate() + timedelta(days=settings.KEHU_QUOTE_VALID_DAYS))
    cleaned.setdefault("currency", opportunity.currency)
    quote = Quote(
        opportunity=opportunity,
        customer_id=opportunity.customer_id,
        contact=_contact_of(opportunity, contact),
        price_list=_price_list(price_list, cleaned["currency"]),
        created_by=actor,
        revision_of=revision_of,
        **cleaned,
    )
    quote_lines = _clean_lines(quote, lines, kept=kept)
    _apply_totals(quote, quote_lines)
    _full_clean(quote)
    quote.number = sequence_next(DOCUMENT_TYPE, prefix="QT-")
    quote.save()
    _save_lines(quote, quote_lines)
    _record(actor, quote, "quote.created", total=f"{quote.total:.2f}", opportunity=opportunity.title)
    return quote


@transaction.atomic
def quote_update(
    *,
    actor: User,
    quote: Quote,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] | None = None,
    contact: Contact | Keep | None = KEEP,
    price_list: PriceList | Keep | None = KEEP,
) -> Quote:
    """Change a draft or rejected quote (a rejected one becomes a draft again). `lines` replaces every line;
    `contact` and `price_list` change when given (None clears them)."""
    ensure_can_change(actor, quote)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    _ensure_editable(quote)
    cleaned = _clean_fields(data)
    changes = {
        field: [str(getattr(quote, field)), str(value)]
        for field, value in cleaned.items()
        if getattr(quote, field) != value
    }
    for field, value in cleaned.items():
        setattr(quote, field, value)
    if not isinstance(contact, Keep):
        quote.contact = _contact_of(quote.opportunity, contact)
    old_pricing = (quote.currency, quote.price_list_id)
    if not isinstance(price_list, Keep):
        quote.price_list = price_list
    quote.price_list = _price_list(quote.price_list, quote.currency)
    if lines is None and (quote.currency, quote.price_list_id) != old_pricing:
        raise ValidationError(
            {
                "lines": _(
                    "Send the lines again when the currency or the price list changes, to price them in it."
                )
            }
        )
    old_total = quote.total
    if lines is None:
        quote_lines = list(quote.lines.all())
    else:
        on_quote = quote.lines.exclude(product=None).values_list("product_id", flat=True)
        quote_lines = _clean_lines(quote, lines, kept=on_quote)
    _apply_totals(quote, quote_lines)
    if quote.total != old_total:
        changes["total"] = [f"{old_total:.2f}", f"{quote.total:.2f}"]
    _full_clean(quote)
    quote.status = QuoteStatus.DRAFT
    quote.save()
    if lines is not None:
        _save_lines(quote, quote_lines)
    else:
        QuoteLine.objects.bulk_update(quote_lines, ["amount"])
    if changes or lines is not None:
        _record(actor, quote, "quote.updated", changes=changes)
    return quote


@transaction.atomic
def quote_copy(*, actor: User, quote: Quote) -> Quote:
    """A new draft with the same content (prices as they were): how a quote past its draft is revised."""
    lines = [
        {
            "product_id": line.product_id,
            "name": line.name,
            "unit": line.unit,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent,
            "tax_rate": line.tax_rate,
        }
        for line in quote.lines.all()
    ]
    data = {
        "title": quote.title,
        "discount_percent": quote.discount_percent,
        "terms": quote.terms,
        "notes": quote.notes,
        "currency": quote.currency,
    }
    contact = quote.contact if quote.contact and not quote.contact.deleted_at else None
    price_list = quote.price_list if quote.price_list and quote.price_list.active else None
    return quote_create(
        actor=actor,
        opportunity=quote.opportunity,
        data=data,
        lines=lines,
        contact=contact,
        price_list=price_list,
        revision_of=quote,
        kept=[line["product_id"] for line in lines if line["product_id"]],
    )


@transaction.atomic
def quote_delete(*, actor: User, quote: Quote) -> None:
    """Delete a draft that never went to approval; anything else stays, for its history."""
    ensure_can_change(actor, quote, "quotes.delete_quote")
    quote = Quote.objects.select_for_update().get(pk=quote.pk)  # waits for a submission in progress
    if quote.status != QuoteStatus.DRAFT or ApprovalRequest.objects.for_document(quote).exists():
        raise ConflictError(_("Only a draft that was never submitted can be deleted."))
    _record(actor, quote, "quote.deleted")
    quote.delete()


# Approval and after ----------------------------------------------------------------------------------------


@transaction.atomic
def quote_submit(*, actor: User, quote: Quote) -> Quote:
    """Submit a draft or rejected quote: approved at once when no flow's conditions hold, else pending."""
    ensure_can_change(actor, quote)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    _ensure_editable(quote)
    _ensure_opportunity_open(quote.opportunity)
    if not quote.lines.exists():
        raise DomainError(_("Add at least one line before submitting the quote."), field="lines")
    if quote.valid_until < timezone.localdate():
        raise DomainError(_("The quote's validity has passed: give a later date first."), field="valid_until")
    quote.submitted_at = timezone.now()
    quote.save(update_fields=["submitted_at", "updated_at"])
    approval_submit(actor=actor, document_type=DOCUMENT_TYPE, document=quote)
    quote.refresh_from_db()
    return quote


@transaction.atomic
def quote_withdraw(*, actor: User, quote: Quote) -> Quote:
    """The submitter takes a pending quote back; it is a draft again."""
    ensure_can_change(actor, quote)
    request = ApprovalRequest.objects.for_document(quote).pending().first()
    if request is None:
        raise ConflictError(_("This quote is not waiting for approval."))
    approval_cancel(actor=actor, request=request)
    quote.refresh_from_db()
    return quote


def _close(
    actor: User, quote: Quote, *, allowed: Sequence[str], status: str, verb: str, **data: Any
) -> Quote:
    ensure_can_change(actor, quote)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status not in allowed:
        raise ConflictError(
            _("A quote that is %(status)s cannot be marked so.")
            % {"status": quote.get_status_display().lower()}
        )
    quote.status = status
    now = timezone.now()
    if status == QuoteStatus.SENT:
        quote.sent_at = now
    else:
        quote.closed_at = now
    quote.decline_reason = data.get("reason", "")
    quote.save()
    _record(actor, quote, verb, **data)
    return quote


@transaction.atomic
def quote_mark_sent(*, actor: User, quote: Quote) -> Quote:
    """The approved quote went to the customer (before its validity ran out)."""
    ensure_can_change(actor, quote)
    if quote.valid_until < timezone.localdate():
        raise ConflictError(
            _("The quote expired on %(day)s: give a later date (copy it) first.") % {"day": quote.valid_until}
        )
    return _close(actor, quote, allowed=[QuoteStatus.APPROVED], status=QuoteStatus.SENT, verb="quote.sent")


@transaction.atomic
def quote_mark_accepted(*, actor: User, quote: Quote) -> Quote:
    """The customer accepted the quote (before its validity ran out)."""
    ensure_can_change(actor, quote)
    if quote.valid_until < timezone.localdate():
        raise ConflictError(
            _("The quote expired on %(day)s: copy it into a new one.") % {"day": quote.valid_until}
        )
    return _close(
        actor,
        quote,
        allowed=APPROVED_OR_SENT,
        status=QuoteStatus.ACCEPTED,
        verb="quote.accepted",
        total=f"{quote.total:.2f}",
    )


@transaction.atomic
def quote_mark_declined(*, actor: User, quote: Quote, reason: str = "") -> Quote:
    reason = (reason or "").strip()[:500]
    return _close(
        actor,
        quote,
        allowed=APPROVED_OR_SENT,
        status=QuoteStatus.DECLINED,
        verb="quote.declined",
        reason=reason,
    )
