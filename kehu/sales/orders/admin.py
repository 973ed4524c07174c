from django.contrib import admin

from kehu.sales.orders.models import Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "position",
        "product",
        "name",
        "unit",
        "quantity",
        "unit_price",
        "unit_cost",
        "amount",
        "cost_amount",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-only: orders change through their pages and API, which keep totals and history."""

    list_display = ("number", "customer", "status", "order_date", "total", "gross_profit", "owner")
    list_filter = ("status",)
    list_select_related = ("customer", "owner")
    search_fields = ("number", "customer__name")
    show_full_result_count = False
    inlines = [OrderLineInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
