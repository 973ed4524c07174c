"""HTML input for recording a follow-up. The form checks types; the service holds the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import Contact, Customer
from kehu.followups.choices import FollowUpMethod
from kehu.followups.models import ACTION_MAX, CONTENT_MAX


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class FollowUpForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Method"), choices=FollowUpMethod.choices, initial=FollowUpMethod.PHONE
    )
    contact = forms.ModelChoiceField(
        label=_("Contact person"),
        queryset=Contact.objects.none(),
        required=False,
        empty_label=_("Not specified"),
    )
    occurred_at = forms.DateTimeField(
        label=_("Time"), required=False, widget=DateTimeInput, help_text=_("Now, if left empty.")
    )
    content = forms.CharField(
        label=_("Content"), max_length=CONTENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_at = forms.DateTimeField(label=_("Next contact"), required=False, widget=DateTimeInput)
    next_action = forms.CharField(label=_("What to do next"), max_length=ACTION_MAX, required=False)

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.alive().filter(customer=customer)

    def service_data(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)
