"""How order entries read on the customer timeline, in the user's language (kehu.core.verbs)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehu.core import verbs
from kehu.sales.orders.models import Order


def _number(d: dict) -> str:
    return d.get("number") or "—"


def _total(d: dict) -> str:
    return " ".join(part for part in (d.get("total"), d.get("currency")) if part)


verbs.register_verbs(
    {
        "order.created": lambda d: (
            _("created the sales order %(order)s (%(total)s)") % {"order": _number(d), "total": _total(d)}
        ),
        "order.updated": lambda d: _("changed the sales order %(order)s") % {"order": _number(d)},
        "order.transferred": lambda d: (
            _("transferred the draft order %(order)s from %(from)s to %(to)s")
            % {"order": _number(d), "from": d.get("from") or "—", "to": d.get("to", "")}
        ),
        "order.confirmed": lambda d: (
            _("confirmed the sales order %(order)s (%(total)s)") % {"order": _number(d), "total": _total(d)}
        ),
        "order.shipped": lambda d: _("shipped the sales order %(order)s") % {"order": _number(d)},
        "order.completed": lambda d: _("completed the sales order %(order)s") % {"order": _number(d)},
        "order.cancelled": lambda d: (
            _("cancelled the sales order %(order)s (reason: %(reason)s)")
            % {"order": _number(d), "reason": d.get("reason", "")}
        ),
        "order.deleted": lambda d: _("deleted the draft sales order %(order)s") % {"order": _number(d)},
    }
)
verbs.register_subject(
    "order", model=Order, value=lambda name, value: "" if value in (None, "") else str(value)
)
