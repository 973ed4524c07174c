"""HTML input for customers and contacts. Forms check types; the services hold the rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kehu.core.params import id_param
from kehu.customers.models import Contact, Customer
from kehu.customers.services import CONTACT_FIELDS, CUSTOMER_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class CustomerForm(forms.ModelForm):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas."),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS
        widgets = {
            "birthday": DateInput,
            "focus_points": forms.Textarea(attrs={"rows": 2}),
            "purchase_motivation": forms.Textarea(attrs={"rows": 2}),
            "remark": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is None or self.instance.pk:
            del self.fields["owner"]  # ownership changes through a transfer, never through an edit
        else:
            self.fields["owner"].queryset = owners
        if self.instance.pk:
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())
        # Phone and credit code are normalised and checked by the service, which reports errors per field.
        for name in ("phone", "credit_code"):
            self.fields[name].max_length = 40
            self.fields[name].widget.attrs["maxlength"] = 40

    def _post_clean(self):
        """Skip ModelForm's model validation: the service validates and normalises, once."""

    def tag_names(self) -> list[str]:
        return [
            t
            for t in (p.strip() for p in self.cleaned_data.get("tags", "").replace("，", ",").split(","))
            if t
        ]

    def service_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in CUSTOMER_FIELDS if f in self.cleaned_data}

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        widgets = {"birthday": DateInput, "remark": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("mobile", "phone"):
            self.fields[name].max_length = 40
            self.fields[name].widget.attrs["maxlength"] = 40

    def _post_clean(self):
        """Skip ModelForm's model validation: the service validates and normalises, once."""

    def service_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in CONTACT_FIELDS if f in self.cleaned_data}

    add_service_errors = CustomerForm.add_service_errors


class TransferForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Customers"))
    owner = forms.ModelChoiceField(label=_("New owner"), queryset=None)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["ids"].valid_value = lambda value: id_param(value) is not None
