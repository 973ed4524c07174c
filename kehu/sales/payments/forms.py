"""HTML input for a contract's payments: the plan's rows (a formset) and the even split, a receipt, an
invoice, and the reason for voiding. Forms check types; the services hold the rules (the plan adds up, no
over-payment unless kept as credit, invoices within the amount)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.sales.payments.choices import InvoiceKind, PaymentMethod
from kehu.sales.payments.models import Instalment
from kehu.sales.payments.services import MAX_INSTALMENTS

MONEY = {"max_digits": 14, "decimal_places": 2}


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        return value.isoformat() if hasattr(value, "isoformat") else value


class PlanRowForm(forms.Form):
    """One instalment of the plan editor; a row left empty is skipped."""

    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput)
    amount = forms.DecimalField(
        label=_("Amount"), required=False, validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The line editor (kehu/static/kehu/line_editor.js) sums "unit_price" × "quantity" of the rows whose
        # "name" is filled: the due date plays the name, the amount the price (the quantity is a fixed 1).
        for name, role in (("due_on", "name"), ("amount", "unit_price"), ("description", "description")):
            self.fields[name].widget.attrs.update(
                {"data-line-field": role, "aria-label": str(self.fields[name].label)}
            )
        self.fields["amount"].widget.attrs["placeholder"] = "0.00"

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("due_on") or data.get("amount") or data.get("description"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.is_blank():
            for name in ("due_on", "amount"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Required in a row that is filled in."))
        return data


class BasePlanFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict[str, Any]]:
        """The instalments to save, in the order typed: not removed, not left blank."""
        return [
            {k: form.cleaned_data[k] for k in ("due_on", "amount", "description")}
            for form in self.forms
            if form not in self.deleted_forms and not form.is_blank()
        ]


PlanFormSet = forms.formset_factory(
    PlanRowForm,
    formset=BasePlanFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_INSTALMENTS,
    validate_max=True,
    absolute_max=MAX_INSTALMENTS,
)


def plan_initial(instalments: list[Instalment]) -> list[dict[str, Any]]:
    return [{"due_on": i.due_on, "amount": i.amount, "description": i.description} for i in instalments]


class SplitForm(forms.Form):
    """The even split: `count` equal instalments, the first due on `first_due`, `months_apart` apart."""

    count = forms.IntegerField(
        label=_("Number of instalments"),
        initial=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_INSTALMENTS)],
    )
    first_due = forms.DateField(label=_("First due on"), widget=DateInput)
    months_apart = forms.IntegerField(
        label=_("Months apart"), initial=1, validators=[MinValueValidator(0), MaxValueValidator(36)]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "split")
        super().__init__(*args, **kwargs)
        self.fields["first_due"].initial = timezone.localdate


class ReceiptForm(forms.Form):
    """Money received; `keep_excess` carries the excess the user agreed to keep as credit (see the view)."""

    amount = forms.DecimalField(label=_("Amount"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY)
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    reference = forms.CharField(
        label=_("Reference"), required=False, max_length=100, help_text=_("Bank slip or bill no.")
    )
    instalment = forms.TypedChoiceField(
        label=_("For instalment"), required=False, coerce=int, empty_value=None
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    keep_excess = forms.DecimalField(required=False, widget=forms.HiddenInput, **MONEY)

    def __init__(self, *args: Any, instalments: list[Instalment] = (), **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "receipt")
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate
        self.fields["instalment"].choices = [("", _("— the oldest due first —"))] + [
            (i.pk, _("No. %(n)s, due %(due)s") % {"n": i.position, "due": i.due_on.isoformat()})
            for i in instalments
        ]
        self.excess: Decimal | None = None  # set by the view when the service refused an over-payment

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data[k] for k in ("amount", "received_on", "method", "reference", "note")}


class InvoiceForm(forms.Form):
    number = forms.CharField(label=_("Invoice number"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=InvoiceKind.choices)
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput)
    amount = forms.DecimalField(
        label=_("Amount with tax"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    tax_amount = forms.DecimalField(
        label=_("Tax"), required=False, initial=Decimal(0), validators=[MinValueValidator(0)], **MONEY
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "invoice")
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].initial = timezone.localdate

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["tax_amount"] = data.get("tax_amount") or Decimal(0)
        return data


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
