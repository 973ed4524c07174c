from django.contrib import admin

from kehu.sales.quotes.models import Quote, QuoteLine


class QuoteLineInline(admin.TabularInline):
    model = QuoteLine
    extra = 0
    readonly_fields = ("amount",)
    raw_id_fields = ("product",)


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    """For inspection and support; edits go through the quote pages, which keep totals and approvals."""

    list_display = ("number", "title", "customer", "status", "total", "valid_until", "created_at")
    list_filter = ("status",)
    search_fields = ("number", "title", "customer__name")
    raw_id_fields = ("opportunity", "customer", "contact", "created_by", "revision_of")
    readonly_fields = (
        "number",
        "status",
        "list_amount",
        "subtotal",
        "discount_amount",
        "net_amount",
        "tax_amount",
        "total",
        "effective_discount",
    )
    inlines = [QuoteLineInline]
