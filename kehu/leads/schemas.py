"""Input and output shapes of the leads API. Business rules are the services'; these only bound the input."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict

from kehu.customers.choices import CustomerSource, Industry
from kehu.customers.schemas import PhoneText, _choice, _text
from kehu.leads.choices import AssignmentStrategy, Fallback, InvalidReason, LeadChannel, LeadStatus
from kehu.leads.models import AssignmentRule, Lead

Source = _choice(CustomerSource)
IndustryCode = _choice(Industry)
Extra = Annotated[
    dict[str, str | int | float | bool],
    Field(max_length=30, description="Custom fields: up to 30 short names with text or number values."),
]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class LeadIn(_Input):
    name: _text(100) = ""
    company_name: _text(200) = ""
    title: _text(100) = ""
    phone: PhoneText = ""
    email: _text(254) = ""
    wechat: _text(64) = ""
    credit_code: _text(32) = ""
    province: _text(32) = ""
    city: _text(32) = ""
    industry: IndustryCode = ""
    source: Source = ""
    campaign: _text(100) = ""
    remark: _text(5000) = ""
    extra: Extra = Field(default_factory=dict)

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class LeadBatchIn(_Input):
    items: Annotated[list[LeadIn], Field(min_length=1, max_length=500)]


class LeadPatch(_Input):
    name: _text(100) | None = None
    company_name: _text(200) | None = None
    title: _text(100) | None = None
    phone: PhoneText | None = None
    email: _text(254) | None = None
    wechat: _text(64) | None = None
    credit_code: _text(32) | None = None
    province: _text(32) | None = None
    city: _text(32) | None = None
    industry: IndustryCode | None = None
    source: Source | None = None
    campaign: _text(100) | None = None
    remark: _text(5000) | None = None
    extra: Extra | None = None

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class LeadOut(Schema):
    id: int
    name: str
    company_name: str
    title: str
    phone: str
    email: str
    wechat: str
    credit_code: str
    province: str
    city: str
    industry: str
    source: str
    campaign: str
    remark: str
    extra: dict[str, Any]
    channel: str = Field(json_schema_extra={"enum": LeadChannel.values})
    status: str = Field(json_schema_extra={"enum": LeadStatus.values})
    invalid_reason: str
    owner: int | None = Field(None, alias="owner_id", description="User id of the owner; null in the pool.")
    owner_name: str = ""
    department: int | None = Field(None, alias="department_id")
    duplicate_of: dict[str, Any] | None = Field(
        None, description='What this lead duplicates: {"type": "customer"|"lead", "id": N, "key": ...}.'
    )
    rule: int | None = Field(None, alias="rule_id")
    assigned_at: datetime | None
    sla_due_at: datetime | None
    contacted_at: datetime | None
    converted_at: datetime | None
    customer: int | None = Field(None, alias="customer_id", description="The customer it was converted to.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_owner_name(obj: Lead) -> str:
        return str(obj.owner) if obj.owner_id else ""

    @staticmethod
    def resolve_duplicate_of(obj: Lead) -> dict[str, Any] | None:
        if obj.duplicate_customer_id:
            return {"type": "customer", "id": obj.duplicate_customer_id, "key": obj.duplicate_key}
        if obj.duplicate_of_id:
            return {"type": "lead", "id": obj.duplicate_of_id, "key": obj.duplicate_key}
        return None


class LeadBatchOut(Schema):
    items: list[LeadOut]
    count: int


class LeadFilterSchema(Schema):
    view: str | None = Field(None, json_schema_extra={"enum": ["mine", "team", "all", "pool"]})
    q: str | None = Field(None, max_length=100)
    status: str | None = Field(None, json_schema_extra={"enum": [*LeadStatus.values, "open"]})
    source: str | None = Field(None, max_length=32)
    channel: str | None = Field(None, max_length=16)
    owner: int | None = None
    sla: str | None = Field(None, json_schema_extra={"enum": ["overdue", "due", "met"]})
    duplicate: bool | None = None
    sort: str | None = Field(None, json_schema_extra={"enum": ["-created", "created", "sla", "-updated"]})

    def filter_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump(exclude={"view"}).items() if v not in (None, "")}


class LeadAssignIn(_Input):
    lead_ids: Annotated[list[int], Field(min_length=1, max_length=1000)]
    owner: int
    reason: _text(500) = ""


class LeadAssignOut(Schema):
    assigned: int


class LeadStatusIn(_Input):
    status: str = Field(json_schema_extra={"enum": ["contacted", "qualified", "reopened"]})


class LeadInvalidateIn(_Input):
    reason: str = Field(json_schema_extra={"enum": InvalidReason.values})
    note: _text(500) = ""


class ConversionOpportunityIn(_Input):
    title: str = Field("", max_length=200, description="Default: the customer's name.")
    amount: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)
    expected_close_date: date | None = None
    description: str = Field("", max_length=5000)


class LeadConvertIn(_Input):
    customer: int | None = Field(
        None, description="Attach to this existing customer instead of creating one."
    )
    opportunity: ConversionOpportunityIn | None = Field(
        None,
        description="Also open an opportunity of the customer, owned by the lead's owner, with the lead's "
        "source and campaign.",
    )


class LeadConvertOut(Schema):
    lead: LeadOut
    customer_id: int
    customer_name: str
    opportunity_id: int | None = None


class AssignmentOut(Schema):
    id: int
    created_at: datetime
    reason: str
    strategy: str
    rule: int | None = Field(None, alias="rule_id")
    assignee: int | None = Field(None, alias="assignee_id")
    previous_owner: int | None = Field(None, alias="previous_owner_id")


class RuleMemberIO(_Input):
    user: int
    weight: Annotated[int, Field(ge=1, le=100)] = 1
    monthly_capacity: Annotated[int, Field(ge=1)] | None = None


class RuleIn(_Input):
    name: _text(100)
    position: Annotated[int, Field(ge=0, le=100000)] = 100
    is_active: bool = False
    match_sources: Annotated[list[Source], Field(max_length=20)] = Field(default_factory=list)
    match_provinces: Annotated[list[_text(32)], Field(max_length=50)] = Field(default_factory=list)
    match_industries: Annotated[list[IndustryCode], Field(max_length=20)] = Field(default_factory=list)
    match_campaigns: Annotated[list[_text(100)], Field(max_length=50)] = Field(default_factory=list)
    match_field: _text(50) = ""
    match_value: _text(200) = ""
    strategy: str = Field(
        AssignmentStrategy.ROUND_ROBIN.value, json_schema_extra={"enum": AssignmentStrategy.values}
    )
    members: Annotated[list[RuleMemberIO], Field(max_length=500)] = Field(default_factory=list)
    departments: Annotated[list[int], Field(max_length=100)] = Field(default_factory=list)
    daily_cap: Annotated[int, Field(ge=1)] | None = None
    open_cap: Annotated[int, Field(ge=1)] | None = None
    sla_hours: Annotated[int, Field(ge=1, le=2160)] | None = None
    fallback: str = Field(Fallback.POOL.value, json_schema_extra={"enum": Fallback.values})
    fallback_user: int | None = None


class RuleOut(Schema):
    id: int
    name: str
    position: int
    is_active: bool
    match_sources: list[str]
    match_provinces: list[str]
    match_industries: list[str]
    match_campaigns: list[str]
    match_field: str
    match_value: str
    strategy: str
    members: list[RuleMemberIO]
    departments: list[int]
    daily_cap: int | None
    open_cap: int | None
    sla_hours: int | None
    fallback: str
    fallback_user: int | None = Field(None, alias="fallback_user_id")

    @staticmethod
    def resolve_members(obj: AssignmentRule) -> list[dict[str, Any]]:
        return [
            {"user": m.user_id, "weight": m.weight, "monthly_capacity": m.monthly_capacity}
            for m in obj.members.all()
        ]

    @staticmethod
    def resolve_departments(obj: AssignmentRule) -> list[int]:
        return [d.pk for d in obj.departments.all()]


class RulePreviewOut(Schema):
    leads: int
    matching: int
    to_people: list[tuple[str, int]]
    to_pool: int


class ConversionRow(Schema):
    total: int
    converted: int
    invalid: int
    rate: float
    source: str | None = None
    owner_id: int | None = None
    owner: str | None = None


class ConversionReportOut(Schema):
    by_source: list[ConversionRow]
    by_owner: list[ConversionRow]
