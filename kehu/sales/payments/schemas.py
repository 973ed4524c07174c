"""Input and output shapes of the payment collection API. Money travels as decimal strings."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict

from kehu.core.api import DecimalText, Id
from kehu.sales.payments.choices import Excess, InvoiceKind, PaymentMethod, PaymentStatus

Money = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2, description='e.g. "50000.00"')]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class InstalmentIn(_Input):
    due_on: date
    amount: Money
    description: str = Field("", max_length=200)


class SplitIn(_Input):
    count: int = Field(ge=1, le=120)
    first_due: date
    months_apart: int = Field(1, ge=1, le=24)


class PlanIn(_Input):
    """Either the instalments, or `split` for equal ones; they must add up to the contract's amount."""

    instalments: list[InstalmentIn] | None = Field(None, max_length=120)
    split: SplitIn | None = None


class InstalmentOut(Schema):
    id: int
    position: int
    due_on: date
    amount: DecimalText
    description: str
    paid: DecimalText
    outstanding: DecimalText
    status: str = Field(alias="payment_status", json_schema_extra={"enum": PaymentStatus.values})


class PlanOut(Schema):
    contract: int
    number: str
    currency: str
    amount: DecimalText
    received: DecimalText = Field(description="Receipts applied to the contract (credit excluded).")
    credit: DecimalText = Field(description="Received beyond the contract's amount, kept as credit.")
    outstanding: DecimalText
    invoiced: DecimalText
    status: str = Field(json_schema_extra={"enum": PaymentStatus.values})
    instalments: list[InstalmentOut]


class ReceiptIn(_Input):
    contract: Id
    amount: Money
    received_on: date | None = Field(None, description="Default: today; never in the future.")
    method: str = Field(PaymentMethod.BANK_TRANSFER, json_schema_extra={"enum": PaymentMethod.values})
    reference: str = Field("", max_length=100)
    note: str = Field("", max_length=500)
    instalment: Id | None = Field(None, description="The instalment it pays first.")
    excess: str = Field(
        Excess.REFUSE,
        json_schema_extra={"enum": Excess.values},
        description="Beyond what the contract owes: `refuse` (409) or keep it as the customer's `credit`.",
    )


class VoidIn(_Input):
    reason: str = Field(max_length=500)


class ReceiptOut(Schema):
    id: int
    contract: int = Field(alias="contract_id")
    amount: DecimalText
    credit: DecimalText
    received_on: date
    method: str
    reference: str
    note: str
    instalment: int | None = Field(None, alias="instalment_id")
    created_at: datetime
    voided_at: datetime | None
    void_reason: str


class InvoiceIn(_Input):
    contract: Id
    number: str = Field(max_length=40)
    kind: str = Field(InvoiceKind.SPECIAL_VAT, json_schema_extra={"enum": InvoiceKind.values})
    issued_on: date | None = Field(None, description="Default: today.")
    amount: Money
    tax_amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] = Decimal(0)
    note: str = Field("", max_length=500)


class InvoiceOut(Schema):
    id: int
    contract: int = Field(alias="contract_id")
    number: str
    kind: str
    issued_on: date
    amount: DecimalText
    tax_amount: DecimalText
    note: str
    voided_at: datetime | None


class ContractFilter(Schema):
    contract: Id | None = None


class ReceivablesFilter(Schema):
    owner: Id | None = None
    department: Id | None = Field(None, description="This department and the ones below it.")
    q: str | None = Field(None, max_length=100, description="Customer name or contract number contains.")
    status: str | None = Field(None, json_schema_extra={"enum": ["overdue", "upcoming"]})
    due_after: date | None = None
    due_before: date | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)

    def filter_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude={"limit", "offset"})


class ReceivableOut(Schema):
    instalment: int = Field(alias="pk")
    contract: int = Field(alias="contract_id")
    contract_number: str
    customer: int
    customer_name: str
    owner: int | None
    position: int
    due_on: date
    amount: DecimalText
    paid: DecimalText
    outstanding: DecimalText
    status: str = Field(alias="payment_status")

    @staticmethod
    def resolve_contract_number(obj: Any) -> str:
        return obj.contract.number

    @staticmethod
    def resolve_customer(obj: Any) -> int:
        return obj.contract.customer_id

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return obj.contract.customer.name

    @staticmethod
    def resolve_owner(obj: Any) -> int | None:
        return obj.contract.owner_id


class AgingOut(Schema):
    bucket: str
    label: str
    count: int
    amount: DecimalText


class AgingGroupOut(Schema):
    id: int | None = Field(description="The rep's or the department's id.")
    name: str
    count: int = Field(description="Instalments still owed.")
    buckets: dict[str, DecimalText] = Field(description="Outstanding per aging bucket (keys as in `aging`).")
    total: DecimalText
    overdue: DecimalText


class ReceivablesOut(Schema):
    aging: list[AgingOut]
    by_owner: list[AgingGroupOut] = Field(description="The aging per rep (the contract's owner).")
    by_department: list[AgingGroupOut] = Field(description="The aging per department of the contracts.")
    count: int
    items: list[ReceivableOut]
