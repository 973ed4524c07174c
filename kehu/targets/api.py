"""Targets API: targets you may see (GET), set by holders of the target permissions (POST, PATCH, DELETE),
and their attainment."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kehu.core.exceptions import DomainError
from kehu.org.models import Department, User
from kehu.sales.products.models import Product
from kehu.targets import services
from kehu.targets.models import Target
from kehu.targets.schemas import (
    AttainmentFilterSchema,
    AttainmentOut,
    TargetIn,
    TargetOut,
    TargetPatch,
    attainment_out,
)
from kehu.targets.selectors import attainment, target_get, target_list

router = Router(tags=["targets"])


def _one(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise DomainError(_("There is no record with id %(id)s.") % {"id": pk}, field=field)
    return obj


@router.get("/targets", response=list[TargetOut])
def list_targets(
    request: HttpRequest, year: int | None = None, metric: str | None = None
) -> QuerySet[Target]:
    """The targets you may see, optionally of one year and metric."""
    return target_list(user=request.user, year=year, metric=metric)


@router.post("/targets", response={201: TargetOut})
def create_target(request: HttpRequest, payload: TargetIn) -> Status:
    """Set a target; without `months` the amount is split by `split_method` (even, seasonal with `weights`,
    last_year: in proportion to last year's actuals, evenly when last year is empty)."""
    subject = services.Subject(
        kind=payload.subject_kind,
        department=_one(Department, payload.department, "department"),
        user=_one(User, payload.user, "user"),
        product=_one(Product, payload.product, "product"),
        region=payload.region.strip(),
        channel=payload.channel or "",
    )
    target = services.target_set(
        actor=request.user,
        year=payload.year,
        metric=payload.metric,
        subject=subject,
        amount=payload.amount,
        split_method=payload.split_method,
        weights=payload.weights,
        months=payload.months,
    )
    return Status(201, target)


@router.get("/targets/{int:target_id}", response=TargetOut)
def get_target(request: HttpRequest, target_id: int) -> Target:
    return target_get(user=request.user, pk=target_id)


@router.patch("/targets/{int:target_id}", response=TargetOut)
def update_target(request: HttpRequest, target_id: int, payload: TargetPatch) -> Target:
    """A new `amount` without `months` is split again; `months` must add up to the (new) amount."""
    return services.target_update(
        actor=request.user,
        target=target_get(user=request.user, pk=target_id),
        **payload.model_dump(exclude_none=True),
    )


@router.delete("/targets/{int:target_id}", response={204: None})
def delete_target(request: HttpRequest, target_id: int) -> Status:
    services.target_delete(actor=request.user, target=target_get(user=request.user, pk=target_id))
    return Status(204, None)


@router.get("/reports/targets/attainment", response=AttainmentOut)
def targets_attainment(request: HttpRequest, filters: Query[AttainmentFilterSchema]) -> dict[str, Any]:
    """Attainment of the targets you may see: month-, quarter- and year-to-date target, actual, attainment %,
    gap, last year's same dates and growth; departments roll up their sub-departments."""
    return attainment_out(attainment(user=request.user, filters=filters.filter_data()))
