"""Input and output shapes of the contracts API. Money and quantities travel as decimal strings."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict

from kehu.core.api import DecimalText, Id
from kehu.sales.contracts.choices import ContractStatus
from kehu.sales.contracts.filters import SORTS
from kehu.sales.contracts.models import Contract


def _text(max_length: int) -> Any:
    return Annotated[str, Field(max_length=max_length)]


Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, description='e.g. "120000.00"')]
Quantity = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
_FIELDS = {"title", "amount", "currency", "signed_on", "starts_on", "ends_on", "terms", "notes"}


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class ContractLineIn(_Input):
    product: Id | None = Field(None, description="A product id; without one, `name` describes the item.")
    name: _text(200) = Field("", description="Default: the product's name.")
    unit: _text(16) = ""
    quantity: Quantity = Decimal(1)
    unit_price: Money | None = Field(None, description="Default for a product: its price today.")

    def service_row(self) -> dict[str, Any]:
        return {**self.model_dump(exclude={"product"}), "product_id": self.product}


class ContractIn(_Input):
    customer: Id
    opportunity: Id | None = Field(
        None,
        description="A won opportunity of the customer. Without `lines` and `amount`, the contract takes the "
        "lines and total of its accepted quote (else the opportunity's lines and amount).",
    )
    title: _text(200) | None = Field(
        None, description="Default: the opportunity's title or the customer's name."
    )
    amount: Money | None = Field(None, description="Default: the lines' sum.")
    currency: _text(3) | None = None
    signed_on: date | None = Field(None, description="Default: the day it is approved.")
    starts_on: date | None = None
    ends_on: date | None = None
    terms: _text(20000) = ""
    notes: _text(5000) = ""
    signing_contact: Id | None = Field(None, description="The customer's signatory: one of its contacts.")
    signatory: Id | None = Field(None, description="Our signatory: a user id.")
    lines: list[ContractLineIn] | None = Field(None, max_length=200)

    def service_data(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, include=_FIELDS)
        return {k: v for k, v in data.items() if v is not None}


class ContractPatch(_Input):
    """Only the fields sent change; `lines` replaces every line. Draft and rejected contracts only."""

    title: _text(200) | None = None
    amount: Money | None = None
    currency: _text(3) | None = None
    signed_on: date | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    terms: _text(20000) | None = None
    notes: _text(5000) | None = None
    signing_contact: Id | None = None
    signatory: Id | None = None
    lines: list[ContractLineIn] | None = Field(None, max_length=200)

    def service_data(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, include=_FIELDS)
        keep_none = {"signed_on", "starts_on", "ends_on"}
        return {k: v for k, v in data.items() if v is not None or k in keep_none}


class AmendIn(_Input):
    reason: _text(500)
    title: _text(200) | None = None
    amount: Money | None = None
    ends_on: date | None = None
    terms: _text(20000) | None = None
    notes: _text(5000) | None = None
    lines: list[ContractLineIn] | None = Field(None, max_length=200)

    def service_data(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, include={"title", "amount", "ends_on", "terms", "notes"})
        return {k: v for k, v in data.items() if v is not None or k == "ends_on"}


class ReasonIn(_Input):
    reason: _text(500)


class CommentIn(_Input):
    comment: _text(2000) = ""


class ContractFilterSchema(Schema):
    q: str | None = Field(None, max_length=100, description="Number, title or customer name contains.")
    status: str | None = Field(None, max_length=16, json_schema_extra={"enum": ContractStatus.values})
    customer: Id | None = None
    opportunity: Id | None = None
    owner: Id | None = None
    signed_from: date | None = None
    signed_to: date | None = None
    sort: str | None = Field(None, max_length=16, json_schema_extra={"enum": list(SORTS)})

    def filter_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class ContractLineOut(Schema):
    id: int
    product: int | None = Field(None, alias="product_id")
    name: str
    unit: str
    quantity: DecimalText
    unit_price: DecimalText
    amount: DecimalText


class AmendmentOut(Schema):
    sequence: int
    reason: str
    changes: dict
    amount_before: DecimalText
    amount_after: DecimalText
    actor: int | None = Field(None, alias="actor_id")
    created_at: datetime


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    uploaded_at: datetime


class ContractOut(Schema):
    id: int
    number: str
    title: str
    status: str = Field(json_schema_extra={"enum": ContractStatus.values})
    customer: int = Field(alias="customer_id")
    customer_name: str
    opportunity: int | None = Field(None, alias="opportunity_id")
    quote: int | None = Field(None, alias="quote_id")
    owner: int | None = Field(None, alias="owner_id")
    currency: str
    amount: DecimalText
    signed_on: date | None
    starts_on: date | None
    ends_on: date | None
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None
    terminated_at: datetime | None
    termination_reason: str

    @staticmethod
    def resolve_customer_name(obj: Contract) -> str:
        return obj.customer.name


class ContractDetailOut(ContractOut):
    signing_contact: int | None = Field(None, alias="signing_contact_id")
    signatory: int | None = Field(None, alias="signatory_id")
    terms: str
    notes: str
    lines: list[ContractLineOut]
    amendments: list[AmendmentOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_lines(obj: Contract) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_amendments(obj: Contract) -> list[Any]:
        return list(obj.amendments.all())

    @staticmethod
    def resolve_attachments(obj: Contract) -> list[Any]:
        return list(obj.attachments.all())
