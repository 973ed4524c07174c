"""HTML input for opportunities. Forms check types; the services hold the rules."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from kehu.core.params import id_param
from kehu.customers.models import Contact, Customer
from kehu.org.models import User
from kehu.sales.opportunities.choices import MemberRole
from kehu.sales.opportunities.models import Opportunity, Pipeline, Stage
from kehu.sales.opportunities.services.opportunities import MAX_LINES
from kehu.sales.products.models import Product
from kehu.sales.products.widgets import (
    ProductChoice,
    ProductLineFormSet,
    product_choices,
    product_field_setup,
    product_line_formset,
)

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
LINES_PREFIX = "lines"


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
        help_texts = {
            "probability": _("Leave empty to follow the stage."),
            "amount": _("With product lines, the amount is their sum."),
        }

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
        pk = id_param(value)
        return self.fields["customer"].queryset.filter(pk=pk).first() if pk else None

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

    def add_service_errors(self, error: ValidationError) -> list[str]:
        """Put the service's messages next to their fields; returns those about the lines."""
        line_errors = []
        for field, messages in error.message_dict.items():
            if field == "lines":
                line_errors += messages
            else:
                self.add_error(field if field in self.fields else None, messages)
        return line_errors


class OpportunityLineForm(forms.Form):
    """One product line: a product (its name and today's price unless given) or a free-text item."""

    product = forms.TypedChoiceField(label=_("Product"), required=False, coerce=int, empty_value=None)
    name = forms.CharField(label=_("Description"), required=False, max_length=200)
    quantity = forms.DecimalField(
        label=_("Quantity"), initial=1, max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        required=False,
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )

    def __init__(self, *args: Any, products: list[ProductChoice] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product_field_setup(self.fields["product"], products, _("— free text —"))
        for name, field in self.fields.items():
            field.widget.attrs.update({"data-line-field": name, "aria-label": str(field.label)})
        self.fields["unit_price"].widget.attrs["placeholder"] = _("auto")

    def service_row(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "product_id": data.get("product"),
            "product_name": (data.get("name") or "").strip(),
            "quantity": data.get("quantity"),
            "unit_price": data.get("unit_price"),
        }


OpportunityLineFormSet = product_line_formset(OpportunityLineForm, MAX_LINES)


def _plain(value: Decimal) -> Decimal:
    """A whole quantity without its decimals ("20", not "20.00"), so it fits the narrow column."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def opportunity_line_formset(
    data: Mapping[str, Any] | None, opportunity: Opportunity | None
) -> ProductLineFormSet:
    """The line editor, starting from the opportunity's lines. Bound only when the page sent it (its
    management form is in `data`): a post without it leaves the lines as they are."""
    lines = list(opportunity.lines.all()) if opportunity else []
    ids = {line.product_id for line in lines if line.product_id}
    kept = Product.objects.filter(pk__in=ids) if ids else []  # products no longer sold stay choosable
    initial = [
        {
            "product": line.product_id,
            "name": line.product_name,
            "quantity": _plain(line.quantity),
            "unit_price": line.unit_price,
            "amount": line.amount,
        }
        for line in lines
    ]
    submitted = data is not None and f"{LINES_PREFIX}-TOTAL_FORMS" in data
    return OpportunityLineFormSet(
        data if submitted else None, prefix=LINES_PREFIX, initial=initial, products=product_choices(kept)
    )


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
