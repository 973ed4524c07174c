"""HTML input for leads, assignment rules and the public web form. Forms check types; services hold rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.exceptions import DomainError
from kehu.core.params import id_param
from kehu.customers.choices import CustomerSource, Industry
from kehu.leads.choices import InvalidReason
from kehu.leads.models import AssignmentRule, Lead
from kehu.leads.services import LEAD_FIELDS
from kehu.org.models import Department, User

FORM_FIELDS = tuple(f for f in LEAD_FIELDS if f != "extra")  # custom fields come through the API or imports


class ServiceErrorsMixin:
    """Put a service's ValidationError (per field) or DomainError next to the fields it names."""

    error_fields: dict[str, str] = {}  # service field name → form field name, where they differ

    def add_service_errors(self, exc: ValidationError | DomainError) -> None:
        errors = {exc.field or "__all__": [exc.message]} if isinstance(exc, DomainError) else exc.message_dict
        for field, messages in errors.items():
            name = self.error_fields.get(field, field)
            self.add_error(name if name in self.fields else None, messages)


class LeadForm(ServiceErrorsMixin, forms.ModelForm):
    assign = forms.ChoiceField(
        label=_("Assign"),
        choices=[("rules", _("By the assignment rules")), ("me", _("To me"))],
        initial="rules",
        help_text=_("A duplicate goes to whoever already works its customer or lead, if they can take it."),
    )

    class Meta:
        model = Lead
        fields = FORM_FIELDS
        widgets = {"remark": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["assign"]  # a saved lead changes hands by claim or assignment, never by an edit
        # The service normalises phones and credit codes typed with spaces or dashes and reports errors.
        for name in ("phone", "credit_code"):
            self.fields[name].max_length = 40
            self.fields[name].widget.attrs["maxlength"] = 40
        self.fields["phone"].help_text = _("Any usual form, e.g. 139 1234 5678 or +86 21 6123 4567.")

    def _post_clean(self):
        """Skip ModelForm's model validation: the service validates and normalises, once."""

    def service_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in FORM_FIELDS if f in self.cleaned_data}


class InvalidateForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *InvalidReason.choices])
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class AssignForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Leads"))
    owner = forms.ModelChoiceField(label=_("Assign to"), queryset=None)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["ids"].valid_value = lambda value: id_param(value) is not None


def _split(text: str) -> list[str]:
    parts = (p.strip() for p in text.replace("，", ",").replace("、", ",").split(","))
    return list(dict.fromkeys(p for p in parts if p))


class FieldGroup(list):
    """Some bound fields of a form under a title, shaped for components/form_fields.html."""

    non_field_errors = ()

    def __init__(self, title, fields):
        super().__init__(fields)
        self.title = title


class RuleForm(ServiceErrorsMixin, forms.ModelForm):
    match_sources = forms.MultipleChoiceField(
        label=_("Sources"),
        choices=CustomerSource.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Leave empty to match every source."),
    )
    match_provinces = forms.CharField(
        label=_("Provinces"),
        required=False,
        max_length=1000,
        help_text=_("Separate with commas, e.g. 上海, 浙江. Empty matches every province."),
    )
    match_industries = forms.MultipleChoiceField(
        label=_("Industries"),
        choices=Industry.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Leave empty to match every industry."),
    )
    match_campaigns = forms.CharField(
        label=_("Campaigns"),
        required=False,
        max_length=1000,
        help_text=_("Separate with commas. Empty matches every campaign."),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Assignee departments"),
        queryset=Department.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Everyone in these departments and those below them."),
    )
    fallback_user = forms.ModelChoiceField(
        label=_("Fallback person"), queryset=User.objects.filter(is_active=True), required=False
    )

    class Meta:
        model = AssignmentRule
        fields = [
            "name",
            "position",
            "is_active",
            "match_sources",
            "match_provinces",
            "match_industries",
            "match_campaigns",
            "match_field",
            "match_value",
            "strategy",
            "departments",
            "daily_cap",
            "open_cap",
            "sla_hours",
            "fallback",
            "fallback_user",
        ]

    GROUPS = (
        (_("Rule"), ("name", "position", "is_active")),
        (
            _("Which leads"),
            (
                "match_sources",
                "match_industries",
                "match_provinces",
                "match_campaigns",
                "match_field",
                "match_value",
            ),
        ),
        (_("Who gets them"), ("strategy", "departments")),
        (_("Limits"), ("daily_cap", "open_cap", "sla_hours")),
        (_("When nobody can take a lead"), ("fallback", "fallback_user")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("match_provinces", "match_campaigns"):
            self.initial[name] = ", ".join(getattr(self.instance, name) or [])

    def _post_clean(self):
        """Skip ModelForm's model validation: rule_save checks the rule, once."""

    def groups(self) -> list[FieldGroup]:
        return [FieldGroup(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def service_data(self) -> dict:
        data = {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name not in ("departments", "fallback_user", "match_provinces", "match_campaigns")
        }
        data["match_provinces"] = _split(self.cleaned_data["match_provinces"])
        data["match_campaigns"] = _split(self.cleaned_data["match_campaigns"])
        fallback_user = self.cleaned_data.get("fallback_user")
        data["fallback_user_id"] = fallback_user.pk if fallback_user else None
        return data

    def department_ids(self) -> list[int]:
        return [d.pk for d in self.cleaned_data["departments"]]


class RuleMemberForm(forms.Form):
    user = forms.ModelChoiceField(
        label=pgettext_lazy("rule member", "Person"),
        queryset=User.objects.filter(is_active=True),
        required=False,
    )
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, initial=1, required=False)
    monthly_capacity = forms.IntegerField(label=_("Leads per month"), min_value=1, required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("user") and cleaned.get("monthly_capacity"):
            self.add_error("user", _("Choose the person this row is for."))
        return cleaned


RuleMemberFormSet = forms.formset_factory(RuleMemberForm, extra=2, can_delete=True, max_num=200)


def rule_members(formset) -> list[dict]:
    """The assignees of a valid formset, in the shape rule_save takes."""
    return [
        {
            "user": form.cleaned_data["user"].pk,
            "weight": form.cleaned_data.get("weight") or 1,
            "monthly_capacity": form.cleaned_data.get("monthly_capacity"),
        }
        for form in formset.forms
        if form.cleaned_data.get("user") and not form.cleaned_data.get("DELETE")
    ]


class RulePreviewForm(forms.Form):
    last = forms.IntegerField(label=_("Leads to try"), min_value=1, max_value=5000, initial=100)


class WebLeadForm(ServiceErrorsMixin, forms.Form):
    """The public form. `website` is a honeypot: hidden from people, filled in by bots."""

    error_fields = {"company_name": "company", "remark": "message"}

    name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    company = forms.CharField(label=pgettext_lazy("lead", "Company"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    wechat = forms.CharField(label=_("WeChat"), max_length=64, required=False)
    message = forms.CharField(
        label=_("Message"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    website = forms.CharField(label=_("Website"), required=False, max_length=200)

    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "company_name": data["company"],
            "phone": data["phone"],
            "email": data["email"],
            "wechat": data["wechat"],
            "remark": data["message"],
        }

    def public_fields(self) -> FieldGroup:
        """Every field but the honeypot, for components/form_fields.html."""
        return FieldGroup("", [field for field in self if field.name != "website"])


class ConvertOpportunityForm(forms.Form):
    """The optional opportunity opened with a conversion."""

    with_opportunity = forms.BooleanField(label=_("Also open an opportunity"), required=False)
    title = forms.CharField(label=_("Opportunity title"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Expected amount"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    expected_close_date = forms.DateField(
        label=_("Expected close date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def opportunity_data(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("with_opportunity"):
            return None
        return {
            "title": data["title"],
            "amount": data["amount"] if data["amount"] is not None else 0,
            "expected_close_date": data["expected_close_date"],
        }
