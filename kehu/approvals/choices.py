from django.db import models
from django.utils.translation import gettext_lazy as _


class StepKind(models.TextChoices):
    USER = "user", _("a named user")
    ROLE = "role", _("anyone with a role")
    DEPARTMENT_HEAD = "department_head", _("the submitter's department head")
    ANY_OF = "any_of", _("any one of several users")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("withdrawn")


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    SKIPPED = "skipped", _("skipped")


class Operator(models.TextChoices):
    GT = ">", ">"
    GTE = ">=", "≥"
    LT = "<", "<"
    LTE = "<=", "≤"
    EQ = "==", "="


class ApprovalView(models.TextChoices):
    """Which approvals a list shows."""

    QUEUE = "queue", _("waiting for me")
    SUBMITTED = "submitted", _("submitted by me")
    DECIDED = "decided", _("decided by me")
    ALL = "all", _("all")
