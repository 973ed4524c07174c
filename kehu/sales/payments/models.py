"""Payment collection (回款): a contract's payment plan of instalments, the receipts matched to them, and the
invoices issued. Statuses (unpaid, partly paid, paid, overdue) are derived from these rows and the date,
never stored. Money in Decimal, summed in SQL."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.sales.payments.choices import InvoiceKind, PaymentMethod

MONEY = {"max_digits": 14, "decimal_places": 2}


class Instalment(models.Model):
    """One due payment of a contract's plan; the plan's instalments add up to the contract's amount."""

    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("contract"), on_delete=models.CASCADE, related_name="instalments"
    )
    position = models.PositiveIntegerField(_("no."))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # What the receipts matched to it add up to: kept by `reallocate` with the allocations it rebuilds, so
    # lists and the aging read one column instead of summing allocations per instalment.
    paid = models.DecimalField(_("paid"), default=Decimal(0), editable=False, **MONEY)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["contract", "position"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "position"], name="instalment_position_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
            models.CheckConstraint(
                condition=Q(paid__gte=0, paid__lte=F("amount")), name="instalment_paid_within_amount"
            ),
        ]
        indexes = [
            models.Index(fields=["due_on", "contract"], name="instalment_due_idx"),
            # what is still owed, by contract: the receivables and their aging
            models.Index(
                fields=["contract", "due_on"],
                include=["amount", "paid"],
                condition=Q(paid__lt=F("amount")),
                name="instalment_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} #{self.position} {self.due_on}"


class Receipt(models.Model):
    """Money received for a contract. Never deleted: a mistaken receipt is voided, with a reason."""

    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="receipts"
    )
    amount = models.DecimalField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY)
    received_on = models.DateField(_("received on"))
    method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("Bank slip or bill no.")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The instalment the payer named, if any: it is matched first, the rest goes to the oldest due ones.
    instalment = models.ForeignKey(
        Instalment,
        verbose_name=_("for instalment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    credit = models.DecimalField(
        _("credit"), default=Decimal(0), help_text=_("The part beyond what the contract owed."), **MONEY
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("reason voided"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["contract", "received_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
            models.CheckConstraint(condition=Q(credit__gte=0), name="receipt_credit_not_negative"),
        ]
        indexes = [models.Index(fields=["contract", "received_on"], name="receipt_contract_idx")]

    def __str__(self) -> str:
        return f"{self.amount} {self.received_on}"


class ReceiptAllocation(models.Model):
    """How much of a receipt pays an instalment; rebuilt whenever the plan or the receipts change."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="allocations")
    instalment = models.ForeignKey(Instalment, on_delete=models.CASCADE, related_name="allocations")
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("receipt allocation")
        verbose_name_plural = _("receipt allocations")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive")]
        indexes = [models.Index(fields=["instalment"], name="allocation_instalment_idx")]

    def __str__(self) -> str:
        return f"{self.amount} → {self.instalment_id}"


class Invoice(models.Model):
    """An invoice (发票) issued against a contract."""

    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(_("invoice number"), max_length=40)
    kind = models.CharField(
        _("kind"), max_length=20, choices=InvoiceKind.choices, default=InvoiceKind.SPECIAL_VAT
    )
    issued_on = models.DateField(_("issued on"))
    amount = models.DecimalField(
        _("amount with tax"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    tax_amount = models.DecimalField(_("tax"), default=Decimal(0), validators=[MinValueValidator(0)], **MONEY)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["contract", "issued_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.UniqueConstraint(
                fields=["number"], condition=Q(voided_at__isnull=True), name="invoice_number_once"
            ),
        ]

    def __str__(self) -> str:
        return self.number
