"""Admin: pools are configured here (also through the API); pool events are read-only, the record of moves."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kehu.pool.models import Pool, PoolEvent


@admin.register(Pool)
class PoolAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "position",
        "is_default",
        "is_active",
        "no_followup_days",
        "not_closed_days",
        "claims_per_day",
        "max_private_customers",
    ]
    list_filter = ["is_active", "is_default"]
    search_fields = ["name"]
    filter_horizontal = ["users", "departments", "admins"]
    fieldsets = [
        (None, {"fields": ["name", "position", "is_default", "is_active"]}),
        (_("Members"), {"fields": ["users", "departments", "admins"]}),
        (
            _("Reclaim"),
            {
                "fields": [
                    "no_followup_days",
                    "level_days",
                    "no_opportunity_days",
                    "not_closed_days",
                    "exempt_deal",
                    "exempt_locked",
                    "warn_days_before",
                ]
            },
        ),
        (
            _("Limits"),
            {
                "fields": [
                    "max_private_customers",
                    "max_locked_customers",
                    "count_deal_customers",
                    "claims_per_day",
                    "claims_per_batch",
                    "reclaim_cooldown_days",
                    "claim_wait_hours",
                ]
            },
        ),
    ]


@admin.register(PoolEvent)
class PoolEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "customer", "pool", "kind", "from_user", "to_user", "actor", "reason"]
    list_filter = ["kind", "pool"]
    list_select_related = ["customer", "pool", "from_user", "to_user", "actor"]
    raw_id_fields = ["customer", "actor", "from_user", "to_user"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
