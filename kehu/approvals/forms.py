"""Input of the approval pages: a decision (approve / reject with a comment)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.approvals.models import COMMENT_MAX

APPROVE, REJECT = "approve", "reject"


class DecisionForm(forms.Form):
    task = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))])
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == REJECT and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Give the reason for rejecting."))
        return data
