"""The form to set a target: year, metric, subject, annual amount, split method and seasonal weights, and the
twelve months (filled by the split, editable before saving)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.customers.choices import CustomerSource
from kehu.org.models import User
from kehu.org.selectors import department_visible_list, user_assignable_list
from kehu.sales.products.models import Product
from kehu.targets.choices import Metric, SplitMethod, SubjectKind

MONTH_FIELDS = [f"month_{m}" for m in range(1, 13)]


def _decimals(text: str, name: str) -> list[Decimal]:
    try:
        values = [Decimal(v.strip()) for v in text.replace("，", ",").split(",") if v.strip()]
    except InvalidOperation:
        raise forms.ValidationError(_("Enter numbers separated by commas."), code="invalid") from None
    if len(values) != 12:
        raise forms.ValidationError(_("Enter twelve numbers, one a month."), code=name)
    return values


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices)
    subject_kind = forms.ChoiceField(label=_("For"), choices=SubjectKind.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, required=False)
    user = forms.ModelChoiceField(label=_("Rep"), queryset=None, required=False)
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.order_by("code"), required=False
    )
    region = forms.CharField(label=_("Region (province)"), max_length=32, required=False)
    channel = forms.ChoiceField(
        label=_("Channel (customer source)"), choices=[("", "—"), *CustomerSource.choices], required=False
    )
    amount = forms.DecimalField(label=_("Annual target"), min_value=0, max_digits=14, decimal_places=2)
    split_method = forms.ChoiceField(label=_("Split"), choices=SplitMethod.choices, initial=SplitMethod.EVEN)
    weights = forms.CharField(
        label=_("Seasonal weights"),
        required=False,
        help_text=_("Twelve weights separated by commas, January first, e.g. 1,1,2,2,2,3,1,1,2,2,2,3."),
    )

    def __init__(self, *args, actor: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = department_visible_list(user=actor).order_by("path")
        self.fields["department"].label_from_instance = lambda d: d.indented_name
        self.fields["user"].queryset = user_assignable_list(user=actor)
        self.fields["year"].initial = timezone.localdate().year
        for m, name in enumerate(MONTH_FIELDS, start=1):
            self.fields[name] = forms.DecimalField(
                label=str(m), required=False, min_value=0, max_digits=14, decimal_places=2
            )

    def clean_weights(self) -> list[Decimal] | None:
        text = self.cleaned_data.get("weights", "")
        if self.data.get("split_method") != SplitMethod.SEASONAL and not text:
            return None
        return _decimals(text, "weights")

    def months(self) -> list[Decimal] | None:
        """The twelve months typed in, or None when they were all left empty."""
        values = [self.cleaned_data.get(name) for name in MONTH_FIELDS]
        if all(v is None for v in values):
            return None
        return [v if v is not None else Decimal(0) for v in values]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in MONTH_FIELDS]

    def month_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in MONTH_FIELDS]
