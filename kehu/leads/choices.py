from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    CONVERTED = "converted", _("Converted")
    INVALID = "invalid", _("Invalid")


OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.ASSIGNED, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)
CLOSED_STATUSES = (LeadStatus.CONVERTED, LeadStatus.INVALID)


class LeadChannel(models.TextChoices):
    """How the lead reached us (its marketing source is `source`)."""

    MANUAL = "manual", _("Entered by hand")
    WEB_FORM = "web_form", _("Web form")
    API = "api", _("API")
    IMPORT = "import", _("Import")


class InvalidReason(models.TextChoices):
    UNREACHABLE = "unreachable", _("Cannot be reached")
    NO_NEED = "no_need", _("No need")
    DUPLICATE = "duplicate", _("Duplicate")
    SPAM = "spam", _("Spam or test")
    COMPETITOR = "competitor", _("Competitor or peer")
    OTHER = "other", _("Other")


class DuplicateKey(models.TextChoices):
    CREDIT_CODE = "credit_code", _("Same unified social credit code")
    PHONE = "phone", _("Same phone number")
    EMAIL = "email", _("Same email address")
    COMPANY = "company", _("Same company name")


class AssignmentStrategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin")
    WEIGHTED = "weighted", _("Weighted")
    LEAST_OPEN = "least_open", _("Fewest open leads")
    CAPACITY = "capacity", _("Monthly capacity (daily quota)")


class Fallback(models.TextChoices):
    POOL = "pool", _("Lead pool")
    USER = "user", _("A named person")


class AssignmentReason(models.TextChoices):
    RULE = "rule", _("Matched a rule")
    DUPLICATE = "duplicate", _("Went to the owner of the duplicate")
    FALLBACK_POOL = "fallback_pool", _("Nobody could take it: lead pool")
    FALLBACK_USER = "fallback_user", _("Nobody could take it: fallback person")
    NO_RULE = "no_rule", _("No rule matched: lead pool")
    SLA = "sla", _("Not contacted in time: re-assigned")
    CLAIMED = "claimed", _("Claimed from the lead pool")
    MANUAL = "manual", _("Assigned by hand")
    HANDOVER = "handover", _("Handed over from someone who left")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting for the column mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportMode(models.TextChoices):
    SKIP = "skip", _("Skip bad rows, import the rest")
    ALL_OR_NOTHING = "all", _("All or nothing")
