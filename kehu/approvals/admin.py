"""Admin: flows with their steps are configured here (also through the API); approvals are read-only."""

from django.contrib import admin

from kehu.approvals.models import ApprovalFlow, ApprovalRequest, ApprovalStep, ApprovalTask


class ApprovalStepInline(admin.TabularInline):
    model = ApprovalStep
    extra = 0
    fields = ["position", "name", "kind", "users", "role"]
    filter_horizontal = ["users"]


@admin.register(ApprovalFlow)
class ApprovalFlowAdmin(admin.ModelAdmin):
    list_display = ["name", "document_type", "position", "active", "updated_at"]
    list_filter = ["document_type", "active"]
    search_fields = ["name"]
    fields = ["document_type", "name", "position", "active", "conditions"]
    inlines = [ApprovalStepInline]


class _ReadOnly(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ApprovalTaskInline(admin.TabularInline):
    model = ApprovalTask
    extra = 0
    fields = ["position", "step", "status", "decided_by", "decided_at", "comment"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(_ReadOnly):
    list_display = [
        "submitted_at",
        "document_type",
        "document_label",
        "flow",
        "submitter",
        "status",
        "decided_at",
    ]
    list_filter = ["status", "document_type"]
    list_select_related = ["flow", "submitter"]
    search_fields = ["document_label"]
    date_hierarchy = "submitted_at"
    inlines = [ApprovalTaskInline]
