"""How pool moves read on the customer timeline, in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehu.core import verbs
from kehu.pool.models import PoolRule


def _reclaimed(data: dict) -> str:
    values = {"pool": data.get("pool", ""), "days": data.get("days") or 0}
    if data.get("rule") == PoolRule.NOT_CLOSED:
        return _("returned to the pool %(pool)s: not closed within %(days)s days") % values
    return _("returned to the pool %(pool)s: no follow-up for %(days)s days") % values


def _assigned(data: dict) -> str:
    sentence = _("assigned the customer from the pool %(pool)s to %(owner)s") % {
        "pool": data.get("pool", ""),
        "owner": data.get("owner", ""),
    }
    if data.get("reason"):
        sentence += _(": %(reason)s") % {"reason": data["reason"]}
    return sentence


verbs.register_verbs(
    {
        "pool.released": lambda d: (
            _("released the customer to the pool %(pool)s: %(reason)s")
            % {"pool": d.get("pool", ""), "reason": d.get("reason", "")}
        ),
        "pool.reclaimed": _reclaimed,
        "pool.claimed": lambda d: (
            _("claimed the customer from the pool %(pool)s") % {"pool": d.get("pool", "")}
        ),
        "pool.assigned": _assigned,
        "pool.moved": lambda d: (
            _("moved the customer from the pool %(from)s to %(to)s")
            % {"from": d.get("from_pool", ""), "to": d.get("pool", "")}
        ),
        "customer.locked": lambda d: _("locked the customer"),
        "customer.unlocked": lambda d: _("unlocked the customer"),
        "pool.created": lambda d: _("created the pool %(name)s") % {"name": d.get("name", "")},
        "pool.changed": lambda d: _("changed the pool %(name)s") % {"name": d.get("name", "")},
    }
)
