from django.contrib import admin

from kehu.sales.payments.models import Instalment, Invoice, Receipt


class _ReadOnly(admin.ModelAdmin):
    """Read-only: money changes through the contract's pages and API, which keep the matching and history."""

    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Instalment)
class InstalmentAdmin(_ReadOnly):
    list_display = ("contract", "position", "due_on", "amount", "description")
    list_select_related = ("contract",)


@admin.register(Receipt)
class ReceiptAdmin(_ReadOnly):
    list_display = ("contract", "received_on", "amount", "credit", "method", "reference", "voided_at")
    list_select_related = ("contract",)
    list_filter = ("method",)


@admin.register(Invoice)
class InvoiceAdmin(_ReadOnly):
    list_display = ("number", "contract", "kind", "issued_on", "amount", "tax_amount", "voided_at")
    list_select_related = ("contract",)
    search_fields = ("number",)
