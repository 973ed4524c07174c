"""Admin: notifications are looked at (and may be deleted) here, never written: services.notify makes them."""

from django.contrib import admin

from kehu.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "verb", "created_at", "read_at"]
    list_filter = [
        ("recipient", admin.RelatedOnlyFieldListFilter),
        "verb",
        "created_at",
        ("read_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["title", "recipient__username", "recipient__display_name"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
