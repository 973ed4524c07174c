"""How payment entries read on the customer timeline, in the user's language (kehu.core.verbs)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehu.core import verbs


def _with_reason(sentence: str, d: dict) -> str:
    return sentence + (_(" (reason: %(reason)s)") % {"reason": d["reason"]} if d.get("reason") else "")


verbs.register_verbs(
    {
        "contract.plan_set": lambda d: (
            _("set the payment plan of the contract %(contract)s: %(n)s instalments, %(amount)s")
            % {"contract": d.get("number", ""), "n": d.get("instalments", ""), "amount": d.get("amount", "")}
        ),
        "contract.receipt": lambda d: (
            _("recorded a receipt of %(amount)s for the contract %(contract)s")
            % {"amount": d.get("amount", ""), "contract": d.get("number", "")}
        ),
        "contract.receipt_voided": lambda d: _with_reason(
            _("voided a receipt of %(amount)s for the contract %(contract)s")
            % {"amount": d.get("amount", ""), "contract": d.get("number", "")},
            d,
        ),
        "contract.invoiced": lambda d: (
            _("recorded the invoice %(invoice)s (%(amount)s) for the contract %(contract)s")
            % {
                "invoice": d.get("invoice", ""),
                "amount": d.get("amount", ""),
                "contract": d.get("number", ""),
            }
        ),
        "contract.invoice_voided": lambda d: (
            _("voided the invoice %(invoice)s of the contract %(contract)s")
            % {"invoice": d.get("invoice", ""), "contract": d.get("number", "")}
        ),
    }
)
