"""How follow-up entries read on the customer timeline, in the user's language."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kehu.core import verbs
from kehu.followups.choices import FollowUpMethod


def method_label(code: str) -> str:
    return str(dict(FollowUpMethod.choices).get(code, code))


def _moment(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return date_format(timezone.localtime(datetime.fromisoformat(value)), "Y-m-d H:i")
    except ValueError:
        return value


def _recorded(data: dict) -> str:
    sentence = _("recorded a follow-up (%(method)s): %(excerpt)s") % {
        "method": method_label(data.get("method", "")),
        "excerpt": data.get("excerpt", ""),
    }
    if data.get("next_at"):
        sentence += _("; next contact %(when)s") % {"when": _moment(data["next_at"])}
    return sentence


verbs.register_verbs(
    {
        "followup.recorded": _recorded,
        "followup.deleted": lambda d: (
            _("deleted a follow-up (%(method)s): %(excerpt)s")
            % {"method": method_label(d.get("method", "")), "excerpt": d.get("excerpt", "")}
        ),
        "followup_plan.completed": lambda d: (
            _("marked the contact planned for %(when)s done") % {"when": _moment(d.get("due_at"))}
        ),
        "followup_plan.cancelled": lambda d: (
            _("cancelled the contact planned for %(when)s") % {"when": _moment(d.get("due_at"))}
        ),
        "followup_plan.rescheduled": lambda d: (
            _("moved the planned contact from %(from)s to %(to)s")
            % {"from": _moment(d.get("from")), "to": _moment(d.get("to"))}
        ),
    }
)
