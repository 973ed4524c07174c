"""Input and output shapes of the customers API: one input and one output schema per operation.

Inputs are bounded (lengths, list sizes) so oversized input is refused before any work. Business rules
(phone numbers, credit codes, choices, blank names) are checked by the services, not repeated here.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.db import models
from ninja import Field, Schema
from pydantic import ConfigDict

from kehu.core.scopes import ViewFilter
from kehu.customers.choices import (
    CompanySize,
    CustomerKind,
    CustomerLevel,
    CustomerSource,
    CustomerStatus,
    Industry,
    IntentLevel,
)
from kehu.customers.filters import SORTS
from kehu.customers.models import Contact, Customer


def _text(max_length: int) -> Any:
    return Annotated[str, Field(max_length=max_length)]


def _choice(choices: type[models.TextChoices], *, blank: bool = True) -> Any:
    """A code from `choices` (documented as an enum; the service checks it)."""
    values = ["", *choices.values] if blank else list(choices.values)
    return Annotated[str, Field(max_length=32, json_schema_extra={"enum": values})]


Kind = _choice(CustomerKind, blank=False)
StatusCode = _choice(CustomerStatus, blank=False)
Intent = _choice(IntentLevel)
Level = _choice(CustomerLevel)
IndustryCode = _choice(Industry)
Size = _choice(CompanySize)
Source = _choice(CustomerSource)
Money = Annotated[Decimal, Field(description="Not negative; up to 12 digits before the point and 2 after.")]
TagName = _text(40)
Tags = Annotated[
    list[TagName], Field(max_length=100, description="Tag names; a customer carries at most 20.")
]
PhoneText = Annotated[str, Field(max_length=32, description="Chinese numbers may omit +86; stored as E.164.")]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class CustomerIn(_Input):
    kind: Kind = CustomerKind.COMPANY.value
    name: _text(200)
    status: StatusCode = CustomerStatus.POTENTIAL.value
    intent_level: Intent = ""
    level: Level = ""
    focus_points: _text(2000) = ""
    purchase_motivation: _text(2000) = ""
    estimated_value: Money | None = None
    currency: _text(3) = "CNY"
    industry: IndustryCode = ""
    size: Size = ""
    source: Source = ""
    province: _text(32) = ""
    city: _text(32) = ""
    district: _text(32) = ""
    address: _text(255) = ""
    phone: PhoneText = ""
    email: _text(254) = ""
    website: _text(200) = ""
    credit_code: Annotated[
        str, Field(max_length=32, description="Unified social credit code (18 characters).")
    ] = ""
    birthday: date | None = None
    remark: _text(5000) = ""
    tags: Tags = []
    owner: int | None = Field(
        None, description="User id; yourself if empty. Another owner needs transfer rights."
    )

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"owner", "tags"})


class CustomerPatch(_Input):
    """Only the fields sent change. The owner changes through /customers/transfer."""

    kind: Kind | None = None
    name: _text(200) | None = None
    status: StatusCode | None = None
    intent_level: Intent | None = None
    level: Level | None = None
    focus_points: _text(2000) | None = None
    purchase_motivation: _text(2000) | None = None
    estimated_value: Money | None = None
    currency: _text(3) | None = None
    industry: IndustryCode | None = None
    size: Size | None = None
    source: Source | None = None
    province: _text(32) | None = None
    city: _text(32) | None = None
    district: _text(32) | None = None
    address: _text(255) | None = None
    phone: PhoneText | None = None
    email: _text(254) | None = None
    website: _text(200) | None = None
    credit_code: _text(32) | None = None
    birthday: date | None = None
    remark: _text(5000) | None = None
    tags: Tags | None = None

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"tags"})


class CustomerOut(Schema):
    id: int
    kind: str
    name: str
    status: str
    intent_level: str
    level: str
    focus_points: str
    purchase_motivation: str
    estimated_value: str | None = Field(description='A decimal string with two places, e.g. "120000.00".')
    currency: str
    industry: str
    size: str
    source: str
    province: str
    city: str
    district: str
    address: str
    phone: str
    email: str
    website: str
    credit_code: str
    birthday: date | None
    remark: str
    tags: list[str]
    owner: int | None
    owner_name: str
    department: int | None
    received_at: datetime | None = Field(description="When the current owner received the customer.")
    last_followup_at: datetime | None = Field(description="The latest follow-up's time.")
    next_followup_at: datetime | None = Field(description="The earliest open follow-up plan's due time.")
    pool: int | None = Field(None, description="The shared pool (id) the customer is in; null while owned.")
    pooled_at: datetime | None = Field(None, description="When it entered the pool.")
    is_locked: bool = Field(False, description="Locked customers may be exempt from reclaim.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_estimated_value(obj: Customer) -> str | None:
        return None if obj.estimated_value is None else f"{Decimal(obj.estimated_value):.2f}"

    @staticmethod
    def resolve_tags(obj: Customer) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    @staticmethod
    def resolve_owner(obj: Customer) -> int | None:
        return obj.owner_id

    @staticmethod
    def resolve_pool(obj: Customer) -> int | None:
        return obj.pool_id

    @staticmethod
    def resolve_owner_name(obj: Customer) -> str:
        return str(obj.owner) if obj.owner_id else ""

    @staticmethod
    def resolve_department(obj: Customer) -> int | None:
        return obj.department_id


class CustomerDeletedOut(CustomerOut):
    deleted_at: datetime


class CustomerFilterSchema(Schema):
    q: str | None = Field(
        None,
        max_length=100,
        description="Part of the name, phone, email, credit code or a contact's name or phone.",
    )
    kind: str | None = Field(None, max_length=32, json_schema_extra={"enum": CustomerKind.values})
    status: str | None = Field(None, max_length=32, json_schema_extra={"enum": CustomerStatus.values})
    level: str | None = Field(None, max_length=32, json_schema_extra={"enum": CustomerLevel.values})
    industry: str | None = Field(None, max_length=32, json_schema_extra={"enum": Industry.values})
    tag: str | None = Field(None, max_length=40, description="A tag name.")
    province: str | None = Field(None, max_length=32)
    owner: int | None = Field(None, description="Owner's user id.")
    department: int | None = Field(None, description="Department id.")
    sort: str | None = Field(None, max_length=16, json_schema_extra={"enum": list(SORTS)})
    view: ViewFilter = Field(ViewFilter.ALL, description="mine, my team's, or all I may see.")

    def filter_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude={"view"})


class CustomerTransferIn(_Input):
    customer_ids: list[int] = Field(..., max_length=1000)
    owner: int = Field(..., description="The new owner's user id.")
    reason: _text(500) = ""


class CustomerTransferOut(Schema):
    transferred: int = Field(
        description="How many customers changed owner (those already theirs are skipped)."
    )


class CustomerTagsIn(_Input):
    tags: Tags


class CustomerTagsOut(Schema):
    tags: list[str]


class ContactIn(_Input):
    customer: int = Field(..., description="The customer's id.")
    name: _text(100)
    title: _text(100) = ""
    mobile: PhoneText = ""
    phone: PhoneText = ""
    email: _text(254) = ""
    wechat: _text(64) = ""
    birthday: date | None = None
    is_primary: bool = False
    remark: _text(2000) = ""

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"customer"})


class ContactPatch(_Input):
    name: _text(100) | None = None
    title: _text(100) | None = None
    mobile: PhoneText | None = None
    phone: PhoneText | None = None
    email: _text(254) | None = None
    wechat: _text(64) | None = None
    birthday: date | None = None
    is_primary: bool | None = None
    remark: _text(2000) | None = None

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class ContactOut(Schema):
    id: int
    customer: int
    customer_name: str
    name: str
    title: str
    mobile: str
    phone: str
    email: str
    wechat: str
    birthday: date | None
    is_primary: bool
    remark: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer(obj: Contact) -> int:
        return obj.customer_id

    @staticmethod
    def resolve_customer_name(obj: Contact) -> str:
        return obj.customer.name


class ContactFilterSchema(Schema):
    customer: int | None = Field(None, description="Only this customer's contacts.")
    q: str | None = Field(None, max_length=100, description="Part of the contact's name.")
