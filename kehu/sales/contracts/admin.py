from django.contrib import admin

from kehu.sales.contracts.models import Contract, ContractAmendment, ContractAttachment, ContractLine


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ContractLineInline(_ReadOnlyInline):
    model = ContractLine


class ContractAmendmentInline(_ReadOnlyInline):
    model = ContractAmendment


class ContractAttachmentInline(_ReadOnlyInline):
    model = ContractAttachment


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    """Read-only: contracts change through their pages and API, which keep approvals and amendments."""

    list_display = ("number", "title", "customer", "status", "amount", "signed_on", "owner")
    list_filter = ("status",)
    list_select_related = ("customer", "owner")
    search_fields = ("number", "title", "customer__name")
    show_full_result_count = False
    inlines = [ContractLineInline, ContractAmendmentInline, ContractAttachmentInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
