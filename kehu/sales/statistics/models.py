"""Monthly rollups of the purchases, so that a year of statistics over a million orders adds up a few
thousand rows instead of every order and line.

A month's rows are exact while its `RollupMonth` says it is built; any change to a purchase of that month
(an order confirmed or cancelled, a confirmed order edited) marks it stale in the same transaction, and the
statistics read a stale month, or a month never built, from the orders themselves until `rollup_refresh`
builds it again. The rows carry the orders' owner and department, so the data scope applies to them as to
the orders (`visible_to`)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.scopes import ScopedQuerySet

MONEY = {"max_digits": 16, "decimal_places": 2, "default": Decimal(0)}


class RollupMonth(models.Model):
    month = models.DateField(_("month"), primary_key=True)  # its first day
    stale = models.BooleanField(_("stale"), default=True)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)

    class Meta:
        verbose_name = _("purchase rollup month")
        verbose_name_plural = _("purchase rollup months")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class _Owned(models.Model):
    month = models.DateField(_("month"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    department = models.ForeignKey(
        "org.Department", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    purchases = models.PositiveIntegerField(_("purchases"), default=0)
    amount = models.DecimalField(_("amount"), **MONEY)
    cost = models.DecimalField(_("cost"), **MONEY)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class PurchaseMonth(_Owned):
    """The purchases of a month by one owner in one department: how many, amount, cost, gross profit."""

    gross_profit = models.DecimalField(_("gross profit"), **MONEY)

    class Meta:
        verbose_name = _("purchases of a month")
        verbose_name_plural = _("purchases by month")
        indexes = [
            models.Index(fields=["month", "department", "owner"], name="purchase_month_idx"),
            models.Index(fields=["owner", "month"], name="purchase_month_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.owner_id}"


class ProductMonth(_Owned):
    """A product's lines on the purchases of a month by one owner in one department; `purchases` counts the
    orders with it (an order lies in one month and has one owner, so these add up across rows)."""

    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=2, default=Decimal(0))

    class Meta:
        verbose_name = _("product purchases of a month")
        verbose_name_plural = _("product purchases by month")
        indexes = [
            models.Index(fields=["month", "department", "owner"], name="product_month_idx"),
            models.Index(fields=["owner", "month"], name="product_month_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.product_id}"
