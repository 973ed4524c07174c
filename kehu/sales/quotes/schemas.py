"""Input and output shapes of the quotes API. Money, quantities and percentages travel as decimal strings
("120000.00"), never as floats."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict

from kehu.approvals.selectors import approval_history
from kehu.core.api import DecimalText, Id
from kehu.sales.quotes.choices import QuoteStatus
from kehu.sales.quotes.filters import SORTS
from kehu.sales.quotes.models import Quote


def _text(max_length: int) -> Any:
    return Annotated[str, Field(max_length=max_length)]


Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, description='e.g. "1200.00"')]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2, description="0–100.")]
Quantity = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class QuoteLineIn(_Input):
    product: Id | None = Field(None, description="A product id; without one, `name` describes the item.")
    name: _text(200) = Field("", description="Default: the product's name.")
    unit: _text(16) = Field("", description="Default: the product's unit.")
    quantity: Quantity = Decimal(1)
    unit_price: Money | None = Field(
        None,
        description="Without tax. Default for a product: its price in the quote's currency (price list, "
        "else the default price list, else the list price); required for a free-text line.",
    )
    discount_percent: Percent = Decimal(0)
    tax_rate: Percent | None = Field(
        None, description="Default: the product's rate, else KEHU_DEFAULT_TAX_RATE (13)."
    )

    def service_row(self) -> dict[str, Any]:
        row = self.model_dump(exclude={"product"})
        return {**row, "product_id": self.product}


_FIELDS = {"title", "valid_until", "discount_percent", "terms", "notes", "currency"}


class QuoteIn(_Input):
    opportunity: Id
    title: _text(200) | None = Field(None, description="Default: the opportunity's title.")
    contact: Id | None = Field(None, description="A contact of the opportunity's customer.")
    price_list: Id | None = None
    valid_until: date | None = Field(None, description="Default: today + KEHU_QUOTE_VALID_DAYS (30).")
    discount_percent: Percent = Field(
        Decimal(0), description="Discount on the whole quote, after line discounts."
    )
    currency: _text(3) | None = None
    terms: _text(5000) = ""
    notes: _text(5000) = Field("", description="Internal; not printed.")
    lines: list[QuoteLineIn] = Field([], max_length=200)

    def service_data(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, include=_FIELDS)
        return {k: v for k, v in data.items() if v is not None}


class QuotePatch(_Input):
    """Only the fields sent change; `lines` replaces every line. Draft and rejected quotes only."""

    title: _text(200) | None = None
    contact: Id | None = None
    price_list: Id | None = None
    valid_until: date | None = None
    discount_percent: Percent | None = None
    currency: _text(3) | None = None
    terms: _text(5000) | None = None
    notes: _text(5000) | None = None
    lines: list[QuoteLineIn] | None = Field(None, max_length=200)

    def service_data(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, include=_FIELDS)
        return {k: v for k, v in data.items() if v is not None}


class DeclineIn(_Input):
    reason: _text(500) = ""


class QuoteFilterSchema(Schema):
    q: str | None = Field(None, max_length=100, description="Number, title or customer name contains.")
    status: str | None = Field(None, max_length=16, json_schema_extra={"enum": QuoteStatus.values})
    opportunity: Id | None = None
    customer: Id | None = None
    expired: bool | None = Field(None, description="Past validity while draft, approved or sent.")
    sort: str | None = Field(None, max_length=16, json_schema_extra={"enum": list(SORTS)})

    def filter_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class QuoteLineOut(Schema):
    id: int
    product: int | None = Field(None, alias="product_id")
    name: str
    unit: str
    quantity: DecimalText
    list_price: DecimalText
    unit_price: DecimalText
    discount_percent: DecimalText
    tax_rate: DecimalText
    amount: DecimalText = Field(description="quantity × unit price × (1 − discount), rounded to the cent.")


class QuoteOut(Schema):
    id: int
    number: str
    title: str
    status: str = Field(json_schema_extra={"enum": QuoteStatus.values})
    expired: bool
    opportunity: int = Field(alias="opportunity_id")
    customer: int = Field(alias="customer_id")
    customer_name: str
    contact: int | None = Field(None, alias="contact_id")
    price_list: int | None = Field(None, alias="price_list_id")
    currency: str
    valid_until: date
    discount_percent: DecimalText = Field(description="The discount on the whole quote.")
    list_amount: DecimalText = Field(description="Σ quantity × list price.")
    subtotal: DecimalText = Field(description="Σ line amounts.")
    discount_amount: DecimalText
    net_amount: DecimalText = Field(description="subtotal − discount amount: before tax.")
    tax_amount: DecimalText
    total: DecimalText = Field(description="net amount + tax.")
    effective_discount: DecimalText = Field(
        description="(list amount − net amount) / list amount, in %: what approval conditions compare."
    )
    created_by: int | None = Field(None, alias="created_by_id")
    revision_of: int | None = Field(None, alias="revision_of_id")
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    sent_at: datetime | None
    closed_at: datetime | None
    decline_reason: str

    @staticmethod
    def resolve_expired(obj: Quote) -> bool:
        return obj.is_expired()

    @staticmethod
    def resolve_customer_name(obj: Quote) -> str:
        return obj.customer.name


class QuoteApprovalOut(Schema):
    id: int
    status: str
    flow: str
    submitted_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_flow(obj: Any) -> str:
        return obj.flow.name


class QuoteDetailOut(QuoteOut):
    terms: str
    notes: str
    lines: list[QuoteLineOut]
    approvals: list[QuoteApprovalOut] = Field(description="Its approval requests, newest first.")

    @staticmethod
    def resolve_lines(obj: Quote) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_approvals(obj: Quote) -> list[Any]:
        return list(approval_history(document=obj, newest_first=True))
