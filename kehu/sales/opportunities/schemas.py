"""Input and output shapes of the pipelines and opportunities API. Money and percentages travel as decimal
strings ("120000.00"), never as floats."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict

from kehu.core.api import Id
from kehu.core.scopes import ViewFilter
from kehu.customers.choices import CustomerSource
from kehu.sales.opportunities.choices import MemberRole, OpportunityStatus
from kehu.sales.opportunities.filters import SORTS
from kehu.sales.opportunities.models import Opportunity, OpportunityMember, Stage


def _text(max_length: int) -> Any:
    return Annotated[str, Field(max_length=max_length)]


Money = Annotated[
    Decimal, Field(ge=0, max_digits=14, decimal_places=2, description='Not negative, e.g. "120000.00".')
]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2, description="0–100.")]
Quantity = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Source = Annotated[str, Field(max_length=32, json_schema_extra={"enum": ["", *CustomerSource.values]})]


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


# Pipelines -------------------------------------------------------------------------------------------------


class StageIn(_Input):
    id: Id | None = Field(None, description="An existing stage's id (rename, move); none adds a stage.")
    name: _text(50)
    probability: Percent = Decimal(0)
    is_won: bool = False
    is_lost: bool = False
    usual_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class StageOut(Schema):
    id: int
    name: str
    position: int
    probability: str
    is_won: bool
    is_lost: bool
    usual_days: int | None

    @staticmethod
    def resolve_probability(obj: Stage) -> str:
        return money(obj.probability) or "0.00"


class PipelineIn(_Input):
    name: _text(100)
    is_default: bool = False
    stages: list[StageIn] = Field(..., min_length=1, max_length=50, description="In board order.")


class PipelinePatch(_Input):
    name: _text(100) | None = None
    active: bool | None = None
    is_default: bool | None = None
    stages: list[StageIn] | None = Field(
        None,
        max_length=50,
        description="Every stage in its new order: existing ones by id (renamed, moved), new ones without.",
    )

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"stages"})


class PipelineOut(Schema):
    id: int
    name: str
    is_default: bool
    active: bool
    stages: list[StageOut]


# Opportunities ---------------------------------------------------------------------------------------------


class LineIn(_Input):
    product_id: Id | None = None
    product_name: _text(200) = Field("", description="Default: the product's name.")
    quantity: Quantity = Decimal(1)
    unit_price: Money | None = Field(None, description="Default: the product's price today.")


class LineOut(Schema):
    id: int
    product_id: int | None
    product_name: str
    quantity: str
    unit_price: str
    amount: str

    @staticmethod
    def resolve_quantity(obj: Any) -> str:
        return money(obj.quantity) or "0.00"

    @staticmethod
    def resolve_unit_price(obj: Any) -> str:
        return money(obj.unit_price) or "0.00"

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return money(obj.amount) or "0.00"


_FIELDS = {
    "title",
    "amount",
    "currency",
    "probability",
    "expected_close_date",
    "source",
    "campaign",
    "sales_method",
    "competitors",
    "description",
}


class OpportunityIn(_Input):
    customer: Id
    title: _text(200)
    pipeline: Id | None = Field(None, description="Default: the default pipeline.")
    stage: Id | None = Field(None, description="Default: the pipeline's first stage.")
    owner: Id | None = Field(
        None, description="User id; yourself if empty. Another owner needs transfer rights."
    )
    amount: Money = Decimal(0)
    currency: _text(3) = "CNY"
    probability: Percent | None = Field(None, description="Empty: the stage's probability.")
    expected_close_date: date | None = None
    source: Source = ""
    campaign: _text(200) = ""
    sales_method: _text(100) = ""
    competitors: _text(2000) = ""
    description: _text(5000) = ""
    contacts: list[Id] = Field([], max_length=50, description="Contact ids of the customer.")
    lines: list[LineIn] | None = Field(None, max_length=200, description="With lines, amount = their sum.")

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, include=_FIELDS)


class OpportunityPatch(_Input):
    """Only the fields sent change; `probability: null` makes it follow the stage again. The stage, status
    and owner change through the actions (move, win, lose, suspend, reactivate, terminate, transfer)."""

    title: _text(200) | None = None
    amount: Money | None = None
    currency: _text(3) | None = None
    probability: Percent | None = None
    expected_close_date: date | None = None
    source: Source | None = None
    campaign: _text(200) | None = None
    sales_method: _text(100) | None = None
    competitors: _text(2000) | None = None
    description: _text(5000) | None = None
    contacts: list[Id] | None = Field(None, max_length=50)
    lines: list[LineIn] | None = Field(None, max_length=200)

    def service_data(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, include=_FIELDS)
        return {k: v for k, v in data.items() if v is not None or k in ("probability", "expected_close_date")}


class OpportunityOut(Schema):
    id: int
    title: str
    customer: int
    customer_name: str
    pipeline: int
    stage: int
    stage_name: str
    status: str = Field(json_schema_extra={"enum": OpportunityStatus.values})
    amount: str
    currency: str
    probability: str
    probability_overridden: bool
    weighted_amount: str = Field(description="amount × probability / 100, rounded to the cent.")
    expected_close_date: date | None
    source: str
    campaign: str
    sales_method: str
    competitors: str
    description: str
    stage_entered_at: datetime
    closed_at: datetime | None
    close_reason: str
    winning_competitor: str
    review_summary: str
    owner: int | None
    owner_name: str
    department: int | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer(obj: Opportunity) -> int:
        return obj.customer_id

    @staticmethod
    def resolve_customer_name(obj: Opportunity) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_pipeline(obj: Opportunity) -> int:
        return obj.pipeline_id

    @staticmethod
    def resolve_stage(obj: Opportunity) -> int:
        return obj.stage_id

    @staticmethod
    def resolve_stage_name(obj: Opportunity) -> str:
        return obj.stage.name

    @staticmethod
    def resolve_amount(obj: Opportunity) -> str:
        return money(obj.amount) or "0.00"

    @staticmethod
    def resolve_probability(obj: Opportunity) -> str:
        return money(obj.probability) or "0.00"

    @staticmethod
    def resolve_weighted_amount(obj: Opportunity) -> str:
        return money(obj.weighted_amount) or "0.00"

    @staticmethod
    def resolve_owner(obj: Opportunity) -> int | None:
        return obj.owner_id

    @staticmethod
    def resolve_owner_name(obj: Opportunity) -> str:
        return str(obj.owner) if obj.owner_id else ""

    @staticmethod
    def resolve_department(obj: Opportunity) -> int | None:
        return obj.department_id


class MemberIn(_Input):
    user: Id
    role: Annotated[str, Field(max_length=16, json_schema_extra={"enum": MemberRole.values})] = (
        MemberRole.MEMBER
    )
    can_edit: bool = False


class MemberOut(Schema):
    user: int
    user_name: str
    role: str
    can_edit: bool

    @staticmethod
    def resolve_user(obj: OpportunityMember) -> int:
        return obj.user_id

    @staticmethod
    def resolve_user_name(obj: OpportunityMember) -> str:
        return str(obj.user)


class OpportunityDetailOut(OpportunityOut):
    contacts: list[int]
    lines: list[LineOut]
    members: list[MemberOut]

    @staticmethod
    def resolve_contacts(obj: Opportunity) -> list[int]:
        return [c.pk for c in obj.contacts.all()]

    @staticmethod
    def resolve_lines(obj: Opportunity) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_members(obj: Opportunity) -> list[Any]:
        return list(obj.members.all())


class OpportunityFilterSchema(Schema):
    q: str | None = Field(None, max_length=100, description="Part of the title or the customer's name.")
    pipeline: Id | None = None
    stage: Id | None = None
    status: str | None = Field(None, max_length=16, json_schema_extra={"enum": OpportunityStatus.values})
    owner: Id | None = None
    customer: Id | None = None
    close_from: date | None = Field(None, description="Expected to close on or after this day.")
    close_to: date | None = Field(None, description="Expected to close on or before this day.")
    sort: str | None = Field(None, max_length=16, json_schema_extra={"enum": list(SORTS)})
    view: ViewFilter = Field(ViewFilter.ALL, description="mine (owner or team member), my team's, or all.")

    def filter_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude={"view"})


class MoveIn(_Input):
    stage: Id


class ReviewIn(_Input):
    reason: _text(500)
    competitor: _text(200) = Field("", description="Who won the deal (required to lose); whom we beat.")
    summary: _text(5000)
    stage: Id | None = Field(None, description="Default: the pipeline's first won (or lost) stage.")


class ReasonIn(_Input):
    reason: _text(500) = ""


class TransferIn(_Input):
    owner: Id = Field(..., description="The new owner's user id.")
    reason: _text(500) = ""


class StageChangeOut(Schema):
    id: int
    from_stage: int | None
    from_stage_name: str
    to_stage: int | None
    to_stage_name: str
    moved_at: datetime
    actor: int | None
    actor_name: str
    days_in_from_stage: str | None

    @staticmethod
    def resolve_from_stage(obj: Any) -> int | None:
        return obj.from_stage_id

    @staticmethod
    def resolve_to_stage(obj: Any) -> int | None:
        return obj.to_stage_id

    @staticmethod
    def resolve_actor(obj: Any) -> int | None:
        return obj.actor_id

    @staticmethod
    def resolve_actor_name(obj: Any) -> str:
        return str(obj.actor) if obj.actor_id else ""

    @staticmethod
    def resolve_days_in_from_stage(obj: Any) -> str | None:
        return money(obj.days_in_from_stage)


class BoardFilterSchema(Schema):
    pipeline: Id | None = Field(None, description="Default: the default pipeline.")
    view: ViewFilter = Field(ViewFilter.ALL)
    cards: int = Field(20, ge=0, le=100, description="Cards per column.")


class CardOut(Schema):
    id: int
    title: str
    customer: int
    customer_name: str
    owner: int | None
    owner_name: str
    amount: str
    probability: str
    weighted_amount: str
    expected_close_date: date | None
    stage_entered_at: datetime
    is_idle: bool = Field(description="Longer in this stage than its usual days.")

    resolve_customer = staticmethod(OpportunityOut.resolve_customer)
    resolve_customer_name = staticmethod(OpportunityOut.resolve_customer_name)
    resolve_owner = staticmethod(OpportunityOut.resolve_owner)
    resolve_owner_name = staticmethod(OpportunityOut.resolve_owner_name)
    resolve_amount = staticmethod(OpportunityOut.resolve_amount)
    resolve_probability = staticmethod(OpportunityOut.resolve_probability)
    resolve_weighted_amount = staticmethod(OpportunityOut.resolve_weighted_amount)


class ColumnOut(Schema):
    stage: StageOut
    count: int
    amount: str
    weighted_amount: str
    idle_count: int
    cards: list[CardOut]

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return money(obj.amount) or "0.00"

    @staticmethod
    def resolve_weighted_amount(obj: Any) -> str:
        return money(obj.weighted_amount) or "0.00"


class BoardOut(Schema):
    pipeline: int
    count: int
    amount: str
    weighted_amount: str
    columns: list[ColumnOut]

    @staticmethod
    def resolve_pipeline(obj: Any) -> int:
        return obj.pipeline.pk

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return money(obj.amount) or "0.00"

    @staticmethod
    def resolve_weighted_amount(obj: Any) -> str:
        return money(obj.weighted_amount) or "0.00"
