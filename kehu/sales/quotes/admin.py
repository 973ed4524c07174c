from django.contrib import admin

from kehu.sales.quotes.models import Quote, QuoteLine


class QuoteLineInline(admin.TabularInline):
    model = QuoteLine
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "position",
        "product",
        "name",
        "unit",
        "quantity",
        "list_price",
        "unit_price",
        "discount_percent",
        "tax_rate",
        "amount",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    """Read-only: quotes change through their pages and API, which keep totals, approvals and history."""

    list_display = ("number", "title", "customer", "status", "total", "valid_until", "created_at")
    list_filter = ("status",)
    list_select_related = ("customer",)
    search_fields = ("number", "title", "customer__name")
    show_full_result_count = False
    inlines = [QuoteLineInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
