"""Input and output shapes of the purchase statistics API. Money travels as decimal strings."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator

from kehu.core.api import DecimalText, Id
from kehu.customers.choices import CustomerLevel
from kehu.sales.statistics.selectors import TOP

# A percentage as a decimal string ("12.50"), or null when it has no base (nothing sold, nothing due).
PercentText = Annotated[
    str | None, BeforeValidator(lambda value: None if value is None else f"{Decimal(value):.2f}")
]


class PurchaseStatisticsFilterSchema(Schema):
    date_from: date | None = Field(None, description="Order date from (default: 1 January of this year).")
    date_to: date | None = Field(None, description="Order date until (default: 31 December of that year).")
    owner: Id | None = Field(None, description="The rep (user id).")
    department: Id | None = Field(None, description="A department, with its sub-departments.")
    product: Id | None = Field(None, description="Orders with a line of this product.")
    level: CustomerLevel | None = Field(None, description="The customer's level.")
    top: int = Field(TOP, ge=1, le=100, description="How many products each ranking lists.")

    def filter_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude={"top"})


class FiguresOut(Schema):
    purchases: int
    amount: DecimalText
    cost: DecimalText
    gross_profit: DecimalText
    margin: PercentText = Field(description="Gross profit as a percentage of the amount.")


class TotalsOut(FiguresOut):
    average: DecimalText | None = Field(description="The average amount of a purchase; null when none.")


class MonthOut(FiguresOut):
    month: str = Field(alias="label", description='"2026-03"')


class GroupOut(FiguresOut):
    id: int | None = Field(alias="key")
    name: str = Field(alias="label")


class ProductOut(FiguresOut):
    product: int = Field(alias="product_id")
    code: str
    name: str
    unit: str
    quantity: DecimalText


class ReceiptsOut(Schema):
    plan: DecimalText = Field(description="Instalments due in the period on signed contracts.")
    received: DecimalText = Field(description="Receipts (not voided) received in the period.")
    unpaid: DecimalText = Field(description="The part of the instalments due in the period still unpaid.")
    rate: PercentText = Field(description="Received as a percentage of the plan.")


class PurchaseStatisticsOut(Schema):
    date_from: date
    date_to: date
    totals: TotalsOut
    months: list[MonthOut]
    by_rep: list[GroupOut]
    by_department: list[GroupOut]
    products_by_amount: list[ProductOut]
    products_by_profit: list[ProductOut]
    receipts: ReceiptsOut | None = Field(description="Null without the permission to see payment plans.")
