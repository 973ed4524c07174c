"""HTML input for products and price lists. Forms check types; the services hold the rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kehu.sales.products.models import PriceList, Product
from kehu.sales.products.services import PRICE_LIST_FIELDS, PRODUCT_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class _ServiceForm(forms.ModelForm):
    service_fields: tuple[str, ...] = ()

    def _post_clean(self):
        """Skip ModelForm's model validation: the service validates, once."""

    def service_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.service_fields if f in self.cleaned_data}

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class ProductForm(_ServiceForm):
    service_fields = PRODUCT_FIELDS

    class Meta:
        model = Product
        fields = PRODUCT_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        field.choices = [("", "—"), *((c.pk, "— " * depth + c.name) for c, depth in categories)]


class PriceListForm(_ServiceForm):
    service_fields = PRICE_LIST_FIELDS

    class Meta:
        model = PriceList
        fields = PRICE_LIST_FIELDS
        widgets = {"valid_from": DateInput, "valid_to": DateInput}


class PriceListItemForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.active())
    price = forms.DecimalField(label=_("Price"), min_value=0, max_digits=14, decimal_places=2)
