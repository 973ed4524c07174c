"""Reads for products and price lists, and the price that applies to a product on a day.

Products are not owned records: who may read them is a permission (products.view_product), not a scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kehu.core.exceptions import FilterError
from kehu.org.models import User
from kehu.sales.products.filters import ProductFilter
from kehu.sales.products.models import PriceList, PriceListItem, Product, ProductCategory


def _ensure_can_view(user: User, perm: str) -> None:
    if not (user.is_authenticated and user.is_active and user.has_perm(perm)):
        raise PermissionDenied


def product_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Product]:
    """Products matching `q` (code or name), `category` (with its sub-categories) and `active`."""
    _ensure_can_view(user, "products.view_product")
    qs = Product.objects.select_related("category")
    product_filter = ProductFilter(filters or {}, queryset=qs)
    if not product_filter.is_valid():
        raise FilterError({k: [str(m) for m in v] for k, v in product_filter.errors.items()})
    return product_filter.qs


def product_get(*, user: User, pk: int) -> Product:
    _ensure_can_view(user, "products.view_product")
    return get_object_or_404(Product.objects.select_related("category"), pk=pk)


def category_list(*, user: User) -> QuerySet[ProductCategory]:
    _ensure_can_view(user, "products.view_productcategory")
    return ProductCategory.objects.select_related("parent")


def category_tree(*, user: User) -> list[tuple[ProductCategory, int]]:
    """(category, depth) in tree order, for drop-downs."""
    categories = list(category_list(user=user))
    children: dict[int | None, list[ProductCategory]] = {}
    for c in categories:
        children.setdefault(c.parent_id, []).append(c)
    rows: list[tuple[ProductCategory, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in children.get(parent, []):
            rows.append((c, depth))
            walk(c.pk, depth + 1)

    walk(None, 0)
    return rows


def price_list_list(*, user: User, active: bool | None = None) -> QuerySet[PriceList]:
    _ensure_can_view(user, "products.view_pricelist")
    qs = PriceList.objects.all()
    return qs if active is None else qs.filter(active=active)


def price_list_get(*, user: User, pk: int) -> PriceList:
    """A price list with its items (and their products) prefetched."""
    _ensure_can_view(user, "products.view_pricelist")
    items = PriceListItem.objects.select_related("product").order_by("product__code", "id")
    return get_object_or_404(PriceList.objects.prefetch_related(Prefetch("items", queryset=items)), pk=pk)


def price_quote(
    product: Product, *, price_list: PriceList | None = None, on: date | None = None
) -> tuple[Decimal, PriceList | None]:
    """(price, the list it came from or None for the list price) of `product` on day `on` (today).

    With `price_list`: its price if the list is valid that day and names the product. Without: the price on
    the default list valid that day. Otherwise the product's list price.
    """
    day = on or timezone.localdate()
    if price_list is None:
        price_list = PriceList.objects.valid_on(day).filter(is_default=True).order_by("-valid_from").first()
    if price_list is not None and price_list.is_valid_on(day):
        item = PriceListItem.objects.filter(price_list=price_list, product=product).only("price").first()
        if item is not None:
            return item.price, price_list
    return product.list_price, None


def price_for(product: Product, *, price_list: PriceList | None = None, on: date | None = None) -> Decimal:
    """The unit price that applies to `product` on day `on`: from a valid price list, else the list price."""
    return price_quote(product, price_list=price_list, on=on)[0]
