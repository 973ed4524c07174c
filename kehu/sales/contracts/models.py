"""Contracts (合同) with a customer: lines, life cycle through approval, amendments once in force, and
attachments. Who sees a contract follows its owner and department (the data scope), as for customers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.models import OwnedModel, SoftDeleteQuerySet
from kehu.sales.contracts.choices import EDITABLE, IN_FORCE, ContractStatus

MONEY = {"max_digits": 14, "decimal_places": 2}


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


class ContractQuerySet(SoftDeleteQuerySet):
    pass


class Contract(OwnedModel):
    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    quote = models.ForeignKey(
        "quotes.Quote",
        verbose_name=_("quote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    signing_contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("customer's signatory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signed_contracts",
    )
    signatory = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our signatory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    amount = models.DecimalField(_("amount"), default=Decimal(0), validators=[MinValueValidator(0)], **MONEY)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    terms = models.TextField(_("terms"), blank=True, max_length=20000)
    notes = models.TextField(_("internal notes"), blank=True, max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    started_at = models.DateTimeField(_("execution started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    terminated_at = models.DateTimeField(_("terminated at"), null=True, blank=True)
    termination_reason = models.CharField(_("reason for termination"), max_length=500, blank=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="contract_customer_idx"),
            models.Index(fields=["owner", "status"], name="contract_owner_status_idx"),
            models.Index(fields=["department", "status"], name="contract_dept_status_idx"),
            models.Index(fields=["status", "-signed_on"], name="contract_status_signed_idx"),
            models.Index(fields=["-created_at", "-id"], name="contract_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="contract_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_in_force(self) -> bool:
        return self.status in IN_FORCE


class ContractLine(models.Model):
    """A product (its name and unit copied when the line is written) or a free-text item."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        "products.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contract_lines",
    )
    name = models.CharField(_("description"), max_length=200)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)]
    )
    unit_price = models.DecimalField(
        _("unit price"), default=Decimal(0), validators=[MinValueValidator(0)], **MONEY
    )
    amount = models.DecimalField(_("amount"), default=Decimal(0), editable=False, **MONEY)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")
        ordering = ["contract", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0, unit_price__gte=0), name="contract_line_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContractAmendment(models.Model):
    """A recorded change of a contract in force: what changed, from what to what, why, by whom."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="amendments"
    )
    sequence = models.PositiveIntegerField(_("amendment no."))
    reason = models.CharField(_("reason"), max_length=500)
    changes = models.JSONField(_("changes"), default=dict)
    amount_before = models.DecimalField(_("amount before"), **MONEY)
    amount_after = models.DecimalField(_("amount after"), **MONEY)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("contract amendment")
        verbose_name_plural = _("contract amendments")
        ordering = ["contract", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "sequence"], name="contract_amendment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} #{self.sequence}"


def _attachment_path(instance: ContractAttachment, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    stamp = timezone.now()
    return f"contracts/{stamp:%Y/%m}/{instance.contract_id}-{stamp:%d%H%M%S%f}{suffix}"


class ContractAttachment(models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["contract", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name
