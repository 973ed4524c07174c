"""Output shape of the workbench API: the same sections as the page, each with its count and first rows."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class WorkbenchPlanOut(Schema):
    id: int
    customer: int
    customer_name: str
    due_at: datetime
    action: str


class WorkbenchPoolWarningOut(Schema):
    customer: int
    customer_name: str
    pool: str
    rule: str
    rule_label: str
    due_at: datetime
    days_left: int


class WorkbenchLeadOut(Schema):
    id: int
    name: str
    company_name: str
    status: str
    assigned_at: datetime | None
    sla_due_at: datetime | None


class WorkbenchActivityOut(Schema):
    id: int
    created_at: datetime
    actor: str
    verb: str
    sentence: str
    customer: int | None
    customer_name: str


class PlanSectionOut(Schema):
    count: int
    items: list[WorkbenchPlanOut]


class PoolSectionOut(Schema):
    count: int
    items: list[WorkbenchPoolWarningOut]


class LeadSectionOut(Schema):
    count: int
    items: list[WorkbenchLeadOut]


class WorkbenchReceivableOut(Schema):
    instalment: int
    contract: int
    contract_number: str
    customer: int
    customer_name: str
    due_on: date
    outstanding: str = Field(description="Still owed, a decimal string.")
    status: str = Field(description="overdue, or unpaid / partial when not yet due.")


class ReceivableSectionOut(Schema):
    count: int
    items: list[WorkbenchReceivableOut]


class ActivitySectionOut(Schema):
    count: int
    items: list[WorkbenchActivityOut]


class WorkbenchOut(Schema):
    today: PlanSectionOut
    overdue: PlanSectionOut
    pool_warnings: PoolSectionOut
    new_leads: LeadSectionOut
    receivables: ReceivableSectionOut
    team_activity: ActivitySectionOut | None = None
