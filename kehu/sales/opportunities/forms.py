"""HTML input for opportunities. Forms check types; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import Contact, Customer
from kehu.org.models import User
from kehu.sales.opportunities.choices import MemberRole
from kehu.sales.opportunities.models import Opportunity, Pipeline, Stage

EDIT_FIELDS = (
    "title",
    "amount",
    "probability",
    "expected_close_date",
    "source",
    "campaign",
    "sales_method",
    "competitors",
    "description",
)
CUSTOMER_CHOICES = 200  # the customer drop-down lists the user's most recent customers


class DateInput(forms.DateInput):
    input_type = "date"


class OpportunityForm(forms.ModelForm):
    """Create (with customer, pipeline and stage) or edit (fields and contacts) an opportunity."""

    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    contacts = forms.ModelMultipleChoiceField(
        label=_("Contacts"), queryset=Contact.objects.none(), required=False
    )
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.none(), empty_label=None)
    stage = forms.ModelChoiceField(
        label=_("Stage"),
        queryset=Stage.objects.none(),
        required=False,
        empty_label=_("The pipeline's first stage"),
    )

    class Meta:
        model = Opportunity
        fields = EDIT_FIELDS
        widgets = {
            "expected_close_date": DateInput,
            "competitors": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"probability": _("Leave empty to follow the stage.")}

    def __init__(self, *args, user: User, customer: Customer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["probability"].required = False
        self.fields["amount"].required = False
        self.fields["probability"].validators += [MinValueValidator(0), MaxValueValidator(100)]
        self.fields["amount"].validators.append(MinValueValidator(0))
        if self.instance.pk:
            for name in ("customer", "pipeline", "stage"):
                del self.fields[name]  # stages move on the board; the customer stays
            customer = self.instance.customer
            self.initial["contacts"] = [c.pk for c in self.instance.contacts.all()]
            if not self.instance.probability_overridden:
                self.initial["probability"] = None
        else:
            self._customer_field(user, customer)
            pipelines = Pipeline.objects.filter(active=True)
            self.fields["pipeline"].queryset = pipelines
            self.fields["stage"].queryset = Stage.objects.filter(
                pipeline__active=True, is_won=False, is_lost=False
            ).select_related("pipeline")
            self.fields["stage"].label_from_instance = lambda s: f"{s.pipeline.name} · {s.name}"
            self.initial.setdefault("pipeline", next((p.pk for p in pipelines if p.is_default), None))
            customer = self._chosen_customer() or customer
            self.initial.update(probability=None, amount=None)  # empty: follows the stage; no amount yet
        self.fields["contacts"].queryset = (
            Contact.objects.alive().filter(customer=customer) if customer else Contact.objects.none()
        )
        if not customer:
            self.fields["contacts"].help_text = _("Choose the customer first; its contacts appear on edit.")
        self.order_fields(["title", "customer", "contacts", "pipeline", "stage", *EDIT_FIELDS])

    def _customer_field(self, user: User, customer: Customer | None) -> None:
        field = self.fields["customer"]
        field.queryset = Customer.objects.visible_to(user).alive()
        recent = list(field.queryset.order_by("-updated_at", "-id").only("id", "name")[:CUSTOMER_CHOICES])
        if customer is not None and customer not in recent:
            recent.insert(0, customer)
        field.choices = [("", "---------"), *((c.pk, c.name) for c in recent)]
        if customer is not None:
            self.initial["customer"] = customer.pk

    def _chosen_customer(self) -> Customer | None:
        value = self.data.get("customer") if self.is_bound else None
        if not value or not str(value).isdigit():
            return None
        return self.fields["customer"].queryset.filter(pk=value).first()

    def _post_clean(self):
        """Skip ModelForm's model validation: the service validates and normalises, once."""

    def service_data(self) -> dict:
        data = {f: self.cleaned_data.get(f) for f in EDIT_FIELDS if f in self.cleaned_data}
        if data.get("amount") is None:
            data["amount"] = 0
        for name in ("source", "campaign", "sales_method", "competitors", "description"):
            data[name] = data.get(name) or ""
        return data

    def contact_ids(self) -> list[int]:
        return [c.pk for c in self.cleaned_data.get("contacts") or []]

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class ReviewForm(forms.Form):
    """The review (复盘) that winning or losing takes."""

    reason = forms.CharField(label=_("Reason"), max_length=500)
    competitor = forms.CharField(label=_("Competitor"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("Review summary"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    stage = forms.IntegerField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, won: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.won = won
        if won:
            self.fields["competitor"].help_text = _("The main competitor you beat, if any.")
        else:
            self.fields["competitor"].required = True
            self.fields["competitor"].label = _("Competitor who won")


class TransferForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("New owner"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Colleague"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)
    can_edit = forms.BooleanField(label=_("May edit"), required=False)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
