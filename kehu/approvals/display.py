"""How approval entries read on a document's timeline (and the customer's), in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehu.approvals.registry import document_type_label
from kehu.core import verbs


def _type(data: dict) -> str:
    return document_type_label(data.get("document_type", ""))


def _with_comment(sentence: str, data: dict) -> str:
    return sentence + (_(": %(comment)s") % {"comment": data["comment"]} if data.get("comment") else "")


verbs.register_verbs(
    {
        "approval.not_required": lambda d: _("submitted it; no approval was required"),
        "approval.submitted": lambda d: (
            _("submitted the %(type)s for approval (%(flow)s)")
            % {"type": _type(d), "flow": d.get("flow", "")}
        ),
        "approval.step_approved": lambda d: _with_comment(
            _("approved step %(step)s of the %(type)s") % {"step": d.get("step", ""), "type": _type(d)}, d
        ),
        "approval.approved": lambda d: _with_comment(_("approved the %(type)s") % {"type": _type(d)}, d),
        "approval.rejected": lambda d: _with_comment(_("rejected the %(type)s") % {"type": _type(d)}, d),
        "approval.cancelled": lambda d: _("withdrew the %(type)s from approval") % {"type": _type(d)},
        "approval_flow.created": lambda d: (
            _("created the approval flow %(name)s") % {"name": d.get("name", "")}
        ),
        "approval_flow.changed": lambda d: (
            _("changed the approval flow %(name)s") % {"name": d.get("name", "")}
        ),
        "approval_flow.deleted": lambda d: (
            _("deleted the approval flow %(name)s") % {"name": d.get("name", "")}
        ),
    }
)
