from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    SIGNED_AMOUNT = "signed_amount", _("Signed contract amount")
    RECEIVED = "received", _("Payments received")
    NEW_CUSTOMERS = "new_customers", _("New customers")
    FOLLOWUPS = "followups", _("Follow-ups")


# Metrics counted in money (Decimal, to the cent); the others are whole numbers.
MONEY_METRICS = (Metric.SIGNED_AMOUNT, Metric.RECEIVED)


class SubjectKind(models.TextChoices):
    COMPANY = "company", _("Company")
    DEPARTMENT = "department", _("Department")
    REP = "rep", _("Rep")
    PRODUCT = "product", _("Product")
    REGION = "region", _("Region (province)")
    CHANNEL = "channel", _("Channel (customer source)")


class SplitMethod(models.TextChoices):
    EVEN = "even", _("Evenly")
    SEASONAL = "seasonal", _("By seasonal weights")
    LAST_YEAR = "last_year", _("In proportion to last year")
