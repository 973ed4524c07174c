"""A test-only document type ("testdoc": a customer stands in for the document) and flow helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kehu.approvals import registry
from kehu.approvals.flows import approval_flow_create
from kehu.approvals.models import ApprovalFlow
from kehu.customers.models import Customer

KEY = "testdoc"


@dataclass
class FakeDocuments:
    """Condition values per document (customer pk) that the test controls; the callbacks it received."""

    values: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    calls: list[tuple[str, int, int | None]] = field(default_factory=list)

    def register(self) -> None:
        def callback(name: str):
            def record(*, actor: Any, document: Customer, request: Any) -> None:
                self.calls.append((name, document.pk, request.pk if request else None))

            return record

        registry.register(
            KEY,
            model=Customer,
            label="test document",
            fields={"discount_percent": "discount (%)", "amount": "amount"},
            values=lambda document: self.values.get(document.pk, {}),
            on_submitted=callback("submitted"),
            on_approved=callback("approved"),
            on_rejected=callback("rejected"),
            on_cancelled=callback("cancelled"),
            url=lambda document: f"/customers/{document.pk}/",
        )

    def set(self, document: Customer, **values: str) -> Customer:
        self.values[document.pk] = {k: Decimal(v) for k, v in values.items()}
        return document


def step(kind: str, *users: Any, role: Any = None, name: str = "") -> dict[str, Any]:
    return {"kind": kind, "users": [u.pk for u in users], "role": role.pk if role else None, "name": name}


def make_flow(
    admin: Any, name: str, steps: list[dict], conditions=(), position: int = 0, **extra
) -> ApprovalFlow:
    data = {
        "document_type": KEY,
        "name": name,
        "position": position,
        "conditions": [{"field": f, "operator": o, "value": v} for f, o, v in conditions],
        "steps": steps,
        **extra,
    }
    return approval_flow_create(actor=admin, data=data)
