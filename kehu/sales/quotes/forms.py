"""HTML input for quotes: the quote's fields and its line editor (a formset). Forms check types; the services
hold the rules and compute prices and totals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import Contact
from kehu.sales.opportunities.models import Opportunity
from kehu.sales.products.models import PriceList
from kehu.sales.products.widgets import ProductChoice, product_field_setup, product_line_formset
from kehu.sales.products.widgets import price_hints as price_hints  # re-exported for the views
from kehu.sales.products.widgets import product_choices as product_choices
from kehu.sales.quotes.models import Quote

QUOTE_FIELDS = ("title", "valid_until", "discount_percent", "terms", "notes")
LINE_FIELDS = ("product_id", "name", "unit", "quantity", "unit_price", "discount_percent", "tax_rate")
MAX_LINES = 200


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        return value.isoformat() if hasattr(value, "isoformat") else value


def _percent_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


class QuoteForm(forms.ModelForm):
    """The quote's own fields; the opportunity (and so the customer) is fixed when it is created."""

    class Meta:
        model = Quote
        fields = ("title", "contact", "price_list", *QUOTE_FIELDS[1:])
        widgets = {
            "valid_until": DateInput,
            "terms": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "price_list": _("Empty: the default price list, else the products' list prices."),
            "notes": _("For colleagues only; not printed."),
        }

    def __init__(self, *args: Any, opportunity: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.alive().filter(customer_id=opportunity.customer_id)
        self.fields["contact"].label_from_instance = lambda c: f"{c.name} · {c.title}" if c.title else c.name
        self.fields["price_list"].queryset = PriceList.objects.filter(active=True).order_by("name", "id")
        self.fields["price_list"].widget.attrs["data-price-list"] = ""
        self.fields["contact"].empty_label = "—"
        self.fields["price_list"].empty_label = _("Default price list")
        self.fields["discount_percent"].required = False
        self.fields["discount_percent"].validators += [MinValueValidator(0), MaxValueValidator(100)]
        self.fields["discount_percent"].widget.attrs["placeholder"] = "0"
        if not self.instance.pk:
            contact = next(iter(opportunity.contacts.all()), None)
            self.initial.update(
                title=opportunity.title,
                valid_until=timezone.localdate() + timedelta(days=settings.KEHU_QUOTE_VALID_DAYS),
                discount_percent=None,
                contact=contact.pk if contact else None,
            )

    def _post_clean(self) -> None:
        """Skip ModelForm's model validation: the service validates and normalises, once."""

    def service_data(self) -> dict[str, Any]:
        data = {f: self.cleaned_data.get(f) for f in QUOTE_FIELDS}
        data["discount_percent"] = data["discount_percent"] or 0
        data["terms"], data["notes"] = data["terms"] or "", data["notes"] or ""
        return data

    def add_service_errors(self, error: ValidationError) -> list[str]:
        """Put the service's messages next to their fields; returns those about the lines."""
        line_errors = []
        for field, messages in error.message_dict.items():
            if field == "lines":
                line_errors += messages
            else:
                self.add_error(field if field in self.fields else None, messages)
        return line_errors


class QuoteLineForm(forms.Form):
    """One line: a product (name, unit, price and tax from it unless given) or a free-text item."""

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
    discount_percent = _percent_field(_("Discount (%)"))
    tax_rate = _percent_field(_("Tax rate (%)"))

    def __init__(self, *args: Any, products: list[ProductChoice] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product_field_setup(self.fields["product"], products, _("— free text —"))
        for name, each in self.fields.items():
            each.widget.attrs.update({"data-line-field": name, "aria-label": str(each.label)})
        self.fields["unit_price"].widget.attrs["placeholder"] = _("auto")
        self.fields["tax_rate"].widget.attrs["placeholder"] = settings.KEHU_DEFAULT_TAX_RATE
        self.fields["discount_percent"].widget.attrs["placeholder"] = "0"

    def service_row(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "product_id": data.get("product"),
            "name": (data.get("name") or "").strip(),
            "unit": (data.get("unit") or "").strip(),
            "quantity": data.get("quantity"),
            "unit_price": data.get("unit_price"),
            "discount_percent": data.get("discount_percent"),
            "tax_rate": data.get("tax_rate"),
        }


QuoteLineFormSet = product_line_formset(QuoteLineForm, MAX_LINES)


def line_initial(quote: Quote) -> list[dict[str, Any]]:
    return [
        {
            "product": line.product_id,
            "name": line.name,
            "unit": line.unit,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent,
            "tax_rate": line.tax_rate,
        }
        for line in quote.lines.all()
    ]
