"""Input and output shapes of the organisation API: users and personal API tokens."""

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from kehu.org.models import User


class UserFilterSchema(Schema):
    username: str | None = Field(None, max_length=150, description="Exact user name.")
    q: str | None = Field(None, max_length=100, description="Part of the user name or display name.")


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    department: int | None
    department_name: str
    is_active: bool
    on_leave: bool = Field(description="Users on leave cannot receive customers.")

    @staticmethod
    def resolve_display_name(obj: User) -> str:
        return str(obj)

    @staticmethod
    def resolve_department(obj: User) -> int | None:
        return obj.department_id

    @staticmethod
    def resolve_department_name(obj: User) -> str:
        return obj.department.name if obj.department_id else ""


class UserMeOut(UserOut):
    email: str
    role: str
    data_scope: str
    is_superuser: bool
    permissions: list[str]

    @staticmethod
    def resolve_role(obj: User) -> str:
        return obj.role.name if obj.role_id else ""

    @staticmethod
    def resolve_permissions(obj: User) -> list[str]:
        return sorted(obj.get_all_permissions())


class ApiTokenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=200, description="What the token is for, e.g. “ERP sync”.")
    expires_at: datetime | None = Field(None, description="When the token stops working; never if empty.")


class ApiTokenOut(Schema):
    id: int
    name: str
    hint: str = Field(description="The token's first characters, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    is_usable: bool


class ApiTokenCreatedOut(ApiTokenOut):
    token: str = Field(description="The token itself. It is shown only in this answer; store it now.")
