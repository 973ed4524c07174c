"""Follow-ups and follow-up plans API: thin endpoints over the selectors (data scope) and services."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kehu.core.api import Pagination
from kehu.core.exceptions import DomainError
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get
from kehu.followups import services
from kehu.followups.models import FollowUp, FollowUpPlan
from kehu.followups.schemas import (
    FollowUpFilterSchema,
    FollowUpIn,
    FollowUpOut,
    PlanFilterSchema,
    PlanOut,
    PlanPatch,
)
from kehu.followups.selectors import followup_get, followup_list, plan_get, plan_list

router = Router()


def _customer_ref(request: HttpRequest, pk: int) -> Customer:
    """A customer named in the request: unknown or out of scope is a bad field, not a missing page."""
    try:
        return customer_get(user=request.user, pk=pk)
    except Http404:
        raise DomainError(_("There is no customer with id %(id)s.") % {"id": pk}, field="customer") from None


# Follow-ups ----------------------------------------------------------------------------------------------


@router.get("/followups", response=list[FollowUpOut], tags=["follow-ups"])
@paginate(Pagination)
def list_followups(request: HttpRequest, filters: Query[FollowUpFilterSchema]) -> QuerySet[FollowUp]:
    """Follow-ups of the customers you may see, newest first."""
    return followup_list(user=request.user, filters=filters.filter_data())


@router.post("/followups", response={201: FollowUpOut}, tags=["follow-ups"])
def record_followup(request: HttpRequest, payload: FollowUpIn) -> Status:
    """Record a follow-up; with `next_at` it also plans the next contact (answered as `next_plan`)."""
    customer = _customer_ref(request, payload.customer)
    followup = services.followup_record(actor=request.user, customer=customer, data=payload.service_data())
    return Status(201, followup)


@router.get("/followups/{int:followup_id}", response=FollowUpOut, tags=["follow-ups"])
def get_followup(request: HttpRequest, followup_id: int) -> FollowUp:
    return followup_get(user=request.user, pk=followup_id)


@router.delete("/followups/{int:followup_id}", response={204: None}, tags=["follow-ups"])
def delete_followup(request: HttpRequest, followup_id: int) -> Status:
    followup = followup_get(user=request.user, pk=followup_id)
    services.followup_delete(actor=request.user, followup=followup)
    return Status(204, None)


# Plans ---------------------------------------------------------------------------------------------------


@router.get("/followup-plans", response=list[PlanOut], tags=["follow-ups"])
@paginate(Pagination)
def list_plans(request: HttpRequest, filters: Query[PlanFilterSchema]) -> QuerySet[FollowUpPlan]:
    """Your open plans, soonest first (`due`: today, overdue, upcoming); or a customer's, with `customer`."""
    customer = _customer_ref(request, filters.customer) if filters.customer else None
    return plan_list(user=request.user, due=filters.due, customer=customer)


@router.get("/followup-plans/{int:plan_id}", response=PlanOut, tags=["follow-ups"])
def get_plan(request: HttpRequest, plan_id: int) -> FollowUpPlan:
    return plan_get(user=request.user, pk=plan_id)


@router.patch("/followup-plans/{int:plan_id}", response=PlanOut, tags=["follow-ups"])
def reschedule_plan(request: HttpRequest, plan_id: int, payload: PlanPatch) -> FollowUpPlan:
    plan = plan_get(user=request.user, pk=plan_id)
    return services.plan_reschedule(
        actor=request.user, plan=plan, due_at=payload.due_at, action=payload.action
    )


@router.post("/followup-plans/{int:plan_id}/complete", response=PlanOut, tags=["follow-ups"])
def complete_plan(request: HttpRequest, plan_id: int) -> FollowUpPlan:
    plan = plan_get(user=request.user, pk=plan_id)
    return services.plan_complete(actor=request.user, plan=plan)


@router.post("/followup-plans/{int:plan_id}/cancel", response=PlanOut, tags=["follow-ups"])
def cancel_plan(request: HttpRequest, plan_id: int) -> FollowUpPlan:
    plan = plan_get(user=request.user, pk=plan_id)
    return services.plan_cancel(actor=request.user, plan=plan)
