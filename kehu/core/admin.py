from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kehu.core.sequences import NumberSequence


class NumberSequenceForm(forms.ModelForm):
    class Meta:
        model = NumberSequence
        fields = ["key", "prefix", "padding", "yearly", "last_value"]

    def clean_last_value(self) -> int:
        value = self.cleaned_data["last_value"]
        if self.instance.pk and value < self.instance.last_value:
            raise ValidationError(
                _("The last number can only go up: lower, numbers already given would repeat.")
            )
        return value


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    form = NumberSequenceForm
    list_display = ("key", "prefix", "padding", "yearly", "year", "last_value")
    readonly_fields = ("year",)
