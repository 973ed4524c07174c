"""Admin: follow-ups and plans are read-only here; they are written through the pages and the API."""

from django.contrib import admin

from kehu.followups.models import FollowUp, FollowUpPlan


class _ReadOnly(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FollowUp)
class FollowUpAdmin(_ReadOnly):
    list_display = ["occurred_at", "customer", "method", "contact", "created_by", "deleted_at"]
    list_filter = ["method", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["customer", "contact", "created_by"]
    raw_id_fields = ["customer", "contact", "created_by"]
    date_hierarchy = "occurred_at"


@admin.register(FollowUpPlan)
class FollowUpPlanAdmin(_ReadOnly):
    list_display = ["due_at", "customer", "owner", "action", "status", "done_at"]
    list_filter = ["status"]
    list_select_related = ["customer", "owner"]
    raw_id_fields = ["customer", "owner", "source", "done_by_followup", "created_by"]
