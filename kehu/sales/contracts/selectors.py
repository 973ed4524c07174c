"""Reads for contracts: the owner/department data scope; approvers also read the contracts they decide."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from kehu.approvals.models import ApprovalTask
from kehu.core.exceptions import FilterError
from kehu.org.models import User
from kehu.sales.contracts.choices import SIGNED
from kehu.sales.contracts.filters import ContractFilter
from kehu.sales.contracts.models import Contract, ContractLine


def _ensure_can_view(user: User) -> None:
    if not user.has_perm("contracts.view_contract"):
        raise PermissionDenied


def contract_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Contract]:
    _ensure_can_view(user)
    qs = Contract.objects.visible_to(user).alive().select_related("customer", "owner")
    contract_filter = ContractFilter(filters or {}, queryset=qs)
    if not contract_filter.is_valid():
        raise FilterError({k: [str(m) for m in v] for k, v in contract_filter.errors.items()})
    return contract_filter.qs


def contracts_signed_for_customer(*, user: User, customer_id: int) -> QuerySet[Contract]:
    """The customer's signed contracts the user sees, latest first: those an order may deliver."""
    _ensure_can_view(user)
    return (
        Contract.objects.visible_to(user)
        .alive()
        .filter(customer_id=customer_id, status__in=SIGNED)
        .order_by("-signed_on", "-id")
    )


def contract_get(*, user: User, pk: int) -> Contract:
    """A living contract the user sees (or is asked to approve), with its lines, amendments and files."""
    _ensure_can_view(user)
    visible = Contract.objects.visible_to(user).filter(pk=pk).values("pk")
    approving = ApprovalTask.objects.filter(approvers=user, request__document_type="contract").values(
        "request__document_id"
    )
    qs = Contract.objects.alive().filter(pk=pk).filter(Q(pk__in=visible) | Q(pk__in=approving))
    return get_object_or_404(
        qs.select_related(
            "customer", "opportunity", "quote", "signing_contact", "signatory", "owner", "created_by"
        ).prefetch_related(
            Prefetch("lines", queryset=ContractLine.objects.select_related("product")),
            "amendments__actor",
            "attachments",
        )
    )
