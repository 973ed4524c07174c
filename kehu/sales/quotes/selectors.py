"""Reads for quotes. A quote is visible with its opportunity (scope or team); an approver also sees the
quotes they are asked to approve."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from kehu.approvals.models import ApprovalRequest, ApprovalTask
from kehu.core.exceptions import FilterError
from kehu.org.models import User
from kehu.sales.quotes.filters import QuoteFilter
from kehu.sales.quotes.models import Quote, QuoteLine


def quote_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Quote]:
    qs = Quote.objects.visible_to(user).select_related("opportunity", "customer", "created_by")
    quote_filter = QuoteFilter(filters or {}, queryset=qs)
    if not quote_filter.is_valid():
        raise FilterError({k: [str(m) for m in v] for k, v in quote_filter.errors.items()})
    return quote_filter.qs


def _approving(user: User) -> Q:
    ids = ApprovalTask.objects.filter(approvers=user, request__document_type="quote").values(
        "request__document_id"
    )
    return Q(pk__in=ids)


def quote_get(*, user: User, pk: int) -> Quote:
    """A quote the user sees, with its lines; 404 otherwise."""
    visible = Quote.objects.visible_to(user).filter(pk=pk)
    qs = Quote.objects.filter(pk=pk).filter(Q(pk__in=visible.values("pk")) | _approving(user))
    return get_object_or_404(
        qs.select_related(
            "opportunity",
            "opportunity__owner",
            "customer",
            "contact",
            "price_list",
            "created_by",
            "revision_of",
        ).prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.select_related("product"))),
    )


def quote_approvals(quote: Quote) -> QuerySet[ApprovalRequest]:
    """The quote's approval requests, newest first, with their steps, for its history."""
    return (
        ApprovalRequest.objects.for_document(quote)
        .select_related("flow", "submitter")
        .prefetch_related("tasks__approvers", "tasks__decided_by", "tasks__step")
        .order_by("-submitted_at", "-id")
    )
