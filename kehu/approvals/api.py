"""Approvals API: my queue and the approvals I submitted or decided, approve / reject, and flows (admins)."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kehu.approvals import flows, services
from kehu.approvals.models import ApprovalFlow, ApprovalRequest
from kehu.approvals.schemas import (
    ApprovalFilterSchema,
    ApprovalOut,
    DecisionIn,
    FlowIn,
    FlowOut,
    FlowPatch,
    RejectIn,
)
from kehu.approvals.selectors import (
    approval_current_task,
    approval_flow_list,
    approval_get,
    approval_list,
)
from kehu.core.api import Pagination
from kehu.core.permissions import ensure_perm

router = Router(tags=["approvals"])


@router.get("/approvals", response=list[ApprovalOut])
@paginate(Pagination)
def list_approvals(request: HttpRequest, filters: Query[ApprovalFilterSchema]) -> QuerySet[ApprovalRequest]:
    """Approvals waiting for you, oldest first; `view=submitted` or `decided` for yours, `all` for admins."""
    return approval_list(user=request.user, filters=filters.filter_data())


@router.get("/approvals/{int:approval_id}", response=ApprovalOut)
def get_approval(request: HttpRequest, approval_id: int) -> ApprovalRequest:
    return approval_get(user=request.user, pk=approval_id)


@router.post("/approvals/{int:approval_id}/approve", response=ApprovalOut)
def approve_task(request: HttpRequest, approval_id: int, payload: DecisionIn) -> ApprovalRequest:
    """Approve the step the approval waits for, as one of its approvers (else 403)."""
    task = approval_current_task(approval_pk=approval_id)
    approval = services.approval_approve(actor=request.user, task=task, comment=payload.comment)
    return approval_get(user=request.user, pk=approval.pk)


@router.post("/approvals/{int:approval_id}/reject", response=ApprovalOut)
def reject_task(request: HttpRequest, approval_id: int, payload: RejectIn) -> ApprovalRequest:
    """Reject the step the approval waits for, with a comment; the submitter may edit and resubmit."""
    task = approval_current_task(approval_pk=approval_id)
    approval = services.approval_reject(actor=request.user, task=task, comment=payload.comment)
    return approval_get(user=request.user, pk=approval.pk)


@router.get("/approval-flows", response=list[FlowOut])
def list_flows(request: HttpRequest, document_type: str | None = None) -> QuerySet[ApprovalFlow]:
    ensure_perm(request.user, "approvals.view_approvalflow")
    return approval_flow_list(document_type=document_type)


@router.post("/approval-flows", response={201: FlowOut})
def create_flow(request: HttpRequest, payload: FlowIn) -> Status:
    flow = flows.approval_flow_create(actor=request.user, data=payload.service_data())
    return Status(201, approval_flow_list().get(pk=flow.pk))


def _flow(request: HttpRequest, flow_id: int) -> ApprovalFlow:
    ensure_perm(request.user, "approvals.view_approvalflow")
    return get_object_or_404(approval_flow_list(), pk=flow_id)


@router.get("/approval-flows/{int:flow_id}", response=FlowOut)
def get_flow(request: HttpRequest, flow_id: int) -> ApprovalFlow:
    return _flow(request, flow_id)


@router.patch("/approval-flows/{int:flow_id}", response=FlowOut)
def update_flow(request: HttpRequest, flow_id: int, payload: FlowPatch) -> ApprovalFlow:
    flow = _flow(request, flow_id)
    flows.approval_flow_update(actor=request.user, flow=flow, data=payload.service_data())
    return _flow(request, flow_id)


@router.delete("/approval-flows/{int:flow_id}", response={204: None})
def delete_flow(request: HttpRequest, flow_id: int) -> Status:
    flows.approval_flow_delete(actor=request.user, flow=_flow(request, flow_id))
    return Status(204, None)
