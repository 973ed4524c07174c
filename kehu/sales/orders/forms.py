"""HTML input for orders: the order's fields and its line editor (a formset). Forms check types; the
services hold the rules and compute prices, costs and totals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.sales.orders.models import Order
from kehu.sales.products.widgets import ProductChoice, product_field_setup, product_line_formset
from kehu.sales.products.widgets import product_choices as product_choices  # re-exported for the views

ORDER_FIELDS = ("order_date", "source_reference", "notes")
MAX_LINES = 200


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        return value.isoformat() if hasattr(value, "isoformat") else value


class OrderForm(forms.ModelForm):
    """The order's own fields; the customer is fixed when it is created. `contracts` are the customer's
    signed contracts the user sees, (id, label) pairs: the order may deliver one of them (None: the user
    may not see contracts, and the form leaves the link alone)."""

    contract = forms.TypedChoiceField(label=_("Contract"), required=False, coerce=int, empty_value=None)
    field_order = ["contract", *ORDER_FIELDS]

    class Meta:
        model = Order
        fields = ORDER_FIELDS
        widgets = {"order_date": DateInput, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, contracts: list[tuple[int, str]] | None = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if contracts is None:  # the user may not see contracts: the link stays as it is
            del self.fields["contract"]
            return
        self.fields["contract"].choices = [("", _("— none —")), *contracts]
        self.fields["contract"].help_text = _("The signed contract this order delivers, if any.")
        if self.instance.pk:
            self.initial.setdefault("contract", self.instance.contract_id)
        else:
            self.initial.setdefault("order_date", timezone.localdate())

    def _post_clean(self) -> None:
        """Skip ModelForm's model validation: the service validates and normalises, once."""

    def service_data(self) -> dict[str, Any]:
        data = {f: self.cleaned_data.get(f) for f in ORDER_FIELDS}
        data["source_reference"], data["notes"] = data["source_reference"] or "", data["notes"] or ""
        if "contract" in self.fields:
            data["contract_id"] = self.cleaned_data.get("contract")
        return data

    def add_service_errors(self, error: ValidationError) -> list[str]:
        """Put the service's messages next to their fields; returns those about the lines."""
        line_errors = []
        for field, messages in error.message_dict.items():
            if field == "lines":
                line_errors += messages
            elif field == "contract_id":
                self.add_error("contract", messages)
            else:
                self.add_error(field if field in self.fields else None, messages)
        return line_errors


def _money_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )


class OrderLineForm(forms.Form):
    """One line: a product (name, unit, price and cost from it unless given) or a free-text item."""

    product = forms.TypedChoiceField(label=_("Product"), required=False, coerce=int, empty_value=None)
    name = forms.CharField(label=_("Description"), required=False, max_length=200)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=16)
    quantity = forms.DecimalField(
        label=_("Quantity"), initial=1, max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit_price = _money_field(_("Unit price"))
    unit_cost = _money_field(_("Unit cost"))

    def __init__(self, *args: Any, products: list[ProductChoice] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product_field_setup(self.fields["product"], products, _("— free text —"))
        for name, each in self.fields.items():
            each.widget.attrs.update({"data-line-field": name, "aria-label": str(each.label)})
        self.fields["unit_price"].widget.attrs["placeholder"] = _("auto")
        self.fields["unit_cost"].widget.attrs["placeholder"] = _("product cost")

    def service_row(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "product_id": data.get("product"),
            "name": (data.get("name") or "").strip(),
            "unit": (data.get("unit") or "").strip(),
            "quantity": data.get("quantity"),
            "unit_price": data.get("unit_price"),
            "unit_cost": data.get("unit_cost"),
        }


OrderLineFormSet = product_line_formset(OrderLineForm, MAX_LINES)


def line_initial(lines: Iterable[Any]) -> list[dict[str, Any]]:
    """The line editor's rows from an order's lines, or from a contract's (which have no cost: the
    product's is taken when the order is saved)."""
    return [
        {
            "product": line.product_id,
            "name": line.name,
            "unit": line.unit,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "unit_cost": getattr(line, "unit_cost", None),
        }
        for line in lines
    ]
