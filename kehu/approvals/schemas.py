"""Input and output shapes of the approvals API; the rules are the services'."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict

from kehu.approvals.choices import ApprovalView, Operator, RequestStatus, StepKind, TaskStatus
from kehu.approvals.models import COMMENT_MAX, ApprovalFlow, ApprovalRequest, ApprovalStep, ApprovalTask
from kehu.approvals.registry import document_type_label
from kehu.core.api import Id

Comment = Annotated[str, Field(max_length=COMMENT_MAX)]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class DecisionIn(_Input):
    comment: Comment = ""


class RejectIn(_Input):
    comment: Comment = Field(..., description="Why the document is rejected (required).")


class UserRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class TaskOut(Schema):
    id: int
    position: int
    step_name: str
    kind: str = Field(json_schema_extra={"enum": StepKind.values})
    status: str = Field(json_schema_extra={"enum": TaskStatus.values})
    approvers: list[UserRef]
    decided_by: UserRef | None
    decided_at: datetime | None
    comment: str
    created_at: datetime

    @staticmethod
    def resolve_step_name(obj: ApprovalTask) -> str:
        return str(obj.step)

    @staticmethod
    def resolve_kind(obj: ApprovalTask) -> str:
        return obj.step.kind

    @staticmethod
    def resolve_approvers(obj: ApprovalTask) -> list[Any]:
        return list(obj.approvers.all())


class ApprovalOut(Schema):
    id: int
    document_type: str
    document_type_label: str
    document_id: int
    document_label: str
    flow: int
    flow_name: str
    submitter: UserRef
    status: str = Field(json_schema_extra={"enum": RequestStatus.values})
    current_step: int
    current_task: int | None = Field(description="The pending task's id: approve or reject it.")
    values: dict[str, str] = Field(description="The condition values when it was submitted.")
    submitted_at: datetime
    decided_at: datetime | None
    tasks: list[TaskOut]

    @staticmethod
    def resolve_document_type_label(obj: ApprovalRequest) -> str:
        return document_type_label(obj.document_type)

    @staticmethod
    def resolve_flow(obj: ApprovalRequest) -> int:
        return obj.flow_id

    @staticmethod
    def resolve_flow_name(obj: ApprovalRequest) -> str:
        return obj.flow.name

    @staticmethod
    def resolve_current_task(obj: ApprovalRequest) -> int | None:
        return next((t.pk for t in obj.tasks.all() if t.status == TaskStatus.PENDING), None)

    @staticmethod
    def resolve_tasks(obj: ApprovalRequest) -> list[Any]:
        return list(obj.tasks.all())


class ApprovalFilterSchema(Schema):
    view: str | None = Field(None, max_length=16, json_schema_extra={"enum": ApprovalView.values})
    status: str | None = Field(None, max_length=16, json_schema_extra={"enum": RequestStatus.values})
    document_type: str | None = Field(None, max_length=32)

    def filter_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class ConditionIn(_Input):
    field: str = Field(..., max_length=64, examples=["discount_percent"])
    operator: str = Field(..., json_schema_extra={"enum": Operator.values})
    value: Decimal = Field(..., examples=["10"])


class StepIn(_Input):
    kind: str = Field(..., json_schema_extra={"enum": StepKind.values})
    name: str = Field("", max_length=100)
    users: list[Id] = Field(default_factory=list, max_length=100, description="For user and any_of steps.")
    role: Id | None = Field(None, description="For role steps.")


class FlowIn(_Input):
    document_type: str = Field(..., max_length=32, examples=["quote"])
    name: str = Field(..., max_length=100)
    active: bool = True
    position: int = Field(0, ge=0, le=10_000)
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=20)
    steps: list[StepIn] = Field(..., min_length=1, max_length=20)

    def service_data(self) -> dict[str, Any]:
        return self.model_dump()


class FlowPatch(_Input):
    document_type: str | None = Field(None, max_length=32)
    name: str | None = Field(None, max_length=100)
    active: bool | None = None
    position: int | None = Field(None, ge=0, le=10_000)
    conditions: list[ConditionIn] | None = Field(None, max_length=20)
    steps: list[StepIn] | None = Field(None, min_length=1, max_length=20)

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class ConditionOut(Schema):
    field: str
    operator: str
    value: str


class StepOut(Schema):
    id: int
    position: int
    name: str
    kind: str = Field(json_schema_extra={"enum": StepKind.values})
    users: list[UserRef]
    role: int | None
    role_name: str

    @staticmethod
    def resolve_users(obj: ApprovalStep) -> list[Any]:
        return list(obj.users.all())

    @staticmethod
    def resolve_role(obj: ApprovalStep) -> int | None:
        return obj.role_id

    @staticmethod
    def resolve_role_name(obj: ApprovalStep) -> str:
        return obj.role.name if obj.role_id else ""


class FlowOut(Schema):
    id: int
    document_type: str
    name: str
    active: bool
    position: int
    conditions: list[ConditionOut]
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj: ApprovalFlow) -> list[Any]:
        return list(obj.steps.all())
