"""Contracts in the approval engine: the values flow conditions compare, and the status each outcome sets."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.approvals import registry
from kehu.sales.contracts.choices import ContractStatus
from kehu.sales.contracts.models import Contract
from kehu.sales.contracts.services import contract_mark_approved, ensure_can_change


def _set_status(status: str) -> Any:
    def callback(*, actor: Any, document: Contract, request: Any) -> None:
        document.status = status
        document.save(update_fields=["status", "updated_at"])

    return callback


def _submitted(*, actor: Any, document: Contract, request: Any) -> None:
    document.status, document.submitted_at = ContractStatus.PENDING, timezone.now()
    document.save(update_fields=["status", "submitted_at", "updated_at"])


def _approved(*, actor: Any, document: Contract, request: Any) -> None:
    contract_mark_approved(document, actor=actor)


def _check_withdraw(*, actor: Any, document: Contract) -> None:
    ensure_can_change(actor, document)


def register() -> None:
    registry.register(
        "contract",
        model=Contract,
        label=_("contract"),
        fields={"amount": _("contract amount")},
        values=lambda contract: {"amount": contract.amount},
        on_submitted=_submitted,
        on_approved=_approved,
        on_rejected=_set_status(ContractStatus.REJECTED),
        on_cancelled=_set_status(ContractStatus.DRAFT),
        check_withdraw=_check_withdraw,
        url=lambda contract: reverse("contracts:detail", args=[contract.pk]),
    )
