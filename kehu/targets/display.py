"""How target entries read on the timeline and in the audit, in the user's language (kehu.core.verbs)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehu.core import verbs

verbs.register_verbs(
    {
        "target.set": lambda d: _("set a target of %(amount)s") % {"amount": d.get("amount", "")},
        "target.changed": lambda d: (
            _("changed a target from %(before)s to %(after)s")
            % {"before": d.get("before", ""), "after": d.get("after", "")}
        ),
        "target.deleted": lambda d: _("deleted a target of %(amount)s") % {"amount": d.get("amount", "")},
    }
)
