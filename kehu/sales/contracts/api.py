"""Contracts API: thin endpoints over the selectors (scope) and services."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kehu.approvals.models import ApprovalRequest
from kehu.approvals.selectors import approval_current_task
from kehu.approvals.services import approval_approve, approval_reject
from kehu.core.api import Pagination
from kehu.core.exceptions import ConflictError, DomainError
from kehu.customers.models import Contact
from kehu.customers.selectors import customer_get
from kehu.org.models import User
from kehu.sales.contracts import services
from kehu.sales.contracts.models import Contract, ContractAttachment
from kehu.sales.contracts.schemas import (
    AmendIn,
    AmendmentOut,
    AttachmentOut,
    CommentIn,
    ContractDetailOut,
    ContractFilterSchema,
    ContractIn,
    ContractOut,
    ContractPatch,
    ReasonIn,
)
from kehu.sales.contracts.selectors import contract_get, contract_list
from kehu.sales.opportunities.selectors import opportunity_get

router = Router(tags=["contracts"])


def _found(model: Any, pk: int | None, field: str, label: str) -> Any:
    if pk is None:
        return None
    record = model.objects.filter(pk=pk).first()
    if record is None:
        raise DomainError(_("There is no %(what)s with id %(id)s.") % {"what": label, "id": pk}, field=field)
    return record


def _detail(request: HttpRequest, pk: int) -> Contract:
    return contract_get(user=request.user, pk=pk)


def _rows(lines: list | None) -> list[dict] | None:
    return None if lines is None else [line.service_row() for line in lines]


@router.get("/contracts", response=list[ContractOut])
@paginate(Pagination)
def list_contracts(request: HttpRequest, filters: Query[ContractFilterSchema]) -> QuerySet[Contract]:
    """Contracts in your data scope, newest first."""
    return contract_list(user=request.user, filters=filters.filter_data())


@router.post("/contracts", response={201: ContractDetailOut})
def create_contract(request: HttpRequest, payload: ContractIn) -> Contract:
    """A draft contract of a customer you may see; with a won `opportunity` and neither `lines` nor
    `amount`, prefilled from its accepted quote (else from the opportunity)."""
    try:
        customer = customer_get(user=request.user, pk=payload.customer)
    except Http404:
        raise DomainError(
            _("There is no customer with id %(id)s.") % {"id": payload.customer}, field="customer"
        ) from None
    opportunity = None
    if payload.opportunity is not None:
        try:
            opportunity = opportunity_get(user=request.user, pk=payload.opportunity)
        except Http404:
            raise DomainError(
                _("There is no opportunity with id %(id)s.") % {"id": payload.opportunity},
                field="opportunity",
            ) from None
        if opportunity.customer_id != customer.pk:
            raise DomainError(_("The opportunity belongs to another customer."), field="opportunity")
    if opportunity is not None and payload.lines is None and payload.amount is None:
        contract = services.contract_create_from_opportunity(actor=request.user, opportunity=opportunity)
    else:
        contract = services.contract_create(
            actor=request.user,
            customer=customer,
            data=payload.service_data(),
            lines=_rows(payload.lines) or [],
            opportunity=opportunity,
            signing_contact=_found(Contact, payload.signing_contact, "signing_contact", _("contact")),
            signatory=_found(User, payload.signatory, "signatory", _("user")),
        )
    return _detail(request, contract.pk)


@router.get("/contracts/{int:contract_id}", response=ContractDetailOut)
def get_contract(request: HttpRequest, contract_id: int) -> Contract:
    return _detail(request, contract_id)


@router.patch("/contracts/{int:contract_id}", response=ContractDetailOut)
def update_contract(request: HttpRequest, contract_id: int, payload: ContractPatch) -> Contract:
    sent = payload.model_fields_set
    extra: dict[str, Any] = {}
    if "signing_contact" in sent:
        extra["signing_contact"] = _found(Contact, payload.signing_contact, "signing_contact", _("contact"))
    if "signatory" in sent:
        extra["signatory"] = _found(User, payload.signatory, "signatory", _("user"))
    services.contract_update(
        actor=request.user,
        contract=_detail(request, contract_id),
        data=payload.service_data(),
        lines=_rows(payload.lines),
        **extra,
    )
    return _detail(request, contract_id)


@router.delete("/contracts/{int:contract_id}", response={204: None})
def delete_contract(request: HttpRequest, contract_id: int) -> Status:
    """Only a draft never submitted; it goes to the recycle bin."""
    services.contract_delete(actor=request.user, contract=_detail(request, contract_id))
    return Status(204, None)


@router.post("/contracts/{int:contract_id}/submit", response=ContractDetailOut)
def submit_contract(request: HttpRequest, contract_id: int) -> Contract:
    """`approved` at once when no approval flow's conditions hold, else `pending` until decided."""
    services.contract_submit(actor=request.user, contract=_detail(request, contract_id))
    return _detail(request, contract_id)


@router.post("/contracts/{int:contract_id}/withdraw", response=ContractDetailOut)
def withdraw_contract(request: HttpRequest, contract_id: int) -> Contract:
    services.contract_withdraw(actor=request.user, contract=_detail(request, contract_id))
    return _detail(request, contract_id)


def _decide(request: HttpRequest, contract_id: int, comment: str, *, approve: bool) -> Contract:
    contract = _detail(request, contract_id)
    approval = ApprovalRequest.objects.for_document(contract).pending().first()
    if approval is None:
        raise ConflictError(_("This contract is not waiting for approval."))
    task = approval_current_task(approval_pk=approval.pk)
    if approve:
        approval_approve(actor=request.user, task=task, comment=comment)
    else:
        approval_reject(actor=request.user, task=task, comment=comment)
    return _detail(request, contract_id)


@router.post("/contracts/{int:contract_id}/approve", response=ContractDetailOut)
def approve_contract(request: HttpRequest, contract_id: int, payload: CommentIn) -> Contract:
    """Approve the step the contract's approval waits for, as one of its approvers (else 403)."""
    return _decide(request, contract_id, payload.comment, approve=True)


@router.post("/contracts/{int:contract_id}/reject", response=ContractDetailOut)
def reject_contract(request: HttpRequest, contract_id: int, payload: CommentIn) -> Contract:
    """Reject it with a comment (required); the contract may be edited and submitted again."""
    return _decide(request, contract_id, payload.comment, approve=False)


@router.post("/contracts/{int:contract_id}/start", response=ContractDetailOut)
def start_contract(request: HttpRequest, contract_id: int) -> Contract:
    services.contract_start(actor=request.user, contract=_detail(request, contract_id))
    return _detail(request, contract_id)


@router.post("/contracts/{int:contract_id}/complete", response=ContractDetailOut)
def complete_contract(request: HttpRequest, contract_id: int) -> Contract:
    services.contract_complete(actor=request.user, contract=_detail(request, contract_id))
    return _detail(request, contract_id)


@router.post("/contracts/{int:contract_id}/terminate", response=ContractDetailOut)
def terminate_contract(request: HttpRequest, contract_id: int, payload: ReasonIn) -> Contract:
    services.contract_terminate(
        actor=request.user, contract=_detail(request, contract_id), reason=payload.reason
    )
    return _detail(request, contract_id)


@router.post("/contracts/{int:contract_id}/amendments", response={201: AmendmentOut})
def amend_contract(request: HttpRequest, contract_id: int, payload: AmendIn) -> object:
    """Change a contract in force with a recorded amendment (reason required)."""
    return services.contract_amend(
        actor=request.user,
        contract=_detail(request, contract_id),
        reason=payload.reason,
        data=payload.service_data(),
        lines=_rows(payload.lines),
    )


@router.post("/contracts/{int:contract_id}/attachments", response={201: AttachmentOut})
def attach_to_contract(request: HttpRequest, contract_id: int, file: File[UploadedFile]) -> object:
    """Multipart upload of one file (`file`): PDF, images, Office documents, text, ZIP or OFD."""
    return services.contract_attach(actor=request.user, contract=_detail(request, contract_id), upload=file)


@router.delete("/contracts/{int:contract_id}/attachments/{int:attachment_id}", response={204: None})
def detach_from_contract(request: HttpRequest, contract_id: int, attachment_id: int) -> Status:
    contract = _detail(request, contract_id)
    attachment = ContractAttachment.objects.filter(contract=contract, pk=attachment_id).first()
    if attachment is None:
        raise Http404
    services.contract_attachment_delete(actor=request.user, attachment=attachment)
    return Status(204, None)
