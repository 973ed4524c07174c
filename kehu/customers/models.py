"""Customers (companies or persons), their contacts, and tags."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kehu.core.models import OwnedModel, SoftDeleteQuerySet, TimeStampedModel
from kehu.customers.choices import (
    CompanySize,
    CustomerKind,
    CustomerLevel,
    CustomerSource,
    CustomerStatus,
    Industry,
    IntentLevel,
)


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)
    color = models.CharField(_("colour"), max_length=16, default="secondary")

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomerQuerySet(SoftDeleteQuerySet):
    def companies(self):
        return self.filter(kind=CustomerKind.COMPANY)

    def with_status(self, status: str):
        return self.filter(status=status)


class Customer(OwnedModel):
    """A company or a person we sell to. Deleted customers stay, with `deleted_at` set, in the recycle bin."""

    kind = models.CharField(
        _("type"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.COMPANY
    )
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=CustomerStatus.choices, default=CustomerStatus.POTENTIAL
    )
    intent_level = models.CharField(_("intent level"), max_length=16, choices=IntentLevel.choices, blank=True)
    level = models.CharField(_("level"), max_length=1, choices=CustomerLevel.choices, blank=True)
    focus_points = models.TextField(_("focus points"), blank=True, max_length=2000)
    purchase_motivation = models.TextField(_("purchase motivation"), blank=True, max_length=2000)
    estimated_value = models.DecimalField(
        _("estimated value"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default=default_currency,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code such as CNY."))],
    )
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    size = models.CharField(_("size"), max_length=16, choices=CompanySize.choices, blank=True)
    source = models.CharField(_("source"), max_length=32, choices=CustomerSource.choices, blank=True)
    province = models.CharField(_("province"), max_length=32, blank=True)
    city = models.CharField(_("city"), max_length=32, blank=True)
    district = models.CharField(_("district"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("Stored in E.164 form."))
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    remark = models.TextField(_("remark"), blank=True, max_length=5000)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    search_text = models.TextField(editable=False, default="")
    # normalize_company_name(name) for companies: the duplicate check's key ("(中国)", 有限公司 dropped).
    name_key = models.CharField(max_length=200, blank=True, editable=False, default="")
    # Kept right by the services (customers, followups): the workbench and the pool's reclaim read them.
    last_followup_at = models.DateTimeField(_("last follow-up"), null=True, blank=True, editable=False)
    next_followup_at = models.DateTimeField(_("next follow-up"), null=True, blank=True, editable=False)
    received_at = models.DateTimeField(
        _("received at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the current owner received the customer."),
    )
    # The shared pool (kehu.pool): a pooled customer has no owner and `pool` set; an owned one has no pool.
    # The pool services keep this (a customer given an owner any other way leaves its pool, see
    # kehu.pool.services.pool_leave_on_new_owner).
    pool = models.ForeignKey(
        "pool.Pool",
        verbose_name=_("pool"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        editable=False,
        db_index=False,  # customer_pool_idx starts with it
    )
    pooled_at = models.DateTimeField(_("in the pool since"), null=True, blank=True, editable=False)
    is_locked = models.BooleanField(
        _("locked"), default=False, help_text=_("Locked customers may be exempt from reclaim.")
    )

    objects = CustomerQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=[
            "search_text",
            "name_key",
            "updated_at",
            "last_followup_at",
            "next_followup_at",
            "received_at",
            "pooled_at",
        ]
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-updated_at", "-id"]
        permissions = [
            ("export_customer", _("Can export customers")),
            ("transfer_customer", _("Can transfer customers to another owner")),
        ]
        indexes = [
            # The list's default order is (-updated_at, -id), per scope and common filter. The trailing
            # columns let a scoped, filtered count read the index alone (SQLite has no INCLUDE).
            models.Index(fields=["-updated_at", "-id"], name="customer_updated_idx"),
            models.Index(
                fields=["owner", "-updated_at", "-id", "status", "deleted_at"],
                name="customer_owner_updated_idx",
            ),
            models.Index(
                fields=["department", "-updated_at", "-id", "owner", "status", "deleted_at"],
                name="customer_dept_updated_idx",
            ),
            models.Index(
                fields=["status", "-updated_at", "-id", "department", "owner", "deleted_at"],
                name="customer_status_updated_idx",
            ),
            models.Index(
                fields=["-deleted_at"], condition=Q(deleted_at__isnull=False), name="customer_recycle_bin_idx"
            ),
            models.Index(fields=["credit_code"], name="customer_credit_code_idx"),
            models.Index(fields=["phone"], name="customer_phone_idx"),
            models.Index(fields=["email"], name="customer_email_idx"),
            models.Index(fields=["name_key"], name="customer_name_key_idx"),
            models.Index(fields=["owner", "next_followup_at"], name="customer_next_followup_idx"),
            models.Index(fields=["last_followup_at"], name="customer_last_followup_idx"),
            models.Index(fields=["received_at"], name="customer_received_idx"),
            models.Index(
                fields=["pool", "-pooled_at"], condition=Q(pool__isnull=False), name="customer_pool_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_value__isnull=True) | Q(estimated_value__gte=0),
                name="customer_estimated_value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContactQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def visible_to(self, user):
        return self.filter(customer__in=Customer.objects.visible_to(user).alive().values("id"))


class Contact(TimeStampedModel):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=64, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    remark = models.TextField(_("remark"), blank=True, max_length=2000)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    objects = ContactQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "id"]
        indexes = [
            models.Index(fields=["customer", "deleted_at"], name="contact_customer_idx"),
            models.Index(fields=["mobile"], name="contact_mobile_idx"),
            models.Index(fields=["phone"], name="contact_phone_idx"),
            models.Index(fields=["email"], name="contact_email_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_primary=True, deleted_at__isnull=True),
                name="contact_one_primary_per_customer",
            ),
        ]

    def __str__(self) -> str:
        return self.name
