from django.contrib import admin

from kehu.core.sequences import NumberSequence


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    list_display = ("key", "prefix", "padding", "yearly", "year", "last_value")
    readonly_fields = ("year",)
