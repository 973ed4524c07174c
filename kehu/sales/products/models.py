"""Products, their categories, and price lists (per channel or region) with validity dates."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.core.models import TimeStampedModel


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


class ProductCategory(models.Model):
    """A node of the small category tree (软件许可 → 年度订阅 …)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="product_category_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ProductQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Product(TimeStampedModel):
    """Something we sell: a licence, a service, a device, a course. Money in Decimal, never float."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    unit = models.CharField(_("unit"), max_length=16, default="个")
    list_price = models.DecimalField(
        _("list price"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    cost = models.DecimalField(
        _("cost"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=13,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True, max_length=5000)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code", "id"]
        indexes = [models.Index(fields=["category", "active"], name="product_category_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_list_price_not_negative"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="product_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lte=100), name="product_tax_rate_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PriceListQuerySet(models.QuerySet):
    def valid_on(self, day: date):
        """Active lists whose validity includes `day` (an empty end date means open-ended)."""
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), active=True, valid_from__lte=day)


class PriceList(TimeStampedModel):
    """Prices for a channel or region, valid from one date to another (or open-ended)."""

    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default=default_currency,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code such as CNY."))],
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Applies when no price list is chosen.")
    )

    objects = PriceListQuerySet.as_manager()

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-valid_from", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="price_list_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: date) -> bool:
        return self.active and self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class PriceListItem(models.Model):
    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="price_list_items"
    )
    price = models.DecimalField(
        _("price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        ordering = ["price_list", "product__code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="price_list_item_unique_product"),
            models.CheckConstraint(condition=Q(price__gte=0), name="price_list_item_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.price_list}: {self.product}"
