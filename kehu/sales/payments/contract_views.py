"""A contract's Payments tab, loaded from here into the contract's page (#payments-panel): the payment
summary, the plan with its editor and the even split, the receipts and the invoices. Each form posts here;
over htmx the panel comes back (with the form's errors in place and the user's input kept, or with a toast),
as a plain request a redirect to the contract's tab, or this page with the errors.

Who may do what is the services' decision (`ensure_can_change` of the contract, then the payments
permission); the page only hides what they would refuse, and anyone who may not change the contract gets
403 on every POST, before the form is even read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kehu.core.exceptions import DomainError, raise_if_forbidden
from kehu.core.htmx import render_partial, toast
from kehu.org.http import AuthenticatedHttpRequest
from kehu.org.models import User
from kehu.sales.contracts.choices import SIGNED, ContractStatus
from kehu.sales.contracts.models import Contract
from kehu.sales.contracts.selectors import contract_get
from kehu.sales.contracts.services import ensure_can_change
from kehu.sales.payments import services
from kehu.sales.payments.choices import Excess
from kehu.sales.payments.forms import (
    InvoiceForm,
    PlanFormSet,
    ReceiptForm,
    SplitForm,
    VoidForm,
    plan_initial,
)
from kehu.sales.payments.models import Instalment, Invoice, Receipt
from kehu.sales.payments.selectors import contract_payment_summary, instalments_with_status

PANEL = "payments/contract_payments.html"


def _tab_url(contract: Contract) -> str:
    return reverse("contracts:detail", args=[contract.pk]) + "?tab=payments"


def _may(user: User, contract: Contract) -> dict[str, bool]:
    """What the user may do here (the services decide again on each request)."""
    try:
        ensure_can_change(user, contract)
    except DomainError:
        return dict.fromkeys(("plan", "receipt", "invoice", "void_receipt", "void_invoice"), False)
    signed = contract.status in SIGNED
    return {
        "plan": signed and user.has_perm("payments.add_instalment"),
        "receipt": signed and user.has_perm("payments.add_receipt"),
        "invoice": signed and user.has_perm("payments.add_invoice"),
        "void_receipt": user.has_perm("payments.change_receipt"),
        "void_invoice": user.has_perm("payments.change_invoice"),
    }


def _context(request: AuthenticatedHttpRequest, contract: Contract, **given: Any) -> dict[str, Any]:
    user = request.user
    instalments = list(
        instalments_with_status(Instalment.objects.filter(contract=contract)).order_by("position")
    )
    receipts = invoices = None
    if user.has_perm("payments.view_receipt"):
        receipts = Receipt.objects.filter(contract=contract).select_related("recorded_by", "instalment")
        receipts = list(receipts.order_by("-received_on", "-id"))
    if user.has_perm("payments.view_invoice"):
        invoices = Invoice.objects.filter(contract=contract).select_related("recorded_by")
        invoices = list(invoices.order_by("-issued_on", "-id"))
    return {
        "contract": contract,
        "signed": contract.status in SIGNED,
        "terminated": contract.status == ContractStatus.TERMINATED,
        "summary": contract_payment_summary(contract),
        "instalments": instalments,
        "receipts": receipts,
        "invoices": invoices,
        "may": _may(user, contract),
        "plan": given.get("plan") or PlanFormSet(prefix="plan", initial=plan_initial(instalments)),
        "plan_errors": given.get("plan_errors", []),
        "split": given.get("split") or SplitForm(),
        "receipt_form": given.get("receipt_form") or ReceiptForm(instalments=instalments),
        "invoice_form": given.get("invoice_form") or InvoiceForm(),
        "void": given.get("void"),  # ("receipt", pk, form) of a void refused
        "error": given.get("error", ""),
    }


def _panel(request: AuthenticatedHttpRequest, contract: Contract, **given: Any) -> HttpResponse:
    return render_partial(
        request, PANEL, _context(request, contract, **given), target="payments-panel", partial="panel"
    )


def _done(request: AuthenticatedHttpRequest, contract: Contract, message: str) -> HttpResponse:
    if request.htmx:
        return toast(_panel(request, contract), message)
    messages.success(request, message)
    return redirect(_tab_url(contract))


def _refused(request: AuthenticatedHttpRequest, contract: Contract, message: str) -> HttpResponse:
    """A refusal with no form to show it next to: an alert atop the panel, or a message on the tab."""
    if request.htmx:
        return _panel(request, contract, error=message)
    messages.error(request, message)
    return redirect(_tab_url(contract))


def _writable(request: AuthenticatedHttpRequest, pk: int) -> Contract:
    """A contract the user sees (404 otherwise) and may change (403 otherwise)."""
    contract = contract_get(user=request.user, pk=pk)
    try:
        ensure_can_change(request.user, contract)
    except DomainError as exc:
        raise_if_forbidden(exc)
    return contract


def _add_errors(form: Any, exc: ValidationError | DomainError) -> str:
    """Put the service's reasons next to their fields; one about no field (the contract's status: the form
    may not even be shown any more) is returned, for an alert atop the panel."""
    if isinstance(exc, DomainError):
        if exc.field is None:
            return exc.message
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return ""
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
    return ""


def _messages(exc: ValidationError | DomainError) -> list[str]:
    return [exc.message] if isinstance(exc, DomainError) else exc.messages


@require_safe
@login_required
@permission_required("payments.view_instalment", raise_exception=True)
def contract_payments_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _panel(request, contract_get(user=request.user, pk=pk))


# The plan --------------------------------------------------------------------------------------------------


@require_POST
@login_required
def contract_plan_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Save the rows of the plan editor; or the even split: `split=fill` fills the editor, `split=save`
    saves it at once. A plan that does not add up comes back with the service's reason and the rows kept."""
    contract = _writable(request, pk)
    split = None
    if request.POST.get("split") in ("fill", "save"):
        split = SplitForm(request.POST)
        if not split.is_valid():
            return _panel(request, contract, split=split)
        rows = services.plan_split_even(total=contract.amount, **split.cleaned_data)
        plan = PlanFormSet(prefix="plan", initial=rows)
        if request.POST["split"] == "fill":
            return _panel(request, contract, plan=plan, split=split)
    else:
        plan = PlanFormSet(request.POST, prefix="plan")
        if not plan.is_valid():
            return _panel(request, contract, plan=plan)
        rows = plan.rows()
    try:
        created = services.plan_set(actor=request.user, contract=contract, instalments=rows)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError):
            raise_if_forbidden(exc)
            if exc.field is None:  # the contract's status: the editor is not shown any more
                return _panel(request, contract, plan=plan, split=split, error=exc.message)
        return _panel(request, contract, plan=plan, split=split, plan_errors=_messages(exc))
    done = _("Payment plan saved: %(n)s instalments.") % {"n": len(created)}
    return _done(request, contract, done)


# Receipts --------------------------------------------------------------------------------------------------


def _excess(contract: Contract, amount: Decimal) -> Decimal:
    """What `amount` brings beyond what the contract still owes."""
    return max(amount - contract_payment_summary(contract).outstanding, Decimal(0))


@require_POST
@login_required
def contract_receipt_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record a receipt. An over-payment is refused, and the form comes back offering to keep the exact
    excess as the customer's credit: ticked, and for that same excess, it is recorded so."""
    contract = _writable(request, pk)
    instalments = list(contract.instalments.all())
    form = ReceiptForm(request.POST, instalments=instalments)
    if not form.is_valid():
        return _panel(request, contract, receipt_form=form)
    chosen = form.cleaned_data["instalment"]
    instalment = next((i for i in instalments if i.pk == chosen), None)
    amount, kept = form.cleaned_data["amount"], form.cleaned_data["keep_excess"]
    excess = Excess.CREDIT if kept is not None and kept == _excess(contract, amount) else Excess.REFUSE
    try:
        receipt = services.receipt_record(
            actor=request.user,
            contract=contract,
            data=form.service_data(),
            instalment=instalment,
            excess=excess,
            credit_agreed=kept if excess == Excess.CREDIT else None,
        )
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError):
            raise_if_forbidden(exc)
        error = _add_errors(form, exc)
        form.excess = _excess(contract, amount) or None
        return _panel(request, contract, receipt_form=form, error=error)
    if receipt.credit:
        done = _("Receipt of %(amount)s recorded; %(credit)s kept as the customer's credit.")
    else:
        done = _("Receipt of %(amount)s recorded.")
    return _done(request, contract, done % {"amount": f"{amount:,.2f}", "credit": f"{receipt.credit:,.2f}"})


@require_POST
@login_required
def receipt_void_view(request: AuthenticatedHttpRequest, pk: int, receipt_pk: int) -> HttpResponse:
    contract = _writable(request, pk)
    receipt = get_object_or_404(Receipt, pk=receipt_pk, contract=contract)
    form, error = VoidForm(request.POST), ""
    if form.is_valid():
        try:
            services.receipt_void(actor=request.user, receipt=receipt, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            raise_if_forbidden(exc)
            error = _add_errors(form, exc)
        else:
            done = _("Receipt of %(amount)s voided.") % {"amount": f"{receipt.amount:,.2f}"}
            return _done(request, contract, done)
    return _panel(request, contract, void=("receipt", receipt.pk, form), error=error)


# Invoices --------------------------------------------------------------------------------------------------


@require_POST
@login_required
def contract_invoice_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = _writable(request, pk)
    form, error = InvoiceForm(request.POST), ""
    if form.is_valid():
        try:
            invoice = services.invoice_record(actor=request.user, contract=contract, data=form.service_data())
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, DomainError):
                raise_if_forbidden(exc)
            error = _add_errors(form, exc)
        else:
            return _done(request, contract, _("Invoice %(number)s recorded.") % {"number": invoice.number})
    return _panel(request, contract, invoice_form=form, error=error)


@require_POST
@login_required
def invoice_void_view(request: AuthenticatedHttpRequest, pk: int, invoice_pk: int) -> HttpResponse:
    contract = _writable(request, pk)
    invoice = get_object_or_404(Invoice, pk=invoice_pk, contract=contract)
    try:
        services.invoice_void(actor=request.user, invoice=invoice)
    except DomainError as exc:
        raise_if_forbidden(exc)
        return _refused(request, contract, exc.message)
    return _done(request, contract, _("Invoice %(number)s voided.") % {"number": invoice.number})
