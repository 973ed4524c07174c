from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Person")


class CustomerStatus(models.TextChoices):
    POTENTIAL = "potential", _("Potential")
    INTENT = "intent", _("Intent")
    DEAL = "deal", _("Deal")
    LOST = "lost", _("Lost")


class IntentLevel(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class CustomerLevel(models.TextChoices):
    A = "A", _("A (key)")
    B = "B", _("B (important)")
    C = "C", _("C (normal)")
    D = "D", _("D (low value)")


class CustomerSource(models.TextChoices):
    WEBSITE = "website", _("Website")
    REFERRAL = "referral", _("Referral")
    EXHIBITION = "exhibition", _("Exhibition")
    CAMPAIGN = "campaign", _("Campaign")
    COLD_CALL = "cold_call", _("Cold call")
    PARTNER = "partner", _("Partner")
    ADVERTISING = "advertising", _("Advertising")
    OTHER = "other", _("Other")


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    IT = "it", _("Information technology")
    FINANCE = "finance", _("Finance")
    RETAIL = "retail", _("Retail and wholesale")
    EDUCATION = "education", _("Education")
    HEALTHCARE = "healthcare", _("Healthcare")
    CONSTRUCTION = "construction", _("Construction and real estate")
    LOGISTICS = "logistics", _("Logistics")
    ENERGY = "energy", _("Energy")
    GOVERNMENT = "government", _("Government and public sector")
    SERVICES = "services", _("Professional services")
    OTHER = "other", _("Other")


class CompanySize(models.TextChoices):
    MICRO = "1-19", _("1–19 employees")
    SMALL = "20-99", _("20–99 employees")
    MEDIUM = "100-499", _("100–499 employees")
    LARGE = "500-1999", _("500–1,999 employees")
    ENTERPRISE = "2000+", _("2,000 or more employees")
