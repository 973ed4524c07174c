"""How a handover reads on a timeline, in the user's language (imported by kehu.pool.handover)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehu.core import verbs


def _handed_over(data: dict) -> str:
    return _("handed over the book: %(customers)s customers, %(leads)s leads, %(plans)s follow-up plans") % {
        "customers": data.get("customers", 0),
        "leads": data.get("leads", 0),
        "plans": data.get("plans", 0),
    }


verbs.register_verbs({"user.handed_over": _handed_over})
