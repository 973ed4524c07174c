"""Which documents can go through approval. A document type plugs in once, at import of its app:

    from kehu.approvals import registry

    registry.register(
        "quote",
        model=Quote,
        label=_("quote"),
        fields={"discount_percent": _("discount (%)"), "amount": _("amount")},
        values=lambda quote: {"discount_percent": quote.discount_percent, "amount": quote.total},
        on_submitted=quote_mark_pending,   # each callback: (*, actor, document, request) -> None
        on_approved=quote_mark_approved,   # request is None when no flow applied (approved at once)
        on_rejected=quote_mark_rejected,
        on_cancelled=quote_mark_draft,
        url=lambda quote: f"/quotes/{quote.pk}/",
    )

The callbacks run inside the approval service's transaction: they set the document's status and record
what the document's app records. They must not call the approval services again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from kehu.core.exceptions import DomainError

Callback = Callable[..., None]  # (*, actor, document, request: ApprovalRequest | None) -> None


def _noop(**kwargs: Any) -> None:
    return None


@dataclass(frozen=True)
class DocumentType:
    key: str
    model: type[models.Model]
    label: Any  # a (lazy) translated name, e.g. _("quote")
    # The values flow conditions compare, e.g. {"discount_percent": Decimal("12.5"), "amount": ...}.
    values: Callable[[Any], Mapping[str, Decimal]]
    # The condition fields administrators may use, with their labels.
    fields: Mapping[str, Any] = field(default_factory=dict)
    on_submitted: Callback = _noop
    on_approved: Callback = _noop
    on_rejected: Callback = _noop
    on_cancelled: Callback = _noop
    url: Callable[[Any], str] | None = None
    # (*, actor, document) -> None: raise PermissionDeniedError if the submitter may no longer withdraw
    # (e.g. the document left their scope).
    check_withdraw: Callable[..., None] = _noop

    def condition_values(self, document: models.Model) -> dict[str, Decimal]:
        return {name: Decimal(value) for name, value in self.values(document).items() if value is not None}

    def document_url(self, document: models.Model) -> str:
        return self.url(document) if self.url else ""


_types: dict[str, DocumentType] = {}


def register(
    key: str,
    *,
    model: type[models.Model],
    label: Any,
    values: Callable[[Any], Mapping[str, Decimal]],
    fields: Mapping[str, Any] | None = None,
    on_submitted: Callback | None = None,
    on_approved: Callback | None = None,
    on_rejected: Callback | None = None,
    on_cancelled: Callback | None = None,
    url: Callable[[Any], str] | None = None,
    check_withdraw: Callable[..., None] | None = None,
) -> DocumentType:
    """Register (or replace) the document type `key`; returns its entry."""
    entry = DocumentType(
        key=key,
        model=model,
        label=label,
        values=values,
        fields=dict(fields or {}),
        on_submitted=on_submitted or _noop,
        on_approved=on_approved or _noop,
        on_rejected=on_rejected or _noop,
        on_cancelled=on_cancelled or _noop,
        url=url,
        check_withdraw=check_withdraw or _noop,
    )
    _types[key] = entry
    return entry


def unregister(key: str) -> None:
    _types.pop(key, None)


def document_types() -> dict[str, DocumentType]:
    return dict(_types)


def document_type(key: str) -> DocumentType:
    """The registered type `key`; a DomainError names `document_type` if there is none."""
    try:
        return _types[key]
    except KeyError:
        raise DomainError(
            _("“%(key)s” is not a document type that can be approved.") % {"key": key},
            field="document_type",
        ) from None


def document_type_label(key: str) -> str:
    entry = _types.get(key)
    return str(entry.label) if entry else key
