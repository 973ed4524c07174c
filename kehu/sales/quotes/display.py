"""How quote entries read on the customer timeline, in the user's language (kehu.core.verbs)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehu.core import verbs
from kehu.sales.quotes.models import Quote


def _name(d: dict) -> str:
    return " ".join(part for part in (d.get("number"), d.get("title")) if part) or "—"


verbs.register_verbs(
    {
        "quote.created": lambda d: (
            _("created the quote %(quote)s (%(total)s)") % {"quote": _name(d), "total": d.get("total", "")}
        ),
        "quote.updated": lambda d: _("changed the quote %(quote)s") % {"quote": _name(d)},
        "quote.deleted": lambda d: _("deleted the draft quote %(quote)s") % {"quote": _name(d)},
        "quote.sent": lambda d: _("sent the quote %(quote)s to the customer") % {"quote": _name(d)},
        "quote.accepted": lambda d: (
            _("recorded that the customer accepted the quote %(quote)s (%(total)s)")
            % {"quote": _name(d), "total": d.get("total", "")}
        ),
        "quote.declined": lambda d: (
            _("recorded that the customer declined the quote %(quote)s") % {"quote": _name(d)}
            + (_(" (reason: %(reason)s)") % {"reason": d["reason"]} if d.get("reason") else "")
        ),
    }
)
verbs.register_subject(
    "quote", model=Quote, value=lambda name, value: "" if value in (None, "") else str(value)
)
