"""Sales orders (销售订单): what a customer bought, with price and cost per line. Confirmed, shipped and
completed orders form the customer's purchase history.

The totals (amount, cost, gross profit) are stored, kept by the services through `totals.order_totals`, so
lists and statistics sum columns instead of lines. Who sees an order follows its owner and department
(the customer's owner when it was written), like the customer itself.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.core.models import OwnedModel, SoftDeleteQuerySet
from kehu.sales.orders.choices import EDITABLE, PURCHASES, OrderStatus

MONEY = {"max_digits": 14, "decimal_places": 2}


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


def _money(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, default=Decimal(0), **MONEY, **kwargs)


class OrderQuerySet(SoftDeleteQuerySet):
    def purchases(self) -> OrderQuerySet:
        """Living orders that count as purchases: confirmed, shipped or completed."""
        return self.alive().filter(status__in=PURCHASES)


class Order(OwnedModel):
    number = models.CharField(_("order number"), max_length=40, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,  # order_contract_idx leads with it
        help_text=_("The signed contract the order delivers, if any."),
    )
    order_date = models.DateField(_("order date"))
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    source_reference = models.CharField(
        _("source reference"), max_length=100, blank=True, help_text=_("For example a contract number.")
    )
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    total = _money(_("total"), editable=False)
    cost_total = _money(_("cost"), editable=False)
    gross_profit = _money(_("gross profit"), editable=False)
    cancel_reason = models.CharField(_("reason cancelled"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        ordering = ["-order_date", "-id"]
        indexes = [
            models.Index(fields=["-order_date", "-id"], name="order_list_idx"),
            models.Index(fields=["customer", "-order_date"], name="order_customer_idx"),
            models.Index(fields=["owner", "order_date"], name="order_owner_idx"),
            models.Index(fields=["department", "order_date"], name="order_department_idx"),
            models.Index(fields=["status", "-order_date"], name="order_status_idx"),
            models.Index(fields=["contract", "-order_date"], name="order_contract_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0, cost_total__gte=0), name="order_totals_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE


class OrderLine(models.Model):
    """A product (its name and unit copied when the line is written) or a free-text line."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "products.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    name = models.CharField(_("description"), max_length=200)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)]
    )
    unit_price = _money(_("unit price"), validators=[MinValueValidator(0)])
    unit_cost = _money(_("unit cost"), validators=[MinValueValidator(0)])
    amount = _money(_("amount"), editable=False)
    cost_amount = _money(_("cost amount"), editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0, unit_price__gte=0, unit_cost__gte=0),
                name="order_line_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name
