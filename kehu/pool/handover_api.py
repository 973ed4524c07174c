"""Handover API: hand a departing user's book over (with a dry-run preview), and the past handovers.

Mounted in kehu/api.py with `api.add_router("/", handover_router)`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from kehu.core.api import Id, Pagination
from kehu.core.exceptions import DomainError
from kehu.core.permissions import ensure_perm
from kehu.org.models import User
from kehu.pool.handover import (
    PERM,
    handover_get,
    handover_list,
    handover_preview,
    handover_run,
    handover_user_choices,
)
from kehu.pool.models import Handover
from kehu.pool.selectors import pool_list

router = Router(tags=["handovers"])


class HandoverPreviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    from_user_id: Id = Field(description="The departing user.")
    mode: str = Field(description="to_one, split (evenly, round robin in id order) or to_pool.")
    recipient_ids: Annotated[list[Id], Field(max_length=100)] = Field(
        default_factory=list, description="One for to_one, two or more for split, none for to_pool."
    )
    pool_id: Id | None = Field(None, description="For to_pool; default: the departing user's home pool.")


class HandoverIn(HandoverPreviewIn):
    deactivate: bool = Field(True, description="Deactivate the user: no login, tokens revoked.")
    note: Annotated[str, Field(max_length=1000)] = ""


class RecipientCountsOut(Schema):
    name: str
    customers: int
    recycle_bin: int = Field(description="Customers in the recycle bin, which move too.")
    leads: int
    plans: int = Field(description="Open follow-up plans that pass to this recipient with the customers.")


class HandoverCountsOut(Schema):
    mode: str
    customers: int
    recycle_bin: int
    leads: int
    plans: int = Field(description="Open plans that change hands (recipients' and other owners').")
    plans_to_owners: int = Field(description="The user's plans on others' customers, going to their owners.")
    plans_in_pool: int = Field(
        description="Plans of customers sent to the pool: they wait for the next owner."
    )
    pool: dict[str, Any] | None
    recipients: dict[str, RecipientCountsOut] = Field(description="By recipient user id.")
    attention: dict[str, list[str]] = Field(
        description="To review: pools only the user administers (sole_admin_pools), rules naming them."
    )


class UserRefOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return str(obj)


class HandoverOut(Schema):
    id: int
    created_at: datetime
    from_user: UserRefOut
    actor: UserRefOut | None
    mode: str
    recipients: list[UserRefOut]
    pool_id: int | None
    deactivated: bool
    note: str
    summary: dict[str, Any]

    @staticmethod
    def resolve_recipients(obj: Handover) -> list[User]:
        return list(obj.recipients.all())


def _arguments(request: HttpRequest, payload: HandoverPreviewIn) -> dict[str, Any]:
    """The service's arguments from ids: 403 without the permission, 404 for a user outside your scope."""
    ensure_perm(request.user, PERM)
    from_user = handover_user_choices(user=request.user).filter(pk=payload.from_user_id).first()
    if from_user is None:
        raise Http404
    wanted = list(dict.fromkeys(payload.recipient_ids))
    found = {u.pk: u for u in User.objects.filter(pk__in=wanted)}
    for pk in wanted:
        if pk not in found:
            raise DomainError(_("There is no user with id %(id)s.") % {"id": pk}, field="recipient_ids")
    pool = None
    if payload.pool_id is not None:
        pool = pool_list(user=request.user).filter(pk=payload.pool_id).first()
        if pool is None:
            raise DomainError(
                _("There is no pool with id %(id)s.") % {"id": payload.pool_id}, field="pool_id"
            )
    return {
        "actor": request.user,
        "from_user": from_user,
        "mode": payload.mode,
        "recipients": [found[pk] for pk in wanted],
        "pool": pool,
    }


@router.get("/handovers", response=list[HandoverOut])
@paginate(Pagination)
def list_handovers(request: HttpRequest) -> QuerySet[Handover]:
    """Handovers you did, or of users in your departments; newest first."""
    ensure_perm(request.user, PERM)
    return handover_list(user=request.user)


@router.get("/handovers/{int:handover_id}", response=HandoverOut)
def get_handover(request: HttpRequest, handover_id: int) -> Handover:
    ensure_perm(request.user, PERM)
    return handover_get(user=request.user, pk=handover_id)


@router.post("/handovers/preview", response=HandoverCountsOut)
def preview_handover(request: HttpRequest, payload: HandoverPreviewIn) -> dict[str, Any]:
    """What a handover would move; nothing changes."""
    return handover_preview(**_arguments(request, payload))


@router.post("/handovers", response={201: HandoverOut})
def create_handover(request: HttpRequest, payload: HandoverIn) -> Status:
    """Hand the book over in one transaction and (by default) deactivate the user."""
    handover = handover_run(**_arguments(request, payload), deactivate=payload.deactivate, note=payload.note)
    return Status(201, handover_get(user=request.user, pk=handover.pk))
