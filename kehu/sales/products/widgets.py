"""The product drop-down of the line editors (quotes, opportunities; kehu/static/kehu/line_editor.js).

Its options are the active products as "code name", each carrying the product's name, unit, list price and
tax rate as data- attributes, so the script fills a row's description and shows the price as a hint; the
price hints say which prices a price list puts on them today, as `selectors.price_for` applies them.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from kehu.sales.products.models import PriceList, PriceListItem, Product

PRODUCT_CHOICES = 500  # the drop-down lists this many active products, by code

ProductChoice = tuple[str, str, dict[str, str]]  # (value, label, the option's data- attributes)


class ProductSelect(forms.Select):
    """A select whose options carry data- attributes (`option_data`, by value)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.option_data: dict[str, dict[str, str]] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(self.option_data.get(str(value), {}))
        return option


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def product_choices(kept: Iterable[Product] = ()) -> list[ProductChoice]:
    """(value, "code name", data- attributes) for the active products, plus the inactive ones in `kept`
    (already on the document, so editing keeps them)."""
    products = list(Product.objects.filter(active=True).order_by("code")[:PRODUCT_CHOICES])
    ids = {p.pk for p in products}
    products += [p for p in kept if p.pk not in ids]
    return [
        (
            str(p.pk),
            f"{p.code} {p.name}",
            {
                "data-name": p.name,
                "data-unit": p.unit,
                "data-price": _money(p.list_price),
                "data-tax": _money(p.tax_rate),
            },
        )
        for p in products
    ]


def product_field_setup(field: forms.Field, products: list[ProductChoice], empty_label: Any) -> None:
    """Turn a choice field into the line editor's product drop-down."""
    widget = ProductSelect(attrs=field.widget.attrs)
    widget.option_data = {value: data for value, _label, data in products}
    field.widget = widget
    field.choices = [("", empty_label), *((value, label) for value, label, _data in products)]


def price_hints(products: list[ProductChoice]) -> dict[str, dict[str, str]]:
    """For the line editor's price hints: per active price list ("" for none chosen, which means the default
    list), the product prices that differ from the list prices, as `price_for` applies them today."""
    today = timezone.localdate()
    lists = list(PriceList.objects.filter(active=True))
    valid = [p.pk for p in lists if p.is_valid_on(today)]
    hints: dict[str, dict[str, str]] = {str(p.pk): {} for p in lists}
    items = PriceListItem.objects.filter(
        price_list_id__in=valid, product_id__in=[int(value) for value, _label, _data in products]
    ).values_list("price_list_id", "product_id", "price")
    for price_list_id, product_id, price in items:
        hints[str(price_list_id)][str(product_id)] = _money(price)
    default = PriceList.objects.valid_on(today).filter(is_default=True).order_by("-valid_from").first()
    hints[""] = hints.get(str(default.pk), {}) if default else {}
    return hints


class ProductLineFormSet(forms.BaseFormSet):
    """A document's line editor: each line form gets the product choices; `rows()` the lines to save."""

    def __init__(self, *args: Any, products: list[ProductChoice], **kwargs: Any) -> None:
        self.products = products
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"products": self.products}

    def rows(self) -> list[dict[str, Any]]:
        """The lines to save, in order: not removed, and not a blank row left as it came."""
        return [
            form.service_row()
            for form in self.forms
            if form not in self.deleted_forms and (form.has_changed() or form.initial)
        ]


def product_line_formset(form: type[forms.Form], max_lines: int) -> type[ProductLineFormSet]:
    """The formset class of a line form: one blank row to start, rows removable, at most `max_lines`."""
    return forms.formset_factory(
        form,
        formset=ProductLineFormSet,
        extra=1,
        can_delete=True,
        max_num=max_lines,
        validate_max=True,
        absolute_max=max_lines,
    )
