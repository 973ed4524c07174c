"""How contract entries read on the customer timeline, in the user's language (kehu.core.verbs)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehu.core import verbs
from kehu.sales.contracts.models import Contract


def _name(d: dict) -> str:
    return " ".join(part for part in (d.get("number"), d.get("title")) if part) or "—"


def _with_reason(sentence: str, d: dict) -> str:
    return sentence + (_(" (reason: %(reason)s)") % {"reason": d["reason"]} if d.get("reason") else "")


verbs.register_verbs(
    {
        "contract.created": lambda d: (
            _("created the contract %(contract)s (%(amount)s)")
            % {"contract": _name(d), "amount": d.get("amount", "")}
        ),
        "contract.updated": lambda d: _("changed the contract %(contract)s") % {"contract": _name(d)},
        "contract.deleted": lambda d: _("deleted the draft contract %(contract)s") % {"contract": _name(d)},
        "contract.transferred": lambda d: (
            _("transferred the contract %(contract)s from %(from)s to %(to)s")
            % {"contract": _name(d), "from": d.get("from") or "—", "to": d.get("to", "")}
        ),
        "contract.started": lambda d: (
            _("started executing the contract %(contract)s") % {"contract": _name(d)}
        ),
        "contract.completed": lambda d: _("completed the contract %(contract)s") % {"contract": _name(d)},
        "contract.terminated": lambda d: _with_reason(
            _("terminated the contract %(contract)s") % {"contract": _name(d)}, d
        ),
        "contract.amended": lambda d: _with_reason(
            _("amended the contract %(contract)s (amendment %(n)s)")
            % {"contract": _name(d), "n": d.get("sequence", "")},
            d,
        ),
        "contract.attached": lambda d: (
            _("attached %(file)s to the contract %(contract)s")
            % {"file": d.get("file", ""), "contract": _name(d)}
        ),
        "contract.detached": lambda d: (
            _("removed %(file)s from the contract %(contract)s")
            % {"file": d.get("file", ""), "contract": _name(d)}
        ),
    }
)
verbs.register_subject(
    "contract", model=Contract, value=lambda name, value: "" if value in (None, "") else str(value)
)
