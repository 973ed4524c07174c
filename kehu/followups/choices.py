from django.db import models
from django.utils.translation import pgettext_lazy


class FollowUpMethod(models.TextChoices):
    PHONE = "phone", pgettext_lazy("follow-up method", "Phone")
    VISIT = "visit", pgettext_lazy("follow-up method", "Visit")
    WECHAT = "wechat", pgettext_lazy("follow-up method", "WeChat")
    EMAIL = "email", pgettext_lazy("follow-up method", "Email")
    MEETING = "meeting", pgettext_lazy("follow-up method", "Meeting")
    OTHER = "other", pgettext_lazy("follow-up method", "Other")


class PlanStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up plan", "Open")
    DONE = "done", pgettext_lazy("follow-up plan", "Done")
    CANCELLED = "cancelled", pgettext_lazy("follow-up plan", "Cancelled")


class PlanDue(models.TextChoices):
    """Which open plans a list shows, by the local day of their due time."""

    TODAY = "today", pgettext_lazy("follow-up plan", "Due today")
    OVERDUE = "overdue", pgettext_lazy("follow-up plan", "Overdue")
    UPCOMING = "upcoming", pgettext_lazy("follow-up plan", "Upcoming")
