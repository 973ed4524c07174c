"""Input and output shapes of the pool API. Business rules are the services'; these only bound the input."""

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict

from kehu.core.api import Id
from kehu.customers.schemas import CustomerOut, _text
from kehu.pool.models import Pool

Days = Annotated[int | None, Field(description="At least 1; null switches the rule or limit off.")]
Ids = Annotated[list[Id], Field(max_length=1000)]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class PoolRulesIn(_Input):
    """The reclaim rules and limits of a pool; only the fields sent change."""

    no_followup_days: Days = None
    level_days: dict[str, int] | None = Field(None, description='Per customer level, e.g. {"A": 30}.')
    no_opportunity_days: Days = None
    not_closed_days: Days = None
    exempt_deal: bool | None = None
    exempt_locked: bool | None = None
    warn_days_before: Days = None
    max_private_customers: Days = None
    max_locked_customers: Days = None
    count_deal_customers: bool | None = None
    claims_per_day: Days = None
    claims_per_batch: Days = None
    reclaim_cooldown_days: Days = None
    claim_wait_hours: Days = None

    def service_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class PoolPatch(PoolRulesIn):
    name: _text(100) | None = None
    position: int | None = Field(None, ge=0)
    is_default: bool | None = None
    is_active: bool | None = None
    users: Ids | None = Field(None, description="Member user ids.")
    departments: Ids | None = Field(None, description="Member department ids (with their sub-departments).")
    admins: Ids | None = Field(None, description="Pool admin user ids.")


class PoolIn(PoolPatch):
    name: _text(100)


class PoolOut(Schema):
    id: int
    name: str
    position: int
    is_default: bool
    is_active: bool
    users: list[int]
    departments: list[int]
    admins: list[int]
    no_followup_days: int | None
    level_days: dict[str, Any]
    no_opportunity_days: int | None
    not_closed_days: int | None
    exempt_deal: bool
    exempt_locked: bool
    warn_days_before: int | None
    max_private_customers: int | None
    max_locked_customers: int | None
    count_deal_customers: bool
    claims_per_day: int | None
    claims_per_batch: int | None
    reclaim_cooldown_days: int | None
    claim_wait_hours: int | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_users(obj: Pool) -> list[int]:
        return sorted(u.pk for u in obj.users.all())

    @staticmethod
    def resolve_departments(obj: Pool) -> list[int]:
        return sorted(d.pk for d in obj.departments.all())

    @staticmethod
    def resolve_admins(obj: Pool) -> list[int]:
        return sorted(u.pk for u in obj.admins.all())


class PoolCustomerOut(CustomerOut):
    entry_kind: str | None = Field(None, description="How it came in: released, reclaimed or moved.")
    entry_reason: str | None = Field(None, description="The release reason or the reclaim rule.")


class PoolCustomerFilterSchema(Schema):
    q: str | None = Field(None, max_length=100, description="Name, phone or contact (substring).")
    level: str | None = None
    industry: str | None = None
    province: str | None = None
    city: str | None = None
    entry: str | None = Field(None, description="released, reclaimed or moved.")
    rule: str | None = Field(None, description="no_followup, not_closed, or a word of the release reason.")
    pooled_before: datetime | None = None
    pooled_after: datetime | None = None

    def filter_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class PreviewOut(Schema):
    no_followup: int = Field(description="Customers the no-follow-up rule would reclaim now.")
    not_closed: int = Field(description="Customers the not-closed rule would reclaim now.")
    total: int
    by_owner: list[dict[str, Any]] = Field(description='[{"owner": id, "owner_name": ..., "count": n}]')


class ReleaseIn(_Input):
    reason: _text(500)
    pool: Id | None = Field(None, description="The pool (id); default: the company-wide pool.")


class ClaimBatchIn(_Input):
    customer_ids: Ids


class AssignIn(_Input):
    owner: Id = Field(description="The user (id) who receives the customers.")
    reason: _text(500) = ""


class AssignBatchIn(AssignIn):
    customer_ids: Ids


class CountOut(Schema):
    count: int
