"""Annual targets (业绩目标) for a metric and a subject (the company, a department, a rep, a product, a region
or a channel), with their twelve monthly amounts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.customers.choices import CustomerSource
from kehu.targets.choices import MONEY_METRICS, Metric, SplitMethod, SubjectKind

MONEY = {"max_digits": 14, "decimal_places": 2}


class TargetQuerySet(models.QuerySet):
    def of_year(self, year: int) -> TargetQuerySet:
        return self.filter(year=year)


class Target(models.Model):
    """One subject's target for one metric and year. `subject_key` ("company", "department:4", "rep:7",
    "product:3", "region:广东", "channel:website") makes (year, metric, subject) unique on every database,
    NULLs included."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices)
    subject_kind = models.CharField(_("subject"), max_length=16, choices=SubjectKind.choices)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    product = models.ForeignKey(
        "products.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    region = models.CharField(_("region (province)"), max_length=32, blank=True)
    channel = models.CharField(
        _("channel (customer source)"), max_length=32, choices=CustomerSource.choices, blank=True
    )
    subject_key = models.CharField(max_length=80, editable=False)
    amount = models.DecimalField(_("annual target"), validators=[MinValueValidator(0)], **MONEY)
    split_method = models.CharField(
        _("split"), max_length=16, choices=SplitMethod.choices, default=SplitMethod.EVEN
    )
    months = models.JSONField(_("monthly targets"), default=list)  # 12 decimal strings, January first
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["year", "metric", "subject_kind", "subject_key"]
        constraints = [
            models.UniqueConstraint(fields=["year", "metric", "subject_key"], name="target_once_per_subject"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="target_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_metric_display()} · {self.subject_label}"

    @property
    def is_money(self) -> bool:
        return self.metric in MONEY_METRICS

    @property
    def monthly(self) -> list[Decimal]:
        return [Decimal(m) for m in self.months]

    @property
    def subject_label(self) -> str:
        kind = SubjectKind(self.subject_kind)
        if kind == SubjectKind.COMPANY:
            return str(_("Company"))
        if kind == SubjectKind.DEPARTMENT:
            return str(self.department)
        if kind == SubjectKind.REP:
            return str(self.user)
        if kind == SubjectKind.PRODUCT:
            return str(self.product)
        if kind == SubjectKind.REGION:
            return self.region
        return str(CustomerSource(self.channel).label) if self.channel else ""
