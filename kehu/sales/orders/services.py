"""Writes for sales orders. Every rule about them lives here; pages and API call these.

Who may do what: whoever sees the customer (data scope) and holds orders.add_order writes an order for it;
the order is owned by the customer's owner (someone who may assign records to others may name another
owner). Whoever sees the order (its owner and department scope) changes it with orders.change_order and
deletes a draft with orders.delete_order.

Life cycle: draft → confirmed → shipped → completed, or cancelled (with a reason) before it completes.
Content changes in draft and confirmed only; a completed or cancelled order never changes again.

An order may deliver a signed contract of the same customer that the actor sees (`contract_id`); its number
then becomes the order's source reference unless another is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.activity import activity_record, activity_record_many
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.core.money import MAX_MONEY, cents, decimal_or_none
from kehu.core.params import id_param
from kehu.core.permissions import ensure_in_scope, ensure_perm
from kehu.core.scopes import DataScope
from kehu.core.sequences import sequence_next
from kehu.customers.models import Customer
from kehu.org.models import User
from kehu.org.selectors import user_assignable_list
from kehu.sales.contracts.choices import SIGNED
from kehu.sales.contracts.models import Contract
from kehu.sales.orders.choices import EDITABLE, PURCHASES, OrderStatus
from kehu.sales.orders.models import Order, OrderLine
from kehu.sales.orders.signals import purchases_changed
from kehu.sales.orders.totals import ZERO, LineInput, order_totals
from kehu.sales.products.models import PriceList, PriceListItem, Product

SEQUENCE = "order"
PREFIX = "SO-"
ORDER_FIELDS = frozenset({"order_date", "currency", "notes", "source_reference", "contract_id"})
MAX_LINES = 200
MAX_QUANTITY = Decimal("9999999999.99")


# Checks ----------------------------------------------------------------------------------------------------


def ensure_can_change(actor: User, order: Order, perm: str = "orders.change_order") -> None:
    ensure_perm(actor, perm)
    ensure_in_scope(actor, Order.objects.alive(), order.pk)


def ensure_can_add_for(actor: User, customer: Customer) -> None:
    """The actor may write orders for this customer: the permission, and the customer in their scope."""
    ensure_perm(actor, "orders.add_order")
    ensure_in_scope(actor, Customer.objects.alive(), customer.pk)


def _ensure_status(order: Order, allowed: Sequence[str], message: str) -> None:
    if order.status not in allowed:
        raise ConflictError(message % {"status": order.get_status_display().lower()})


# Input -----------------------------------------------------------------------------------------------------


def _decimal(value: Any, *, position: int) -> Decimal:
    number = decimal_or_none(value)
    if number is None:
        raise ValidationError({"lines": _("Line %(line)s: enter a number.") % {"line": position}})
    return number


def _clean_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - ORDER_FIELDS
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in sorted(unknown)})
    cleaned: dict[str, Any] = {}
    for field, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        if field == "currency":
            value = (value or settings.DEFAULT_CURRENCY).upper()
            if not (len(value) == 3 and value.isascii() and value.isalpha()):
                raise ValidationError({field: _("Use a three-letter ISO 4217 code such as CNY.")})
        elif field == "order_date":
            if not isinstance(value, date):
                raise ValidationError({field: _("Give the order date.")})
        elif field == "contract_id":
            pass  # checked against the customer and the actor's scope by _contract
        else:
            value = value or ""
        cleaned[field] = value
    return cleaned


def _contract(actor: User, customer_id: int, value: Any) -> Contract | None:
    """The signed contract of this customer, seen by the actor, that `value` names; None for none."""
    if value in (None, ""):
        return None
    pk = id_param(value)
    if pk is None:
        raise ValidationError({"contract_id": _("The contract id is not a valid id.")})
    contract = Contract.objects.alive().visible_to(actor).filter(pk=pk).first()
    if contract is None:
        raise ValidationError(
            {"contract_id": _("There is no contract with id %(id)s that you can see.") % {"id": pk}}
        )
    if contract.customer_id != customer_id:
        raise ValidationError(
            {"contract_id": _("Contract %(number)s is another customer's.") % {"number": contract.number}}
        )
    if contract.status not in SIGNED:
        raise ValidationError(
            {
                "contract_id": _("Contract %(number)s is %(status)s: only a signed contract has orders.")
                % {"number": contract.number, "status": contract.get_status_display().lower()}
            }
        )
    return contract


def _product_map(rows: Sequence[Mapping[str, Any]]) -> dict[int, Product]:
    """The lines' products, in one query; an unknown id is a clear error."""
    raw = [row.get("product_id") for row in rows if row.get("product_id") not in (None, "")]
    if any(id_param(value) is None for value in raw):
        raise ValidationError({"lines": _("A product id is not a valid id.")})
    ids = {id_param(value) for value in raw}
    products = {p.pk: p for p in Product.objects.filter(pk__in=ids)} if ids else {}
    missing = ids - set(products)
    if missing:
        raise ValidationError({"lines": _("There is no product with id %(id)s.") % {"id": min(missing)}})
    return products


def _prices(products: Mapping[int, Product], currency: str, day: date) -> dict[int, Decimal | None]:
    """Each product's price in `currency` on `day`: from the default price list valid then in that currency,
    else its list price when the order is in the default currency; None when nothing prices it."""
    items: dict[int, Decimal] = {}
    if products:
        price_list = (
            PriceList.objects.valid_on(day)
            .filter(is_default=True, currency=currency)
            .order_by("-valid_from", "-id")
            .first()
        )
        if price_list is not None:
            items = dict(
                PriceListItem.objects.filter(price_list=price_list, product_id__in=products).values_list(
                    "product_id", "price"
                )
            )
    in_list_prices = currency == settings.DEFAULT_CURRENCY
    return {pk: items.get(pk, p.list_price if in_list_prices else None) for pk, p in products.items()}


def _line_error(position: int, message: str, **values: Any) -> ValidationError:
    return ValidationError({"lines": message % {"line": position, **values}})


def _line(
    order: Order, row: Mapping[str, Any], position: int, product: Product | None, price: Any
) -> OrderLine:
    name = (row.get("name") or (product.name if product else "")).strip()
    if not name:
        raise _line_error(position, _("Line %(line)s: choose a product or describe the item."))
    quantity = cents(_decimal(row.get("quantity", 1), position=position))
    given_price, given_cost = row.get("unit_price"), row.get("unit_cost")
    if given_price in (None, ""):
        if product is None:
            raise _line_error(position, _("Line %(line)s: give the unit price of “%(name)s”."), name=name)
        if price is None:
            raise _line_error(
                position,
                _("Line %(line)s: %(product)s has no price in %(currency)s: give its unit price."),
                product=product,
                currency=order.currency,
            )
        given_price = price
    if given_cost in (None, ""):
        given_cost = product.cost if product is not None else ZERO
    unit_price = cents(_decimal(given_price, position=position))
    unit_cost = cents(_decimal(given_cost, position=position))
    if not (ZERO < quantity <= MAX_QUANTITY):
        raise _line_error(
            position, _("Line %(line)s: the quantity must be more than 0 and not absurdly large.")
        )
    if not (ZERO <= unit_price <= MAX_MONEY and ZERO <= unit_cost <= MAX_MONEY):
        raise _line_error(
            position, _("Line %(line)s: price and cost must be positive and not absurdly large.")
        )
    return OrderLine(
        order=order,
        product=product,
        name=name[:200],
        unit=(row.get("unit") or (product.unit if product else "")).strip()[:16],
        quantity=quantity,
        unit_price=unit_price,
        unit_cost=unit_cost,
        position=position,
    )


def _clean_lines(
    order: Order, rows: Sequence[Mapping[str, Any]], *, kept: Sequence[int] = ()
) -> list[OrderLine]:
    """Lines from rows {product_id?, name?, unit?, quantity, unit_price?, unit_cost?}: at least one.

    A product line takes the product's name and unit unless given, its price in the order's currency (the
    default price list, else the list price) and its cost unless given. A free-text line needs its unit
    price; its cost is 0 unless given. Products no longer sold are refused, except those in `kept`."""
    if not rows:
        raise ValidationError({"lines": _("Add at least one line.")})
    if len(rows) > MAX_LINES:
        raise ValidationError({"lines": _("At most %(n)d lines.") % {"n": MAX_LINES}})
    products = _product_map(rows)
    prices = _prices(products, order.currency, order.order_date)
    lines = []
    for position, row in enumerate(rows, start=1):
        product = products.get(id_param(row.get("product_id")) or 0)
        if product is not None and not product.active and product.pk not in kept:
            raise _line_error(position, _("Line %(line)s: %(product)s is no longer sold."), product=product)
        lines.append(_line(order, row, position, product, prices.get(product.pk) if product else None))
    return lines


def _apply_totals(order: Order, lines: Sequence[OrderLine]) -> None:
    totals = order_totals(LineInput(line.quantity, line.unit_price, line.unit_cost) for line in lines)
    for line, amount, cost in zip(lines, totals.amounts, totals.cost_amounts, strict=True):
        line.amount, line.cost_amount = amount, cost
    order.total, order.cost_total, order.gross_profit = totals.total, totals.cost_total, totals.gross_profit
    if max(order.total, order.cost_total) > MAX_MONEY:
        raise ValidationError({"lines": _("The total is too large.")})


def _save_lines(order: Order, lines: Sequence[OrderLine]) -> None:
    OrderLine.objects.filter(order=order).delete()
    OrderLine.objects.bulk_create(lines)


def _owner(actor: User, customer: Customer, owner: User | None) -> User:
    default = customer.owner or actor
    if owner is None or owner.pk == default.pk:
        return default
    # reps (own scope) write orders for their customers' owner; managers may name anyone in their team
    if actor.data_scope == DataScope.OWN or not user_assignable_list(user=actor).filter(pk=owner.pk).exists():
        raise PermissionDeniedError(_("You may not give orders to this user."))
    return owner


def _record(actor: User, order: Order, verb: str, **data: Any) -> None:
    data = {"number": order.number, **data}
    activity_record(actor=actor, subject=order, verb=verb, data=data, customer_id=order.customer_id)


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("customer").get(pk=order.pk)


# Create and change -----------------------------------------------------------------------------------------


@transaction.atomic
def order_create(
    *,
    actor: User,
    customer: Customer,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    owner: User | None = None,
) -> Order:
    """A new draft order of a customer the actor sees; dated today, in the default currency, unless given."""
    ensure_can_add_for(actor, customer)
    cleaned = _clean_fields(data)
    cleaned.setdefault("order_date", timezone.localdate())
    cleaned.setdefault("currency", settings.DEFAULT_CURRENCY)
    contract = _contract(actor, customer.pk, cleaned.pop("contract_id", None))
    if contract is not None and not cleaned.get("source_reference"):
        cleaned["source_reference"] = contract.number
    order_owner = _owner(actor, customer, owner)
    order = Order(
        customer=customer,
        contract=contract,
        owner=order_owner,
        department_id=order_owner.department_id,
        created_by=actor,
        **cleaned,
    )
    order_lines = _clean_lines(order, lines)
    _apply_totals(order, order_lines)
    order.number = sequence_next(SEQUENCE, prefix=PREFIX)
    order.save()
    _save_lines(order, order_lines)
    _record(actor, order, "order.created", total=f"{order.total:.2f}", currency=order.currency)
    return order


@transaction.atomic
def order_update(
    *,
    actor: User,
    order: Order,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] | None = None,
) -> Order:
    """Change a draft or confirmed order; `lines` replaces every line."""
    ensure_can_change(actor, order)
    order = _locked(order)
    _ensure_status(order, EDITABLE, _("An order that is %(status)s cannot be changed."))
    cleaned = _clean_fields(data)
    if "contract_id" in cleaned:
        if id_param(cleaned["contract_id"]) == order.contract_id:
            cleaned["contract_id"] = order.contract_id
        else:
            contract = _contract(actor, order.customer_id, cleaned["contract_id"])
            cleaned["contract_id"] = contract.pk if contract else None
            reference = cleaned.get("source_reference", order.source_reference)
            if contract is not None and reference in ("", getattr(order.contract, "number", None)):
                cleaned["source_reference"] = contract.number  # the reference named the contract it left
    changes = {f: [str(getattr(order, f)), str(v)] for f, v in cleaned.items() if getattr(order, f) != v}
    old_date = order.order_date
    for field, value in cleaned.items():
        setattr(order, field, value)
    old_total = order.total
    if lines is None:
        if "currency" in changes:
            raise ValidationError({"lines": _("Send the lines again when the currency changes.")})
        order_lines = list(order.lines.all())
    else:
        kept = list(order.lines.exclude(product=None).values_list("product_id", flat=True))
        order_lines = _clean_lines(order, lines, kept=kept)
    _apply_totals(order, order_lines)
    if order.total != old_total:
        changes["total"] = [f"{old_total:.2f}", f"{order.total:.2f}"]
    order.save()
    if lines is not None:
        _save_lines(order, order_lines)
    if changes or lines is not None:
        _record(actor, order, "order.updated", changes=changes)
        if order.status in PURCHASES:
            purchases_changed.send(Order, days=[old_date, order.order_date])
    return order


def _move(actor: User, order: Order, *, allowed: Sequence[str], status: str, verb: str, **data: Any) -> Order:
    ensure_can_change(actor, order)
    order = _locked(order)
    _ensure_status(order, allowed, _("An order that is %(status)s cannot be marked so."))
    if (order.status in PURCHASES) != (status in PURCHASES):
        purchases_changed.send(Order, days=[order.order_date])
    order.status = status
    if status == OrderStatus.CANCELLED:
        order.cancel_reason = data["reason"]
    order.save(update_fields=["status", "cancel_reason", "updated_at"])
    _record(actor, order, verb, **data)
    return order


@transaction.atomic
def order_confirm(*, actor: User, order: Order) -> Order:
    """The customer confirmed the draft: from now on it counts as a purchase."""
    return _move(
        actor,
        order,
        allowed=[OrderStatus.DRAFT],
        status=OrderStatus.CONFIRMED,
        verb="order.confirmed",
        total=f"{order.total:.2f}",
        currency=order.currency,
    )


@transaction.atomic
def order_ship(*, actor: User, order: Order) -> Order:
    return _move(
        actor, order, allowed=[OrderStatus.CONFIRMED], status=OrderStatus.SHIPPED, verb="order.shipped"
    )


@transaction.atomic
def order_complete(*, actor: User, order: Order) -> Order:
    """Delivered (shipped or not: a service needs no shipping) and done; it never changes again."""
    return _move(
        actor,
        order,
        allowed=[OrderStatus.CONFIRMED, OrderStatus.SHIPPED],
        status=OrderStatus.COMPLETED,
        verb="order.completed",
    )


@transaction.atomic
def order_cancel(*, actor: User, order: Order, reason: str) -> Order:
    """Cancel an order that is not completed; the reason is required and kept."""
    reason = (reason or "").strip()[:500]
    if not reason:
        raise DomainError(_("Give the reason the order is cancelled."), field="reason")
    return _move(
        actor,
        order,
        allowed=[OrderStatus.DRAFT, OrderStatus.CONFIRMED, OrderStatus.SHIPPED],
        status=OrderStatus.CANCELLED,
        verb="order.cancelled",
        reason=reason,
    )


@transaction.atomic
def order_delete(*, actor: User, order: Order) -> None:
    """Put a draft in the recycle bin; anything past draft stays, for the history (cancel it instead)."""
    ensure_can_change(actor, order, "orders.delete_order")
    order = _locked(order)
    _ensure_status(
        order, [OrderStatus.DRAFT], _("An order that is %(status)s cannot be deleted: cancel it instead.")
    )
    order.deleted_at = timezone.now()
    order.save(update_fields=["deleted_at", "updated_at"])
    _record(actor, order, "order.deleted")


# When customers change owner -------------------------------------------------------------------------------


def drafts_pass_to_owner(*, customer_ids: list[int], new_owner_id: int | None) -> int:
    """Give the customers' draft orders to their new owner (and the owner's department): one UPDATE, one
    INSERT of timeline entries; returns how many moved. Orders past draft stay with who sold them; a pooled
    customer keeps its drafts."""
    if new_owner_id is None or not customer_ids:
        return 0
    drafts = Order.objects.filter(customer_id__in=customer_ids, status=OrderStatus.DRAFT)
    moving = list(drafts.exclude(owner_id=new_owner_id).select_related("owner"))
    if not moving:
        return 0
    new_owner = User.objects.get(pk=new_owner_id)
    Order.objects.filter(pk__in=[o.pk for o in moving]).update(
        owner=new_owner, department_id=new_owner.department_id, updated_at=timezone.now()
    )
    activity_record_many(
        actor=None,
        verb="order.transferred",
        entries=((o, {"number": o.number, "from": str(o.owner or ""), "to": str(new_owner)}) for o in moving),
    )
    return len(moving)


def drafts_follow_new_owner(
    sender: Any, *, customer_ids: list[int], new_owner_id: int | None, **kwargs: Any
) -> None:
    """Receiver of `kehu.customers.signals.owner_changed`."""
    drafts_pass_to_owner(customer_ids=customer_ids, new_owner_id=new_owner_id)
