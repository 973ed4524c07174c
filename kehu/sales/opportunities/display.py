"""How opportunity entries read on the customer timeline, in the user's language (kehu.core.verbs)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kehu.core import verbs
from kehu.sales.opportunities.models import Opportunity


def _title(d: dict) -> str:
    return d.get("title") or "—"


def _with_reason(sentence: str, d: dict) -> str:
    if d.get("reason"):
        sentence += _(" (reason: %(reason)s)") % {"reason": d["reason"]}
    return sentence


def _moved(d: dict) -> str:
    return _("moved the opportunity %(title)s from %(from)s to %(to)s after %(days)s days") % {
        "title": _title(d),
        "from": d.get("from") or "—",
        "to": d.get("to") or "—",
        "days": d.get("days") or "0",
    }


def _won(d: dict) -> str:
    return _with_reason(
        _("won the opportunity %(title)s (%(amount)s)") % {"title": _title(d), "amount": d.get("amount", "")},
        d,
    )


def _lost(d: dict) -> str:
    return _with_reason(
        _("lost the opportunity %(title)s to %(competitor)s")
        % {"title": _title(d), "competitor": d.get("competitor") or "—"},
        d,
    )


def field_value(name: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    field = Opportunity._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


verbs.register_verbs(
    {
        "opportunity.created": lambda d: (
            _("created the opportunity %(title)s in %(stage)s")
            % {"title": _title(d), "stage": d.get("stage") or "—"}
        ),
        "opportunity.updated": lambda d: _("changed the opportunity"),
        "opportunity.stage_changed": _moved,
        "opportunity.won": _won,
        "opportunity.lost": _lost,
        "opportunity.suspended": lambda d: _with_reason(
            _("suspended the opportunity %(title)s") % {"title": _title(d)}, d
        ),
        "opportunity.reactivated": lambda d: (
            _("reactivated the opportunity %(title)s in %(stage)s")
            % {"title": _title(d), "stage": d.get("stage") or "—"}
        ),
        "opportunity.terminated": lambda d: _with_reason(
            _("terminated the opportunity %(title)s") % {"title": _title(d)}, d
        ),
        "opportunity.transferred": lambda d: _with_reason(
            _("transferred the opportunity %(title)s from %(from)s to %(to)s")
            % {"title": _title(d), "from": d.get("from") or "—", "to": d.get("to") or "—"},
            d,
        ),
        "opportunity.deleted": lambda d: (
            _("moved the opportunity %(title)s to the recycle bin") % {"title": _title(d)}
        ),
        "opportunity.member_added": lambda d: (
            _("added %(user)s to the team of the opportunity %(title)s")
            % {"user": d.get("user") or "—", "title": _title(d)}
        ),
        "opportunity.member_removed": lambda d: (
            _("removed %(user)s from the team of the opportunity %(title)s")
            % {"user": d.get("user") or "—", "title": _title(d)}
        ),
        "pipeline.created": lambda d: _("created the pipeline %(name)s") % {"name": d.get("name", "")},
        "pipeline.updated": lambda d: _("changed the pipeline %(name)s") % {"name": d.get("name", "")},
    }
)
verbs.register_subject("opportunity", model=Opportunity, value=field_value)
