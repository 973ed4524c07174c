"""Input and output shapes of the orders API. Money and quantities travel as decimal strings ("1200.00"),
never as floats."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict

from kehu.core.api import DecimalText, Id
from kehu.sales.orders.choices import OrderStatus
from kehu.sales.orders.filters import SORTS
from kehu.sales.orders.models import Order


def _text(max_length: int) -> Any:
    return Annotated[str, Field(max_length=max_length)]


Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, description='e.g. "1200.00"')]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class OrderLineIn(_Input):
    product: Id | None = Field(None, description="A product id; without one, `name` describes the item.")
    name: _text(200) = Field("", description="Default: the product's name.")
    unit: _text(16) = Field("", description="Default: the product's unit.")
    quantity: Quantity = Decimal(1)
    unit_price: Money | None = Field(
        None,
        description="Without tax. Default for a product: its price in the order's currency (the default "
        "price list, else the list price); required for a free-text line.",
    )
    unit_cost: Money | None = Field(None, description="Default: the product's cost; 0 for a free-text line.")

    def service_row(self) -> dict[str, Any]:
        return {**self.model_dump(exclude={"product"}), "product_id": self.product}


_FIELDS = {"order_date", "currency", "notes", "source_reference"}


class OrderIn(_Input):
    customer: Id
    owner: Id | None = Field(None, description="Default: the customer's owner.")
    contract: Id | None = Field(
        None,
        description="A signed contract of the same customer that the order delivers; its number becomes "
        "the source reference unless one is given.",
    )
    order_date: date | None = Field(None, description="Default: today.")
    currency: _text(3) | None = None
    source_reference: _text(100) = Field("", description="For example the contract number.")
    notes: _text(5000) = ""
    lines: list[OrderLineIn] = Field(..., min_length=1, max_length=200)

    def service_data(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, include=_FIELDS)
        data = {k: v for k, v in data.items() if v is not None}
        if self.contract is not None:
            data["contract_id"] = self.contract
        return data


class OrderPatch(_Input):
    """Only the fields sent change; `lines` replaces every line. Draft and confirmed orders only."""

    contract: Id | None = Field(None, description="A signed contract of the customer; null unlinks it.")
    order_date: date | None = None
    currency: _text(3) | None = None
    source_reference: _text(100) | None = None
    notes: _text(5000) | None = None
    lines: list[OrderLineIn] | None = Field(None, min_length=1, max_length=200)

    def service_data(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, include=_FIELDS)
        data = {k: v for k, v in data.items() if v is not None}
        if "contract" in self.model_fields_set:
            data["contract_id"] = self.contract
        return data


class CancelIn(_Input):
    reason: _text(500) = Field(..., min_length=1)


class OrderFilterSchema(Schema):
    q: str | None = Field(None, max_length=100, description="Number or customer name contains.")
    status: str | None = Field(None, max_length=16, json_schema_extra={"enum": OrderStatus.values})
    customer: Id | None = None
    owner: Id | None = None
    date_from: date | None = Field(None, description="Ordered on or after.")
    date_to: date | None = Field(None, description="Ordered on or before.")
    sort: str | None = Field(None, max_length=16, json_schema_extra={"enum": list(SORTS)})

    def filter_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class OrderLineOut(Schema):
    id: int
    product: int | None = Field(None, alias="product_id")
    name: str
    unit: str
    quantity: DecimalText
    unit_price: DecimalText
    unit_cost: DecimalText
    amount: DecimalText = Field(description="quantity × unit price, rounded to the cent.")
    cost_amount: DecimalText = Field(description="quantity × unit cost, rounded to the cent.")


class OrderOut(Schema):
    id: int
    number: str
    status: str = Field(json_schema_extra={"enum": OrderStatus.values})
    customer: int = Field(alias="customer_id")
    customer_name: str
    owner: int | None = Field(None, alias="owner_id")
    department: int | None = Field(None, alias="department_id")
    contract: int | None = Field(None, alias="contract_id")
    order_date: date
    currency: str
    source_reference: str
    total: DecimalText = Field(description="Σ line amounts, without tax.")
    cost_total: DecimalText = Field(description="Σ line cost amounts.")
    gross_profit: DecimalText = Field(description="total − cost total.")
    cancel_reason: str
    created_by: int | None = Field(None, alias="created_by_id")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer_name(obj: Order) -> str:
        return obj.customer.name


class OrderDetailOut(OrderOut):
    notes: str
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(obj: Order) -> list[Any]:
        return list(obj.lines.all())
