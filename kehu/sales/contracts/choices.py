from django.db import models
from django.utils.translation import pgettext_lazy


class ContractStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("contract status", "Draft")
    PENDING = "pending", pgettext_lazy("contract status", "Waiting for approval")
    REJECTED = "rejected", pgettext_lazy("contract status", "Rejected")
    APPROVED = "approved", pgettext_lazy("contract status", "Approved")
    EXECUTING = "executing", pgettext_lazy("contract status", "Executing")
    COMPLETED = "completed", pgettext_lazy("contract status", "Completed")
    TERMINATED = "terminated", pgettext_lazy("contract status", "Terminated")


# The content may change (a rejected contract goes back to draft when edited).
EDITABLE = (ContractStatus.DRAFT, ContractStatus.REJECTED)
# Approved and signed: changes only through a recorded amendment.
IN_FORCE = (ContractStatus.APPROVED, ContractStatus.EXECUTING)
# The contract was signed (it counts for the customer, receivables and statistics).
SIGNED = (ContractStatus.APPROVED, ContractStatus.EXECUTING, ContractStatus.COMPLETED)
