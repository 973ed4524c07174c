"""Products, categories and price lists API: thin endpoints over the selectors and services the pages use."""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from kehu.core.api import Pagination
from kehu.core.exceptions import DomainError
from kehu.sales.products import services
from kehu.sales.products.models import PriceList, Product, ProductCategory
from kehu.sales.products.schemas import (
    CategoryIn,
    CategoryOut,
    PriceListDetailOut,
    PriceListIn,
    PriceListItemIn,
    PriceListOut,
    PriceListPatch,
    PriceOut,
    PriceQueryIn,
    ProductFilterSchema,
    ProductIn,
    ProductOut,
    ProductPatch,
)
from kehu.sales.products.selectors import (
    category_list,
    price_list_get,
    price_list_list,
    price_quote,
    product_get,
    product_list,
)

router = Router(tags=["products"])


def _ref(request: HttpRequest, model: type, pk: int | None, field: str):
    """A record named in a body or query: an unknown id is a bad field, not a missing page."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise DomainError(_("There is no record with id %(id)s.") % {"id": pk}, field=field)
    return found


def _items(request: HttpRequest, items: Iterable[PriceListItemIn]) -> list[tuple[Product, object]]:
    items = list(items)
    products = Product.objects.in_bulk([i.product for i in items])
    for i in items:
        if i.product not in products:
            raise DomainError(_("There is no product with id %(id)s.") % {"id": i.product}, field="items")
    return [(products[i.product], i.price) for i in items]


# Products ------------------------------------------------------------------------------------------------


@router.get("/products", response=list[ProductOut])
@paginate(Pagination)
def list_products(request: HttpRequest, filters: Query[ProductFilterSchema]) -> QuerySet[Product]:
    return product_list(user=request.user, filters=filters.filter_data())


@router.post("/products", response={201: ProductOut})
def create_product(request: HttpRequest, payload: ProductIn) -> Product:
    data = payload.service_data() | {"category": _ref(request, ProductCategory, payload.category, "category")}
    return services.product_create(actor=request.user, data=data)


@router.get("/products/{int:product_id}", response=ProductOut)
def get_product(request: HttpRequest, product_id: int) -> Product:
    return product_get(user=request.user, pk=product_id)


@router.patch("/products/{int:product_id}", response=ProductOut)
def update_product(request: HttpRequest, product_id: int, payload: ProductPatch) -> Product:
    product = product_get(user=request.user, pk=product_id)
    data = payload.service_data()
    if "category" in payload.model_fields_set:
        data["category"] = _ref(request, ProductCategory, payload.category, "category")
    return services.product_update(actor=request.user, product=product, data=data)


@router.get("/products/{int:product_id}/price", response=PriceOut)
def get_product_price(request: HttpRequest, product_id: int, filters: Query[PriceQueryIn]) -> dict:
    """The unit price on a day: from the given (or the default) valid list, else the list price."""
    product = product_get(user=request.user, pk=product_id)
    price_list = None
    if filters.price_list is not None:
        try:
            price_list = price_list_get(user=request.user, pk=filters.price_list)
        except Http404:
            raise DomainError(
                _("There is no price list with id %(id)s.") % {"id": filters.price_list}
            ) from None
    price, source = price_quote(product, price_list=price_list, on=filters.on)
    return {
        "product": product.pk,
        "price": f"{price:.2f}",
        "currency": source.currency
        if source
        else (price_list.currency if price_list else settings.DEFAULT_CURRENCY),
        "on": filters.on or timezone.localdate(),
        "price_list": source.pk if source else None,
    }


# Categories ----------------------------------------------------------------------------------------------


@router.get("/product-categories", response=list[CategoryOut])
@paginate(Pagination)
def list_categories(request: HttpRequest) -> QuerySet[ProductCategory]:
    return category_list(user=request.user)


@router.post("/product-categories", response={201: CategoryOut})
def create_category(request: HttpRequest, payload: CategoryIn) -> ProductCategory:
    parent = _ref(request, ProductCategory, payload.parent, "parent")
    data = {"name": payload.name, "parent": parent, "position": payload.position}
    return services.category_create(actor=request.user, data=data)


# Price lists ---------------------------------------------------------------------------------------------


@router.get("/price-lists", response=list[PriceListOut])
@paginate(Pagination)
def list_price_lists(request: HttpRequest, active: bool | None = None) -> QuerySet[PriceList]:
    return price_list_list(user=request.user, active=active)


@router.post("/price-lists", response={201: PriceListDetailOut})
def create_price_list(request: HttpRequest, payload: PriceListIn) -> PriceList:
    price_list_list(user=request.user)  # a user who cannot read lists gets 403 before the body is checked
    price_list = services.price_list_create(
        actor=request.user, data=payload.service_data(), items=_items(request, payload.items)
    )
    return price_list_get(user=request.user, pk=price_list.pk)


@router.get("/price-lists/{int:price_list_id}", response=PriceListDetailOut)
def get_price_list(request: HttpRequest, price_list_id: int) -> PriceList:
    return price_list_get(user=request.user, pk=price_list_id)


@router.patch("/price-lists/{int:price_list_id}", response=PriceListDetailOut)
def update_price_list(request: HttpRequest, price_list_id: int, payload: PriceListPatch) -> PriceList:
    price_list = price_list_get(user=request.user, pk=price_list_id)
    items = None if payload.items is None else _items(request, payload.items)
    services.price_list_update(
        actor=request.user, price_list=price_list, data=payload.service_data(), items=items
    )
    return price_list_get(user=request.user, pk=price_list_id)
