"""Pipelines and opportunities API: thin endpoints over the selectors (data scope) and services."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kehu.core.api import Pagination
from kehu.core.exceptions import DomainError
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get
from kehu.org.models import User
from kehu.sales.opportunities import services
from kehu.sales.opportunities.models import Opportunity, Pipeline, Stage, StageChange
from kehu.sales.opportunities.schemas import (
    BoardFilterSchema,
    BoardOut,
    MemberIn,
    MemberOut,
    MoveIn,
    OpportunityDetailOut,
    OpportunityFilterSchema,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    ReasonIn,
    ReviewIn,
    StageChangeOut,
    TransferIn,
)
from kehu.sales.opportunities.selectors import (
    opportunity_board,
    opportunity_find,
    opportunity_get,
    opportunity_history,
    opportunity_list,
    pipeline_get,
    pipeline_list,
)

router = Router()


def _user(pk: int, field: str) -> User:
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise DomainError(_("There is no user with id %(id)s.") % {"id": pk}, field=field)
    return user


def _customer(request: HttpRequest, pk: int) -> Customer:
    try:
        return customer_get(user=request.user, pk=pk)
    except Http404:
        raise DomainError(_("There is no customer with id %(id)s.") % {"id": pk}, field="customer") from None


def _pipeline(pk: int | None) -> Pipeline | None:
    if pk is None:
        return None
    pipeline = Pipeline.objects.filter(pk=pk).first()
    if pipeline is None:
        raise DomainError(_("There is no pipeline with id %(id)s.") % {"id": pk}, field="pipeline")
    return pipeline


def _stage(pk: int | None) -> Stage | None:
    if pk is None:
        return None
    stage = Stage.objects.filter(pk=pk).first()
    if stage is None:
        raise DomainError(_("There is no stage with id %(id)s.") % {"id": pk}, field="stage")
    return stage


def _detail(request: HttpRequest, pk: int) -> Opportunity:
    return opportunity_get(user=request.user, pk=pk)


def _find(request: HttpRequest, pk: int) -> Opportunity:
    """The opportunity an action works on; the answer reads the details after it."""
    return opportunity_find(user=request.user, pk=pk)


# Pipelines -------------------------------------------------------------------------------------------------


@router.get("/pipelines", response=list[PipelineOut], tags=["pipelines"])
def list_pipelines(request: HttpRequest) -> QuerySet[Pipeline]:
    return pipeline_list()


@router.post("/pipelines", response={201: PipelineOut}, tags=["pipelines"])
def create_pipeline(request: HttpRequest, payload: PipelineIn) -> Pipeline:
    stages = [s.model_dump(exclude={"id"}) for s in payload.stages]
    pipeline = services.pipeline_create(
        actor=request.user, name=payload.name, stages=stages, is_default=payload.is_default
    )
    return pipeline_get(pk=pipeline.pk)


@router.get("/pipelines/{int:pipeline_id}", response=PipelineOut, tags=["pipelines"])
def get_pipeline(request: HttpRequest, pipeline_id: int) -> Pipeline:
    return pipeline_get(pk=pipeline_id)


@router.patch("/pipelines/{int:pipeline_id}", response=PipelineOut, tags=["pipelines"])
def update_pipeline(request: HttpRequest, pipeline_id: int, payload: PipelinePatch) -> Pipeline:
    """Rename, (de)activate, make default; `stages` renames, reorders and adds stages (none is removed)."""
    pipeline = pipeline_get(pk=pipeline_id)
    stages = None if payload.stages is None else [s.model_dump() for s in payload.stages]
    services.pipeline_update(
        actor=request.user, pipeline=pipeline, data=payload.service_data(), stages=stages
    )
    return pipeline_get(pk=pipeline_id)


# Opportunities ---------------------------------------------------------------------------------------------


@router.get("/opportunities", response=list[OpportunityOut], tags=["opportunities"])
@paginate(Pagination)
def list_opportunities(
    request: HttpRequest, filters: Query[OpportunityFilterSchema]
) -> QuerySet[Opportunity]:
    return opportunity_list(user=request.user, filters=filters.filter_data(), view=filters.view)


@router.post("/opportunities", response={201: OpportunityDetailOut}, tags=["opportunities"])
def create_opportunity(request: HttpRequest, payload: OpportunityIn) -> Opportunity:
    owner = None if payload.owner in (None, request.user.pk) else _user(payload.owner, "owner")
    opportunity = services.opportunity_create(
        actor=request.user,
        customer=_customer(request, payload.customer),
        data=payload.service_data(),
        pipeline=_pipeline(payload.pipeline),
        stage=_stage(payload.stage),
        owner=owner,
        contact_ids=payload.contacts,
        lines=None if payload.lines is None else [line.model_dump() for line in payload.lines],
    )
    return _detail(request, opportunity.pk)


@router.get("/opportunities/board", response=BoardOut, tags=["opportunities"])
def opportunity_board_view(request: HttpRequest, filters: Query[BoardFilterSchema]) -> object:
    """The kanban board: per stage the count, Σ amount, Σ weighted amount, idle deals and the first cards."""
    pipeline = pipeline_get(pk=filters.pipeline) if filters.pipeline else services.pipeline_default()
    return opportunity_board(
        user=request.user, pipeline=pipeline, view=filters.view, per_column=filters.cards
    )


@router.get("/opportunities/{int:opportunity_id}", response=OpportunityDetailOut, tags=["opportunities"])
def get_opportunity(request: HttpRequest, opportunity_id: int) -> Opportunity:
    return _detail(request, opportunity_id)


@router.patch("/opportunities/{int:opportunity_id}", response=OpportunityDetailOut, tags=["opportunities"])
def update_opportunity(request: HttpRequest, opportunity_id: int, payload: OpportunityPatch) -> Opportunity:
    opportunity = _detail(request, opportunity_id)
    sent = payload.model_fields_set
    services.opportunity_update(
        actor=request.user,
        opportunity=opportunity,
        data=payload.service_data(),
        contact_ids=payload.contacts if "contacts" in sent and payload.contacts is not None else None,
        lines=[line.model_dump() for line in payload.lines] if payload.lines is not None else None,
    )
    return _detail(request, opportunity_id)


@router.delete("/opportunities/{int:opportunity_id}", response={204: None}, tags=["opportunities"])
def delete_opportunity(request: HttpRequest, opportunity_id: int) -> Status:
    services.opportunity_delete(actor=request.user, opportunity=_find(request, opportunity_id))
    return Status(204, None)


@router.post(
    "/opportunities/{int:opportunity_id}/move", response=OpportunityDetailOut, tags=["opportunities"]
)
def move_opportunity(request: HttpRequest, opportunity_id: int, payload: MoveIn) -> Opportunity:
    opportunity = _find(request, opportunity_id)
    services.opportunity_move(actor=request.user, opportunity=opportunity, stage=_stage(payload.stage))
    return _detail(request, opportunity_id)


@router.post("/opportunities/{int:opportunity_id}/win", response=OpportunityDetailOut, tags=["opportunities"])
def win_opportunity(request: HttpRequest, opportunity_id: int, payload: ReviewIn) -> Opportunity:
    services.opportunity_win(
        actor=request.user,
        opportunity=_find(request, opportunity_id),
        reason=payload.reason,
        competitor=payload.competitor,
        summary=payload.summary,
        stage=_stage(payload.stage),
    )
    return _detail(request, opportunity_id)


@router.post(
    "/opportunities/{int:opportunity_id}/lose", response=OpportunityDetailOut, tags=["opportunities"]
)
def lose_opportunity(request: HttpRequest, opportunity_id: int, payload: ReviewIn) -> Opportunity:
    services.opportunity_lose(
        actor=request.user,
        opportunity=_find(request, opportunity_id),
        reason=payload.reason,
        competitor=payload.competitor,
        summary=payload.summary,
        stage=_stage(payload.stage),
    )
    return _detail(request, opportunity_id)


@router.post(
    "/opportunities/{int:opportunity_id}/suspend", response=OpportunityDetailOut, tags=["opportunities"]
)
def suspend_opportunity(request: HttpRequest, opportunity_id: int, payload: ReasonIn) -> Opportunity:
    opportunity = _find(request, opportunity_id)
    services.opportunity_suspend(actor=request.user, opportunity=opportunity, reason=payload.reason)
    return _detail(request, opportunity_id)


@router.post(
    "/opportunities/{int:opportunity_id}/reactivate", response=OpportunityDetailOut, tags=["opportunities"]
)
def reactivate_opportunity(request: HttpRequest, opportunity_id: int) -> Opportunity:
    services.opportunity_reactivate(actor=request.user, opportunity=_find(request, opportunity_id))
    return _detail(request, opportunity_id)


@router.post(
    "/opportunities/{int:opportunity_id}/terminate", response=OpportunityDetailOut, tags=["opportunities"]
)
def terminate_opportunity(request: HttpRequest, opportunity_id: int, payload: ReasonIn) -> Opportunity:
    opportunity = _find(request, opportunity_id)
    services.opportunity_terminate(actor=request.user, opportunity=opportunity, reason=payload.reason)
    return _detail(request, opportunity_id)


@router.post(
    "/opportunities/{int:opportunity_id}/transfer", response=OpportunityDetailOut, tags=["opportunities"]
)
def transfer_opportunity(request: HttpRequest, opportunity_id: int, payload: TransferIn) -> Opportunity:
    services.opportunity_transfer(
        actor=request.user,
        opportunity=_find(request, opportunity_id),
        new_owner=_user(payload.owner, "owner"),
        reason=payload.reason,
    )
    return _detail(request, opportunity_id)


@router.get(
    "/opportunities/{int:opportunity_id}/history", response=list[StageChangeOut], tags=["opportunities"]
)
def opportunity_history_view(request: HttpRequest, opportunity_id: int) -> QuerySet[StageChange]:
    """Every stage change, oldest first, with the days spent in the stage it left."""
    return opportunity_history(opportunity=_detail(request, opportunity_id))


@router.post("/opportunities/{int:opportunity_id}/members", response={201: MemberOut}, tags=["opportunities"])
def add_member(request: HttpRequest, opportunity_id: int, payload: MemberIn) -> object:
    return services.opportunity_member_add(
        actor=request.user,
        opportunity=_detail(request, opportunity_id),
        user=_user(payload.user, "user"),
        role=payload.role,
        can_edit=payload.can_edit,
    )


@router.delete(
    "/opportunities/{int:opportunity_id}/members/{int:user_id}", response={204: None}, tags=["opportunities"]
)
def remove_member(request: HttpRequest, opportunity_id: int, user_id: int) -> Status:
    opportunity = _detail(request, opportunity_id)
    services.opportunity_member_remove(
        actor=request.user, opportunity=opportunity, user=_user(user_id, "user")
    )
    return Status(204, None)
