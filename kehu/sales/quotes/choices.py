from django.db import models
from django.utils.translation import pgettext_lazy


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("quote status", "Draft")
    PENDING = "pending", pgettext_lazy("quote status", "Waiting for approval")
    APPROVED = "approved", pgettext_lazy("quote status", "Approved")
    REJECTED = "rejected", pgettext_lazy("quote status", "Rejected")
    SENT = "sent", pgettext_lazy("quote status", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("quote status", "Accepted")
    DECLINED = "declined", pgettext_lazy("quote status", "Declined")


# Statuses in which the quote's content may still change.
EDITABLE = (QuoteStatus.DRAFT, QuoteStatus.REJECTED)
# Statuses in which the quote can still be sent, accepted or declined.
APPROVED_OR_SENT = (QuoteStatus.APPROVED, QuoteStatus.SENT)
