"""Writes for products, categories and price lists. Pages, API and the Excel import call these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.core.activity import activity_record
from kehu.core.exceptions import ConflictError, DomainError
from kehu.core.permissions import ensure_perm
from kehu.org.models import User
from kehu.sales.products.models import PriceList, PriceListItem, Product, ProductCategory

PRODUCT_FIELDS = (
    "code",
    "name",
    "category",
    "unit",
    "list_price",
    "cost",
    "tax_rate",
    "active",
    "description",
)
CATEGORY_FIELDS = ("name", "parent", "position")
PRICE_LIST_FIELDS = (
    "name",
    "channel",
    "region",
    "currency",
    "valid_from",
    "valid_to",
    "active",
    "is_default",
)
MONEY_FIELDS = {"list_price", "cost", "tax_rate", "price"}


def _normalized(field: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
    if field in MONEY_FIELDS:
        if value in ("", None):
            raise ValidationError({field: _("This field is required.")})
        if isinstance(value, float):
            value = str(value)  # never keep a float's binary error
        try:
            return Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            raise ValidationError({field: _("Enter a number.")}) from None
    if field == "currency" and isinstance(value, str):
        return value.upper()
    if field == "code" and isinstance(value, str):
        return value.upper()
    if field in ("valid_to", "parent", "category") and value in ("", None):
        return None
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, ProductCategory):
        return value.name
    return value if value is None or isinstance(value, (str, int, bool)) else str(value)


def _apply(instance: Any, data: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, list[Any]]:
    """Set the allowed fields from data; return {field: [old, new]} for those that changed."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    changes: dict[str, list[Any]] = {}
    for field, raw in data.items():
        try:
            value = _normalized(field, raw)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        old = getattr(instance, field)
        if old != value:
            changes[field] = [_jsonable(old), _jsonable(value)]
            setattr(instance, field, value)
    if errors:
        raise ValidationError(errors)
    return changes


def _clean(instance: Any, exclude: Iterable[str] = ()) -> None:
    instance.full_clean(exclude=list(exclude), validate_constraints=False)


# Products ------------------------------------------------------------------------------------------------


@transaction.atomic
def product_create(*, actor: User, data: Mapping[str, Any]) -> Product:
    ensure_perm(actor, "products.add_product")
    product = Product()
    _apply(product, data, PRODUCT_FIELDS)
    _clean(product)
    product.save()
    activity_record(
        actor=actor,
        subject=product,
        verb="product.created",
        data={"code": product.code, "name": product.name},
    )
    return product


@transaction.atomic
def product_update(*, actor: User, product: Product, data: Mapping[str, Any]) -> Product:
    ensure_perm(actor, "products.change_product")
    changes = _apply(product, data, PRODUCT_FIELDS)
    if not changes:
        return product
    _clean(product)
    product.save()
    activity_record(actor=actor, subject=product, verb="product.updated", data={"changes": changes})
    return product


@transaction.atomic
def product_deactivate(*, actor: User, product: Product) -> Product:
    """Take a product out of sale; it stays on price lists, quotes and orders that name it."""
    ensure_perm(actor, "products.change_product")
    if not product.active:
        raise ConflictError(_("This product is already inactive."))
    product.active = False
    product.save(update_fields=["active", "updated_at"])
    activity_record(actor=actor, subject=product, verb="product.deactivated", data={"code": product.code})
    return product


def _product_is_used(product: Product) -> bool:
    """Does any other record (a price list, a quote line, an order line…) point at the product?"""
    for relation in product._meta.related_objects:
        if relation.one_to_many or relation.one_to_one:
            model = relation.related_model
            if model._default_manager.filter(**{relation.field.name: product}).exists():
                return True
    return False


@transaction.atomic
def product_delete(*, actor: User, product: Product) -> None:
    """Delete a product nothing refers to; a product in use must be deactivated instead."""
    ensure_perm(actor, "products.delete_product")
    if _product_is_used(product):
        raise ConflictError(
            _("“%(name)s” is used by price lists or sales documents: deactivate it instead of deleting it.")
            % {"name": product.name}
        )
    activity_record(
        actor=actor,
        subject=product,
        verb="product.deleted",
        data={"code": product.code, "name": product.name},
    )
    product.delete()


# Categories ----------------------------------------------------------------------------------------------


def _ensure_not_under_itself(category: ProductCategory) -> None:
    node = category.parent
    while node is not None:
        if node.pk == category.pk:
            raise ValidationError({"parent": _("A category cannot be moved under itself or its children.")})
        node = node.parent


def _ensure_unique_category(category: ProductCategory) -> None:
    clash = ProductCategory.objects.filter(parent=category.parent, name=category.name).exclude(pk=category.pk)
    if clash.exists():
        raise ValidationError({"name": _("A category with this name already exists here.")})


@transaction.atomic
def category_create(*, actor: User, data: Mapping[str, Any]) -> ProductCategory:
    ensure_perm(actor, "products.add_productcategory")
    category = ProductCategory()
    _apply(category, data, CATEGORY_FIELDS)
    _clean(category)
    _ensure_unique_category(category)
    category.save()
    activity_record(
        actor=actor, subject=category, verb="product_category.created", data={"name": category.name}
    )
    return category


@transaction.atomic
def category_update(*, actor: User, category: ProductCategory, data: Mapping[str, Any]) -> ProductCategory:
    ensure_perm(actor, "products.change_productcategory")
    changes = _apply(category, data, CATEGORY_FIELDS)
    if not changes:
        return category
    _clean(category)
    _ensure_not_under_itself(category)
    _ensure_unique_category(category)
    category.save()
    activity_record(actor=actor, subject=category, verb="product_category.updated", data={"changes": changes})
    return category


@transaction.atomic
def category_delete(*, actor: User, category: ProductCategory) -> None:
    ensure_perm(actor, "products.delete_productcategory")
    if category.children.exists() or category.products.exists():
        raise ConflictError(
            _("Only an empty category can be deleted: move its products and sub-categories first.")
        )
    activity_record(
        actor=actor, subject=category, verb="product_category.deleted", data={"name": category.name}
    )
    category.delete()


# Price lists ---------------------------------------------------------------------------------------------


def _ensure_one_default(price_list: PriceList) -> None:
    """Two default lists may not be valid on the same day, or the default price would be ambiguous."""
    if not (price_list.is_default and price_list.active):
        return
    others = PriceList.objects.filter(is_default=True, active=True).exclude(pk=price_list.pk)
    if price_list.valid_to is not None:
        others = others.filter(valid_from__lte=price_list.valid_to)
    clash = others.exclude(valid_to__lt=price_list.valid_from).first()
    if clash:
        raise DomainError(
            _(
                "The default price list “%(name)s” is already valid in this period: "
                "only one default price list may apply on any day."
            )
            % {"name": clash.name},
            field="is_default",
        )


def _clean_price_list(price_list: PriceList) -> None:
    _clean(price_list)
    if price_list.valid_to is not None and price_list.valid_to < price_list.valid_from:
        raise ValidationError({"valid_to": _("The end date cannot be before the start date.")})
    _ensure_one_default(price_list)


def _items_from(entries: Iterable[tuple[Product, Any]]) -> dict[int, tuple[Product, Decimal]]:
    items: dict[int, tuple[Product, Decimal]] = {}
    for product, raw in entries:
        price = _normalized("price", raw)
        if price < 0 or price.as_tuple().exponent < -2 or abs(price) >= Decimal("1e12"):
            raise ValidationError(
                {
                    "items": _("“%(code)s”: enter a price of at least 0 with at most two decimals.")
                    % {"code": product.code}
                }
            )
        if product.pk in items:
            raise ValidationError({"items": _("“%(code)s” appears twice.") % {"code": product.code}})
        items[product.pk] = (product, price)
    return items


def _replace_items(price_list: PriceList, entries: Iterable[tuple[Product, Any]]) -> None:
    items = _items_from(entries)
    price_list.items.exclude(product_id__in=items).delete()
    existing = {i.product_id: i for i in price_list.items.all()}
    for pk, (product, price) in items.items():
        item = existing.get(pk)
        if item is None:
            PriceListItem.objects.create(price_list=price_list, product=product, price=price)
        elif item.price != price:
            item.price = price
            item.save(update_fields=["price"])


@transaction.atomic
def price_list_create(
    *, actor: User, data: Mapping[str, Any], items: Iterable[tuple[Product, Any]] = ()
) -> PriceList:
    """A price list and its items, given as (product, price) pairs."""
    ensure_perm(actor, "products.add_pricelist")
    price_list = PriceList()
    _apply(price_list, data, PRICE_LIST_FIELDS)
    _clean_price_list(price_list)
    price_list.save()
    _replace_items(price_list, items)
    activity_record(
        actor=actor, subject=price_list, verb="price_list.created", data={"name": price_list.name}
    )
    return price_list


@transaction.atomic
def price_list_update(
    *,
    actor: User,
    price_list: PriceList,
    data: Mapping[str, Any],
    items: Iterable[tuple[Product, Any]] | None = None,
) -> PriceList:
    """Change the list; with `items`, its items become exactly those (product, price) pairs."""
    ensure_perm(actor, "products.change_pricelist")
    changes = _apply(price_list, data, PRICE_LIST_FIELDS)
    if changes:
        _clean_price_list(price_list)
        price_list.save()
    if items is not None:
        _replace_items(price_list, items)
        changes["items"] = ["", str(price_list.items.count())]
    if changes:
        activity_record(actor=actor, subject=price_list, verb="price_list.updated", data={"changes": changes})
    return price_list


@transaction.atomic
def price_list_item_set(*, actor: User, price_list: PriceList, product: Product, price: Any) -> PriceListItem:
    """Add a product to the list or change its price there."""
    ensure_perm(actor, "products.change_pricelist")
    ((_product, value),) = _items_from([(product, price)]).values()
    item, created = PriceListItem.objects.update_or_create(
        price_list=price_list, product=product, defaults={"price": value}
    )
    activity_record(
        actor=actor,
        subject=price_list,
        verb="price_list.item_set",
        data={"code": product.code, "price": str(value), "created": created},
    )
    return item


@transaction.atomic
def price_list_item_remove(*, actor: User, item: PriceListItem) -> None:
    ensure_perm(actor, "products.change_pricelist")
    activity_record(
        actor=actor, subject=item.price_list, verb="price_list.item_removed", data={"code": item.product.code}
    )
    item.delete()
