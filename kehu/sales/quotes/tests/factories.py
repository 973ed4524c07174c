"""Quotes for tests, made through the service (so numbers, totals and the timeline are as in real use)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from kehu.approvals.choices import StepKind
from kehu.approvals.flows import approval_flow_create
from kehu.approvals.models import ApprovalFlow
from kehu.org.models import User
from kehu.sales.opportunities.models import Opportunity
from kehu.sales.quotes import services
from kehu.sales.quotes.models import Quote

FREE_TEXT_LINE = {"name": "实施服务", "unit": "人天", "quantity": "2", "unit_price": "500"}


def make_quote(
    opportunity: Opportunity,
    actor: User | None = None,
    *,
    lines: Sequence[Mapping[str, Any]] | None = None,
    **data: Any,
) -> Quote:
    """A draft quote of `opportunity` by `actor` (its owner by default); one free-text line of 1,000.00 unless
    `lines` are given. `data`: the quote's fields (title, valid_until, discount_percent, terms, notes)."""
    return services.quote_create(
        actor=actor or opportunity.owner,
        opportunity=opportunity,
        data=data,
        lines=[FREE_TEXT_LINE] if lines is None else lines,
    )


def make_discount_flow(
    admin: User, approver: User, *, above: Decimal | str = "10", name: str = ""
) -> ApprovalFlow:
    """A quote approval flow: discount from list prices above `above` % goes to `approver`."""
    return approval_flow_create(
        actor=admin,
        data={
            "document_type": "quote",
            "name": name or "报价折扣审批",
            "conditions": [{"field": "discount_percent", "operator": ">", "value": str(above)}],
            "steps": [{"kind": StepKind.USER, "users": [approver.pk], "name": "销售主管审批"}],
        },
    )
