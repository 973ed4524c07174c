"""Payment collection API: plans, receipts, invoices and the receivables report, over a contract in the
caller's scope (404 outside it)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from kehu.core.api import Pagination
from kehu.core.exceptions import DomainError
from kehu.sales.contracts.models import Contract
from kehu.sales.contracts.selectors import contract_get
from kehu.sales.payments import services
from kehu.sales.payments.models import Instalment, Invoice, Receipt
from kehu.sales.payments.schemas import (
    ContractFilter,
    InvoiceIn,
    InvoiceOut,
    PlanIn,
    PlanOut,
    ReceiptIn,
    ReceiptOut,
    ReceivablesFilter,
    ReceivablesOut,
    VoidIn,
)
from kehu.sales.payments.selectors import (
    contract_payment_summary,
    instalments_with_status,
    receivables,
    receivables_aging_report,
)

router = Router(tags=["payments"])


def _contract(request: HttpRequest, pk: int, *, field: str | None = None) -> Contract:
    """A contract in the caller's scope: 404 (or a 400 naming `field`, for ids in a body) otherwise."""
    try:
        return contract_get(user=request.user, pk=pk)
    except Http404:
        if field is None:
            raise
        raise DomainError(_("There is no contract with id %(id)s.") % {"id": pk}, field=field) from None


def _ensure_can_view(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _plan(contract: Contract) -> dict[str, Any]:
    summary = contract_payment_summary(contract)
    return {
        "contract": contract.pk,
        "number": contract.number,
        "currency": contract.currency,
        "amount": summary.amount,
        "received": summary.received,
        "credit": summary.credit,
        "outstanding": summary.outstanding,
        "invoiced": summary.invoiced,
        "status": summary.status,
        "instalments": list(
            instalments_with_status(Instalment.objects.filter(contract=contract)).order_by("position")
        ),
    }


@router.get("/payment-plans/{int:contract_id}", response=PlanOut)
def get_plan(request: HttpRequest, contract_id: int) -> dict:
    """The contract's instalments with what was paid and their status, and its payment summary."""
    _ensure_can_view(request, "payments.view_instalment")
    return _plan(_contract(request, contract_id))


@router.put("/payment-plans/{int:contract_id}", response=PlanOut)
def set_plan(request: HttpRequest, contract_id: int, payload: PlanIn) -> dict:
    """Replace the plan: `instalments`, or `split` into equal ones; they must add up to the amount."""
    contract = _contract(request, contract_id)
    if (payload.instalments is None) == (payload.split is None):
        raise DomainError(_("Send either the instalments or a split."), field="instalments")
    if payload.split is not None:
        rows = services.plan_split_even(total=contract.amount, **payload.split.model_dump())
    else:
        rows = [row.model_dump() for row in payload.instalments or []]
    services.plan_set(actor=request.user, contract=contract, instalments=rows)
    return _plan(contract)


@router.get("/receipts", response=list[ReceiptOut])
@paginate(Pagination)
def list_receipts(request: HttpRequest, filters: Query[ContractFilter]) -> QuerySet[Receipt]:
    """Receipts of the contracts in your scope, newest first (voided ones included, marked)."""
    _ensure_can_view(request, "payments.view_receipt")
    contracts = Contract.objects.visible_to(request.user).alive()
    qs = Receipt.objects.filter(contract__in=contracts.values("pk"))
    if filters.contract:
        qs = qs.filter(contract_id=filters.contract)
    return qs.order_by("-received_on", "-id")


@router.post("/receipts", response={201: ReceiptOut})
def record_receipt(request: HttpRequest, payload: ReceiptIn) -> Receipt:
    contract = _contract(request, payload.contract, field="contract")
    instalment = None
    if payload.instalment is not None:
        instalment = Instalment.objects.filter(pk=payload.instalment, contract=contract).first()
        if instalment is None:
            raise DomainError(_("This instalment belongs to another contract."), field="instalment")
    data = payload.model_dump(include={"amount", "received_on", "method", "reference", "note"})
    return services.receipt_record(
        actor=request.user, contract=contract, data=data, instalment=instalment, excess=payload.excess
    )


@router.post("/receipts/{int:receipt_id}/void", response=ReceiptOut)
def void_receipt(request: HttpRequest, receipt_id: int, payload: VoidIn) -> Receipt:
    receipt = get_object_or_404(Receipt, pk=receipt_id)
    _contract(request, receipt.contract_id)
    return services.receipt_void(actor=request.user, receipt=receipt, reason=payload.reason)


@router.get("/invoices", response=list[InvoiceOut])
@paginate(Pagination)
def list_invoices(request: HttpRequest, filters: Query[ContractFilter]) -> QuerySet[Invoice]:
    _ensure_can_view(request, "payments.view_invoice")
    contracts = Contract.objects.visible_to(request.user).alive()
    qs = Invoice.objects.filter(contract__in=contracts.values("pk"))
    if filters.contract:
        qs = qs.filter(contract_id=filters.contract)
    return qs.order_by("-issued_on", "-id")


@router.post("/invoices", response={201: InvoiceOut})
def record_invoice(request: HttpRequest, payload: InvoiceIn) -> Invoice:
    contract = _contract(request, payload.contract, field="contract")
    data = payload.model_dump(exclude={"contract"})
    return services.invoice_record(actor=request.user, contract=contract, data=data)


@router.post("/invoices/{int:invoice_id}/void", response=InvoiceOut)
def void_invoice(request: HttpRequest, invoice_id: int) -> Invoice:
    invoice = get_object_or_404(Invoice, pk=invoice_id)
    _contract(request, invoice.contract_id)
    return services.invoice_void(actor=request.user, invoice=invoice)


@router.get("/reports/receivables", response=ReceivablesOut)
def receivables_report(request: HttpRequest, filters: Query[ReceivablesFilter]) -> dict:
    """Instalments still owed on signed contracts in your scope, soonest due first, with the aging of the
    outstanding amounts (not yet due, 1–30, 31–60, 61–90, over 90 days past due), in all and per rep and
    department."""
    _ensure_can_view(request, "payments.view_instalment")
    scope = {"user": request.user, "filters": filters.filter_data()}
    rows = receivables(**scope)
    report = receivables_aging_report(**scope)
    return {
        "aging": report.buckets,
        "by_owner": report.by_owner,
        "by_department": report.by_department,
        "count": rows.count(),
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }
