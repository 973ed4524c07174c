"""Input and output shapes of the follow-ups API: one input and one output schema per operation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict

from kehu.followups.choices import FollowUpMethod, PlanDue, PlanStatus
from kehu.followups.models import ACTION_MAX, CONTENT_MAX, FollowUp, FollowUpPlan

Method = Annotated[str, Field(max_length=16, json_schema_extra={"enum": FollowUpMethod.values})]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class FollowUpIn(_Input):
    customer: int = Field(..., description="The customer's id.")
    contact: int | None = Field(None, description="One of the customer's contacts (id).")
    method: Method
    content: Annotated[str, Field(max_length=CONTENT_MAX)]
    occurred_at: datetime | None = Field(
        None, description="When it happened; now if empty. Not in the future."
    )
    next_at: datetime | None = Field(None, description="When to contact the customer next (in the future).")
    next_action: Annotated[str, Field(max_length=ACTION_MAX)] = ""

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"customer"})


class PlanOut(Schema):
    id: int
    customer: int
    customer_name: str
    owner: int
    owner_name: str
    due_at: datetime
    action: str
    status: str = Field(json_schema_extra={"enum": PlanStatus.values})
    source: int | None = Field(description="The follow-up in which the plan was made.")
    done_at: datetime | None = Field(description="When it was done or cancelled.")
    done_by_followup: int | None = Field(description="The follow-up that fulfilled it.")
    created_at: datetime

    @staticmethod
    def resolve_customer(obj: FollowUpPlan) -> int:
        return obj.customer_id

    @staticmethod
    def resolve_customer_name(obj: FollowUpPlan) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_owner(obj: FollowUpPlan) -> int:
        return obj.owner_id

    @staticmethod
    def resolve_owner_name(obj: FollowUpPlan) -> str:
        return str(obj.owner)

    @staticmethod
    def resolve_source(obj: FollowUpPlan) -> int | None:
        return obj.source_id

    @staticmethod
    def resolve_done_by_followup(obj: FollowUpPlan) -> int | None:
        return obj.done_by_followup_id


class FollowUpOut(Schema):
    id: int
    customer: int
    customer_name: str
    contact: int | None
    contact_name: str
    method: str = Field(json_schema_extra={"enum": FollowUpMethod.values})
    content: str
    occurred_at: datetime
    created_by: int
    created_by_name: str
    created_at: datetime
    next_plan: PlanOut | None = Field(description="The next contact planned with this follow-up, if any.")

    @staticmethod
    def resolve_customer(obj: FollowUp) -> int:
        return obj.customer_id

    @staticmethod
    def resolve_customer_name(obj: FollowUp) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_contact(obj: FollowUp) -> int | None:
        return obj.contact_id

    @staticmethod
    def resolve_contact_name(obj: FollowUp) -> str:
        return obj.contact.name if obj.contact_id else ""

    @staticmethod
    def resolve_created_by(obj: FollowUp) -> int:
        return obj.created_by_id

    @staticmethod
    def resolve_created_by_name(obj: FollowUp) -> str:
        return str(obj.created_by)

    @staticmethod
    def resolve_next_plan(obj: FollowUp) -> FollowUpPlan | None:
        if hasattr(obj, "new_plan"):
            return obj.new_plan
        plans = list(obj.plans.all())  # prefetched by the selectors
        return plans[0] if plans else None


class FollowUpFilterSchema(Schema):
    customer: int | None = Field(None, description="Only this customer's follow-ups.")
    method: str | None = Field(None, max_length=16, json_schema_extra={"enum": FollowUpMethod.values})
    author: int | None = Field(None, description="Recorded by this user (id).")
    date_from: date | None = Field(None, description="On or after this local date.")
    date_to: date | None = Field(None, description="On or before this local date.")

    def filter_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class PlanFilterSchema(Schema):
    due: str | None = Field(None, max_length=16, json_schema_extra={"enum": PlanDue.values})
    customer: int | None = Field(None, description="That customer's open plans instead of your own.")


class PlanPatch(_Input):
    due_at: datetime = Field(..., description="The new time (in the future).")
    action: Annotated[str, Field(max_length=ACTION_MAX)] | None = None
