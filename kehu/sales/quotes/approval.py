"""Quotes in the approval engine: the values flow conditions compare, and the status each outcome sets."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.approvals import registry
from kehu.sales.quotes.choices import QuoteStatus
from kehu.sales.quotes.models import Quote
from kehu.sales.quotes.services import ensure_can_change


def _set_status(status: str) -> Any:
    def callback(*, actor: Any, document: Quote, request: Any) -> None:
        document.status = status
        document.save(update_fields=["status", "updated_at"])

    return callback


def _submitted(*, actor: Any, document: Quote, request: Any) -> None:
    document.status, document.submitted_at = QuoteStatus.PENDING, timezone.now()
    document.save(update_fields=["status", "submitted_at", "updated_at"])


def condition_values(quote: Quote) -> dict[str, Any]:
    return {
        "discount_percent": quote.effective_discount,
        "amount": quote.total,
        "line_discount_percent": max((line.discount_percent for line in quote.lines.all()), default=0),
    }


def _check_withdraw(*, actor: Any, document: Quote) -> None:
    ensure_can_change(actor, document)


def register() -> None:
    registry.register(
        "quote",
        model=Quote,
        label=_("quote"),
        fields={
            "discount_percent": _("discount from list prices (%)"),
            "amount": _("total with tax"),
            "line_discount_percent": _("largest line discount (%)"),
        },
        values=condition_values,
        on_submitted=_submitted,
        on_approved=_set_status(QuoteStatus.APPROVED),
        on_rejected=_set_status(QuoteStatus.REJECTED),
        on_cancelled=_set_status(QuoteStatus.DRAFT),
        check_withdraw=_check_withdraw,
        url=lambda quote: reverse("quotes:detail", args=[quote.pk]),
    )
