"""Quotes (报价单) of an opportunity: product or free-text lines, discounts, tax and totals.

The totals are stored (kept by the services through `totals.quote_totals`) so lists and approval
conditions read them without recomputing. Who sees a quote follows its opportunity.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.models import TimeStampedModel
from kehu.sales.quotes.choices import APPROVED_OR_SENT, EDITABLE, QuoteStatus

MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


def _money(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, default=Decimal(0), **MONEY, **kwargs)


def _percent(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=PERCENT_VALIDATORS,
        **kwargs,
    )


class QuoteQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """The quotes of the living opportunities the user sees (scope or team)."""
        from kehu.sales.opportunities.models import Opportunity

        return self.filter(opportunity__in=Opportunity.objects.alive().visible_to(user).values("pk"))


class Quote(TimeStampedModel):
    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="quotes"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
    )
    price_list = models.ForeignKey(
        "products.PriceList",
        verbose_name=_("price list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
        help_text=_("Product prices come from this list; without one, from the default list or list prices."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    valid_until = models.DateField(_("valid until"))
    discount_percent = _percent(_("total discount (%)"))
    terms = models.TextField(_("terms"), blank=True, max_length=5000)
    notes = models.TextField(_("internal notes"), blank=True, max_length=5000)
    list_amount = _money(_("amount at list prices"), editable=False)
    subtotal = _money(_("subtotal"), editable=False)
    discount_amount = _money(_("discount"), editable=False)
    net_amount = _money(_("amount before tax"), editable=False)
    tax_amount = _money(_("tax"), editable=False)
    total = _money(_("total"), editable=False)
    effective_discount = _percent(_("discount from list prices (%)"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision_of = models.ForeignKey(
        "self",
        verbose_name=_("copy of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revisions",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("accepted or declined at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason declined"), max_length=500, blank=True)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["opportunity", "-created_at"], name="quote_opportunity_idx"),
            models.Index(fields=["status", "-created_at"], name="quote_status_idx"),
            models.Index(fields=["customer", "-created_at"], name="quote_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100), name="quote_discount_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    def is_expired(self, today: date | None = None) -> bool:
        """Past its validity while it could still be sent or accepted."""
        still_open = self.status in (QuoteStatus.DRAFT, *APPROVED_OR_SENT)
        return still_open and self.valid_until < (today or timezone.localdate())


class QuoteLine(models.Model):
    """A product (its name, unit and price copied when the line is written) or a free-text line."""

    quote = models.ForeignKey(Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "products.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quote_lines",
    )
    name = models.CharField(_("description"), max_length=200)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)]
    )
    list_price = _money(_("list price"), validators=[MinValueValidator(0)])
    unit_price = _money(_("unit price"), validators=[MinValueValidator(0)])
    discount_percent = _percent(_("discount (%)"))
    tax_rate = _percent(_("tax rate (%)"))
    amount = _money(_("amount"), editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["quote", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0, unit_price__gte=0, list_price__gte=0),
                name="quote_line_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name
