"""Writes for payment collection: the payment plan, receipts (matched to instalments), invoices.

Who may do what: whoever may change the contract (its owner/department scope, `contracts.change_contract`)
sets its plan and records receipts and invoices, with the payments permission for it; voiding a receipt
or an invoice takes `payments.change_receipt` / `payments.change_invoice` (managers).

Matching: a receipt pays the instalment it names first, then the oldest unpaid ones (by due date). The
matching is rebuilt from all living receipts, in the order they were received, whenever the plan or the
receipts change, so it never depends on the order things were typed in. What a receipt brings beyond
what the contract owes is the customer's credit, only when the user chose so (`excess="credit"`).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.activity import activity_record
from kehu.core.exceptions import ConflictError, DomainError
from kehu.core.money import CENT, MAX_MONEY, decimal_or_none
from kehu.core.permissions import ensure_perm
from kehu.org.models import User
from kehu.sales.contracts.choices import SIGNED, ContractStatus
from kehu.sales.contracts.models import Contract
from kehu.sales.contracts.services import ensure_can_change
from kehu.sales.payments.choices import Excess, InvoiceKind, PaymentMethod
from kehu.sales.payments.models import Instalment, Invoice, Receipt, ReceiptAllocation

MAX_INSTALMENTS = 120


def _money(value: Any, field: str, *, positive: bool = True) -> Decimal:
    number = decimal_or_none(value)
    low = CENT if positive else Decimal(0)
    if number is None or not low <= number <= MAX_MONEY or number != number.quantize(CENT):
        raise ValidationError({field: _("Enter an amount in yuan and fen (cents), above zero.")})
    return number


def _date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: _("Enter a date as YYYY-MM-DD.")}) from None


def _record(actor: User, contract: Contract, verb: str, **data: Any) -> None:
    data = {"number": contract.number, **data}
    activity_record(actor=actor, subject=contract, verb=verb, data=data, customer_id=contract.customer_id)


def _lock(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


# Matching -------------------------------------------------------------------------------------------------


def reallocate(contract: Contract) -> None:
    """Rebuild the receipts' matching to the instalments, what each instalment has been paid, and the
    receipts' credit (set-based writes, one contract)."""
    instalments = list(Instalment.objects.filter(contract=contract).order_by("due_on", "position"))
    receipts = list(
        Receipt.objects.filter(contract=contract, voided_at__isnull=True).order_by("received_on", "id")
    )
    open_amounts = {instalment.pk: instalment.amount for instalment in instalments}
    capacity = contract.amount  # without a plan, receipts pay the contract's amount, unmatched
    allocations, credits = [], {}
    for receipt in receipts:
        left = receipt.amount
        if instalments:
            named = [i for i in instalments if i.pk == receipt.instalment_id]
            for instalment in [*named, *(i for i in instalments if i.pk != receipt.instalment_id)]:
                take = min(left, open_amounts[instalment.pk])
                if take > 0:
                    allocations.append(ReceiptAllocation(receipt=receipt, instalment=instalment, amount=take))
                    open_amounts[instalment.pk] -= take
                    left -= take
        else:
            take = min(left, max(capacity, Decimal(0)))
            capacity -= take
            left -= take
        credits[receipt.pk] = left
    ReceiptAllocation.objects.filter(receipt__contract=contract).delete()
    ReceiptAllocation.objects.bulk_create(allocations)
    paid = [i for i in instalments if i.paid != i.amount - open_amounts[i.pk]]
    for instalment in paid:
        instalment.paid = instalment.amount - open_amounts[instalment.pk]
    Instalment.objects.bulk_update(paid, ["paid"])
    changed = [r for r in receipts if r.credit != credits[r.pk]]
    for receipt in changed:
        receipt.credit = credits[receipt.pk]
    Receipt.objects.bulk_update(changed, ["credit"])
    Receipt.objects.filter(contract=contract, voided_at__isnull=False).exclude(credit=0).update(credit=0)


def _received(contract: Contract) -> Decimal:
    """What the living receipts pay of the contract (credit excluded)."""
    totals = Receipt.objects.filter(contract=contract, voided_at__isnull=True).aggregate(
        amount=Sum("amount"), credit=Sum("credit")
    )
    return (totals["amount"] or Decimal(0)) - (totals["credit"] or Decimal(0))


# The plan -------------------------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plan_split_even(*, total: Decimal, count: int, first_due: date, months_apart: int = 1) -> list[dict]:
    """`count` instalments of `total`, due `months_apart` months apart from `first_due`; equal amounts to
    the fen, the last one taking the rounding, so they add up to `total` exactly."""
    if not 1 <= count <= MAX_INSTALMENTS:
        raise ValidationError({"count": _("Split into 1 to %(n)s instalments.") % {"n": MAX_INSTALMENTS}})
    share = (Decimal(total) / count).quantize(CENT, rounding=ROUND_DOWN)
    rows = []
    for n in range(count):
        amount = share if n < count - 1 else Decimal(total) - share * (count - 1)
        due = _add_months(first_due, n * months_apart)
        rows.append({"due_on": due, "amount": amount, "description": _("Instalment %(n)s") % {"n": n + 1}})
    return rows


@transaction.atomic
def plan_set(
    *, actor: User, contract: Contract, instalments: Sequence[Mapping[str, Any]]
) -> list[Instalment]:
    """Replace the contract's payment plan; the instalments must add up to the contract's amount exactly.
    Receipts already recorded are matched again to the new plan."""
    ensure_perm(actor, "payments.add_instalment")
    ensure_can_change(actor, contract)
    contract = _lock(contract)
    if contract.status == ContractStatus.TERMINATED:
        raise ConflictError(_("This contract was terminated: its plan stays as it was."))
    if not instalments:
        raise ValidationError({"instalments": _("A plan needs at least one instalment.")})
    if len(instalments) > MAX_INSTALMENTS:
        raise ValidationError({"instalments": _("At most %(n)s instalments.") % {"n": MAX_INSTALMENTS}})
    rows = []
    for row in instalments:
        due = _date(row.get("due_on"), "instalments")
        rows.append(
            (due, _money(row.get("amount"), "instalments"), str(row.get("description") or "").strip()[:200])
        )
    total = sum((amount for _due, amount, _text in rows), Decimal(0))
    if total != contract.amount:
        raise ValidationError(
            {
                "instalments": _("The instalments add up to %(total)s; the contract's amount is %(amount)s.")
                % {"total": f"{total:,.2f}", "amount": f"{contract.amount:,.2f}"}
            }
        )
    rows.sort(key=lambda row: row[0])
    Receipt.objects.filter(contract=contract).update(instalment=None)
    Instalment.objects.filter(contract=contract).delete()
    created = Instalment.objects.bulk_create(
        Instalment(contract=contract, position=n, due_on=due, amount=amount, description=text)
        for n, (due, amount, text) in enumerate(rows, start=1)
    )
    reallocate(contract)
    _record(actor, contract, "contract.plan_set", instalments=len(created), amount=f"{total:.2f}")
    return created


# Receipts -------------------------------------------------------------------------------------------------


@transaction.atomic
def receipt_record(
    *,
    actor: User,
    contract: Contract,
    data: Mapping[str, Any],
    instalment: Instalment | None = None,
    excess: str = Excess.REFUSE,
    credit_agreed: Decimal | None = None,
) -> Receipt:
    """Record money received for a signed contract: amount, received_on, method, reference, note. A receipt
    beyond what the contract still owes is refused, or kept as the customer's credit with excess="credit";
    `credit_agreed`, when given, is the excess the user agreed to keep, checked under the contract's lock."""
    ensure_perm(actor, "payments.add_receipt")
    ensure_can_change(actor, contract)
    contract = _lock(contract)
    if contract.status not in SIGNED:
        raise ConflictError(
            _("Receipts are recorded for signed contracts (approved, executing or completed).")
        )
    if instalment is not None and instalment.contract_id != contract.pk:
        raise DomainError(_("This instalment belongs to another contract."), field="instalment")
    if excess not in Excess.values:
        raise DomainError(_("Choose whether to refuse an over-payment or keep it as credit."), field="excess")
    amount = _money(data.get("amount"), "amount")
    received_on = _date(data.get("received_on") or timezone.localdate(), "received_on")
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("Money cannot be received in the future.")})
    method = data.get("method") or PaymentMethod.BANK_TRANSFER
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Choose how the money came in.")})
    owed = contract.amount - _received(contract)
    if amount > owed and excess == Excess.REFUSE:
        raise ConflictError(
            _(
                "This receipt is %(excess)s more than the contract still owes (%(owed)s): correct the "
                "amount, or keep the difference as the customer's credit."
            )
            % {"excess": f"{amount - max(owed, Decimal(0)):,.2f}", "owed": f"{max(owed, Decimal(0)):,.2f}"},
            field="amount",
        )
    if excess == Excess.CREDIT and credit_agreed is not None:
        excess_now = max(amount - max(owed, Decimal(0)), Decimal(0))
        if excess_now != credit_agreed:
            raise ConflictError(
                _("Another receipt came in meanwhile: the excess is now %(excess)s. Check and record again.")
                % {"excess": f"{excess_now:,.2f}"},
                field="amount",
            )
    receipt = Receipt.objects.create(
        contract=contract,
        amount=amount,
        received_on=received_on,
        method=method,
        reference=str(data.get("reference") or "").strip()[:100],
        note=str(data.get("note") or "").strip()[:500],
        instalment=instalment,
        recorded_by=actor,
    )
    reallocate(contract)
    receipt.refresh_from_db()
    _record(actor, contract, "contract.receipt", amount=f"{amount:.2f}", credit=f"{receipt.credit:.2f}")
    return receipt


@transaction.atomic
def receipt_void(*, actor: User, receipt: Receipt, reason: str) -> Receipt:
    """Void a mistaken receipt (it stays, marked, with the reason); the rest is matched again."""
    ensure_perm(actor, "payments.change_receipt")
    contract = _lock(receipt.contract)
    ensure_can_change(actor, contract)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for voiding the receipt."), field="reason")
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.voided_at is not None:
        raise ConflictError(_("This receipt is already void."))
    receipt.voided_at, receipt.void_reason = timezone.now(), reason[:500]
    receipt.save(update_fields=["voided_at", "void_reason"])
    reallocate(contract)
    _record(
        actor, contract, "contract.receipt_voided", amount=f"{receipt.amount:.2f}", reason=receipt.void_reason
    )
    return receipt


# Invoices -------------------------------------------------------------------------------------------------


@transaction.atomic
def invoice_record(*, actor: User, contract: Contract, data: Mapping[str, Any]) -> Invoice:
    """Record an invoice issued against a signed contract; invoices never add up to more than its amount."""
    ensure_perm(actor, "payments.add_invoice")
    ensure_can_change(actor, contract)
    contract = _lock(contract)
    if contract.status not in SIGNED:
        raise ConflictError(
            _("Invoices are recorded for signed contracts (approved, executing or completed).")
        )
    number = str(data.get("number") or "").strip()[:40]
    if not number:
        raise ValidationError({"number": _("Give the invoice number.")})
    if Invoice.objects.filter(number=number, voided_at__isnull=True).exists():
        raise ConflictError(
            _("An invoice numbered %(number)s is recorded already.") % {"number": number}, field="number"
        )
    kind = data.get("kind") or InvoiceKind.SPECIAL_VAT
    if kind not in InvoiceKind.values:
        raise ValidationError({"kind": _("Choose the kind of invoice.")})
    amount = _money(data.get("amount"), "amount")
    tax = _money(data.get("tax_amount") or 0, "tax_amount", positive=False)
    if tax > amount:
        raise ValidationError({"tax_amount": _("The tax cannot exceed the amount.")})
    invoiced = Invoice.objects.filter(contract=contract, voided_at__isnull=True).aggregate(s=Sum("amount"))[
        "s"
    ]
    if (invoiced or Decimal(0)) + amount > contract.amount:
        raise ConflictError(
            _("Invoices would add up to more than the contract's amount (%(amount)s).")
            % {"amount": f"{contract.amount:,.2f}"},
            field="amount",
        )
    invoice = Invoice.objects.create(
        contract=contract,
        number=number,
        kind=kind,
        issued_on=_date(data.get("issued_on") or timezone.localdate(), "issued_on"),
        amount=amount,
        tax_amount=tax,
        note=str(data.get("note") or "").strip()[:500],
        recorded_by=actor,
    )
    _record(actor, contract, "contract.invoiced", invoice=number, amount=f"{amount:.2f}")
    return invoice


@transaction.atomic
def invoice_void(*, actor: User, invoice: Invoice) -> Invoice:
    ensure_perm(actor, "payments.change_invoice")
    ensure_can_change(actor, invoice.contract)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.voided_at is not None:
        raise ConflictError(_("This invoice is already void."))
    invoice.voided_at = timezone.now()
    invoice.save(update_fields=["voided_at"])
    _record(actor, invoice.contract, "contract.invoice_voided", invoice=invoice.number)
    return invoice
