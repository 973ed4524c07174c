from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OpportunityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("opportunity status", "Open")
    SUSPENDED = "suspended", pgettext_lazy("opportunity status", "Suspended")
    TERMINATED = "terminated", pgettext_lazy("opportunity status", "Terminated")
    WON = "won", pgettext_lazy("opportunity status", "Won")
    LOST = "lost", pgettext_lazy("opportunity status", "Lost")


class MemberRole(models.TextChoices):
    PRESALES = "presales", _("Presales")
    MANAGER = "manager", _("Manager")
    MEMBER = "member", _("Member")
