"""Input and output shapes of the products API. Money goes out as decimal strings ("1280.00")."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict

from kehu.sales.products.models import PriceList, PriceListItem, Product, ProductCategory

Money = Annotated[
    Decimal, Field(ge=0, max_digits=14, decimal_places=2, description='Not negative, e.g. "1280.00".')
]
Rate = Annotated[
    Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2, description="Percent, e.g. 13.")
]


def _text(max_length: int) -> Any:
    return Annotated[str, Field(max_length=max_length)]


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class CategoryIn(_Input):
    name: _text(100)
    parent: int | None = Field(None, description="The parent category's id.")
    position: int = Field(0, ge=0, le=100_000)


class CategoryOut(Schema):
    id: int
    name: str
    parent: int | None
    position: int

    @staticmethod
    def resolve_parent(obj: ProductCategory) -> int | None:
        return obj.parent_id


class ProductIn(_Input):
    code: _text(40)
    name: _text(200)
    category: int | None = Field(None, description="The category's id.")
    unit: _text(16) = "个"
    list_price: Money
    cost: Money = Decimal("0")
    tax_rate: Rate = Decimal("13")
    active: bool = True
    description: _text(5000) = ""

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"category"})


class ProductPatch(_Input):
    code: _text(40) | None = None
    name: _text(200) | None = None
    category: int | None = None
    unit: _text(16) | None = None
    list_price: Money | None = None
    cost: Money | None = None
    tax_rate: Rate | None = None
    active: bool | None = None
    description: _text(5000) | None = None

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"category"})


class ProductOut(Schema):
    id: int
    code: str
    name: str
    category: int | None
    category_name: str
    unit: str
    list_price: str
    cost: str
    tax_rate: str
    active: bool
    description: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_category(obj: Product) -> int | None:
        return obj.category_id

    @staticmethod
    def resolve_category_name(obj: Product) -> str:
        return obj.category.name if obj.category_id else ""

    @staticmethod
    def resolve_list_price(obj: Product) -> str | None:
        return money(obj.list_price)

    @staticmethod
    def resolve_cost(obj: Product) -> str | None:
        return money(obj.cost)

    @staticmethod
    def resolve_tax_rate(obj: Product) -> str | None:
        return money(obj.tax_rate)


class ProductFilterSchema(Schema):
    q: str | None = Field(None, max_length=100, description="Part of the code or name.")
    category: int | None = Field(None, description="A category id; its sub-categories are included.")
    active: bool | None = None

    def filter_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class PriceQueryIn(Schema):
    price_list: int | None = Field(
        None, description="A price list id; the default list valid that day if empty."
    )
    on: date | None = Field(None, description="The day (default today).")


class PriceOut(Schema):
    product: int
    price: str
    currency: str
    on: date
    price_list: int | None = Field(description="The list the price came from; null for the list price.")


class PriceListItemIn(_Input):
    product: int
    price: Money


class PriceListItemOut(Schema):
    id: int
    product: int
    product_code: str
    product_name: str
    price: str

    @staticmethod
    def resolve_product(obj: PriceListItem) -> int:
        return obj.product_id

    @staticmethod
    def resolve_product_code(obj: PriceListItem) -> str:
        return obj.product.code

    @staticmethod
    def resolve_product_name(obj: PriceListItem) -> str:
        return obj.product.name

    @staticmethod
    def resolve_price(obj: PriceListItem) -> str | None:
        return money(obj.price)


class PriceListIn(_Input):
    name: _text(100)
    channel: _text(100) = ""
    region: _text(100) = ""
    currency: _text(3) = "CNY"
    valid_from: date
    valid_to: date | None = None
    active: bool = True
    is_default: bool = False
    items: list[PriceListItemIn] = Field([], max_length=5000)

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"items"})


class PriceListPatch(_Input):
    """Only the fields sent change; `items`, when sent, replaces all of the list's items."""

    name: _text(100) | None = None
    channel: _text(100) | None = None
    region: _text(100) | None = None
    currency: _text(3) | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    active: bool | None = None
    is_default: bool | None = None
    items: list[PriceListItemIn] | None = Field(None, max_length=5000)

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"items"})


class PriceListOut(Schema):
    id: int
    name: str
    channel: str
    region: str
    currency: str
    valid_from: date
    valid_to: date | None
    active: bool
    is_default: bool
    created_at: datetime
    updated_at: datetime


class PriceListDetailOut(PriceListOut):
    items: list[PriceListItemOut]

    @staticmethod
    def resolve_items(obj: PriceList) -> list[PriceListItem]:
        return list(obj.items.all())
