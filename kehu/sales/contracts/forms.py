"""HTML input for contracts: the contract's fields, its line editor (a formset), the amendment, termination
and attachment forms. Forms check types; the services hold the rules and compute the amounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import Contact, Customer
from kehu.org.models import User
from kehu.org.selectors import user_assignable_list
from kehu.sales.contracts.models import Contract
from kehu.sales.contracts.services import AMENDABLE_FIELDS, CONTRACT_FIELDS, MAX_LINES
from kehu.sales.products.widgets import ProductChoice, product_field_setup, product_line_formset
from kehu.sales.products.widgets import price_hints as price_hints  # re-exported for the views
from kehu.sales.products.widgets import product_choices as product_choices

FORM_FIELDS = ("title", "amount", "currency", "signed_on", "starts_on", "ends_on")
AMEND_FIELDS = ("title", "amount", "ends_on", "terms", "notes")
AMOUNT_HELP = _("Leave empty and the amount is the sum of the lines.")


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        return value.isoformat() if hasattr(value, "isoformat") else value


def _lines_total(contract: Contract) -> Decimal:
    return sum((line.amount for line in contract.lines.all()), Decimal(0))


def _amount_setup(form: forms.ModelForm) -> None:
    """The amount is optional (empty: the lines' sum); an amount that is the lines' sum shows as empty."""
    field = form.fields["amount"]
    field.required = False
    field.help_text = AMOUNT_HELP
    field.widget.attrs["placeholder"] = _("the lines' sum")
    contract = form.instance
    if not contract.pk or (contract.lines.all() and contract.amount == _lines_total(contract)):
        form.initial["amount"] = None


def add_service_errors(form: forms.Form, error: ValidationError) -> list[str]:
    """Put the service's messages next to their fields; returns those about the lines."""
    line_errors = []
    for field, messages in error.message_dict.items():
        if field == "lines":
            line_errors += messages
        else:
            form.add_error(field if field in form.fields else None, messages)
    return line_errors


class ContractForm(forms.ModelForm):
    """The contract's own fields; the customer (and opportunity) are fixed when it is created."""

    class Meta:
        model = Contract
        fields = (*FORM_FIELDS, "signing_contact", "signatory", "terms", "notes")
        widgets = {
            "signed_on": DateInput,
            "starts_on": DateInput,
            "ends_on": DateInput,
            "terms": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "signed_on": _("Empty: the day the contract is approved."),
            "notes": _("For colleagues only."),
        }

    def __init__(self, *args: Any, customer: Customer, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _amount_setup(self)
        contact = self.fields["signing_contact"]
        contact.queryset = Contact.objects.alive().filter(customer_id=customer.pk).order_by("name", "id")
        contact.label_from_instance = lambda c: f"{c.name} · {c.title}" if c.title else c.name
        contact.empty_label = "—"
        current = self.instance.signatory_id
        signatory = self.fields["signatory"]
        signatory.queryset = User.objects.filter(
            Q(pk__in=user_assignable_list(user=user).values("pk")) | Q(pk=current)
        ).order_by("username")
        signatory.empty_label = "—"
        self.fields["currency"].widget.attrs.update(maxlength=3, style="text-transform: uppercase")
        if not self.instance.pk:
            self.initial.setdefault("signatory", user.pk)

    def _post_clean(self) -> None:
        """Skip ModelForm's model validation: the service validates and normalises, once."""

    def service_data(self) -> dict[str, Any]:
        data = {f: self.cleaned_data.get(f) for f in CONTRACT_FIELDS}
        data["terms"], data["notes"] = data["terms"] or "", data["notes"] or ""
        return data


class AmendForm(forms.ModelForm):
    """An amendment: the reason, and the fields a contract in force may change."""

    reason = forms.CharField(
        label=_("Reason for the amendment"),
        max_length=500,
        help_text=_("Recorded with the amendment, with what changed from what to what."),
    )

    class Meta:
        model = Contract
        fields = AMEND_FIELDS
        widgets = {
            "ends_on": DateInput,
            "terms": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _amount_setup(self)
        self.order_fields(["reason", *AMEND_FIELDS])

    def _post_clean(self) -> None:
        """Skip ModelForm's model validation: the service validates, once."""

    def service_data(self) -> dict[str, Any]:
        data = {f: self.cleaned_data.get(f) for f in AMENDABLE_FIELDS}
        data["terms"], data["notes"] = data["terms"] or "", data["notes"] or ""
        if data["amount"] is None:
            del data["amount"]  # the lines' sum
        return data


class ContractLineForm(forms.Form):
    """One line: a product (its name, unit and today's price unless given) or a free-text item."""

    product = forms.TypedChoiceField(label=_("Product"), required=False, coerce=int, empty_value=None)
    name = forms.CharField(label=_("Description"), required=False, max_length=200)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=16)
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
            "name": (data.get("name") or "").strip(),
            "unit": (data.get("unit") or "").strip(),
            "quantity": data.get("quantity"),
            "unit_price": data.get("unit_price"),
        }


ContractLineFormSet = product_line_formset(ContractLineForm, MAX_LINES)


def _plain(number: Decimal) -> str:
    """2.00 → "2", 2.50 → "2.5": short enough for the narrow quantity box."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def line_initial(contract: Contract) -> list[dict[str, Any]]:
    return [
        {
            "product": line.product_id,
            "name": line.name,
            "unit": line.unit,
            "quantity": _plain(line.quantity),
            "unit_price": line.unit_price,
            "amount": line.amount,
        }
        for line in contract.lines.all()
    ]


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("Reason for termination"), max_length=500)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
