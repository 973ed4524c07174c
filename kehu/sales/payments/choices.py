from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PaymentStatus(models.TextChoices):
    """Of an instalment or a contract: derived from the receipts and the date, never typed in."""

    UNPAID = "unpaid", pgettext_lazy("payment status", "Unpaid")
    PARTIAL = "partial", pgettext_lazy("payment status", "Partly paid")
    PAID = "paid", pgettext_lazy("payment status", "Paid")
    OVERDUE = "overdue", pgettext_lazy("payment status", "Overdue")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    ACCEPTANCE_BILL = "acceptance_bill", _("Bank acceptance bill")
    CHEQUE = "cheque", _("Cheque")
    ONLINE = "online", _("Online payment (Alipay, WeChat Pay)")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class InvoiceKind(models.TextChoices):
    SPECIAL_VAT = "special_vat", _("Special VAT invoice (专票)")
    ORDINARY_VAT = "ordinary_vat", _("Ordinary VAT invoice (普票)")
    ELECTRONIC = "electronic", _("Fully digital e-invoice (数电票)")
    OTHER = "other", _("Other")


class Excess(models.TextChoices):
    """What to do with the part of a receipt beyond what the contract still owes."""

    REFUSE = "refuse", _("Refuse the receipt")
    CREDIT = "credit", _("Keep it as the customer's credit")


AGING_BUCKETS = [
    ("not_due", _("Not yet due"), None, 0),
    ("1_30", _("1–30 days"), 1, 30),
    ("31_60", _("31–60 days"), 31, 60),
    ("61_90", _("61–90 days"), 61, 90),
    ("over_90", _("Over 90 days"), 91, None),
]
