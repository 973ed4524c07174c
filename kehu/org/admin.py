from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from kehu.org.models import ApiToken, Department, Role, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "parent", "manager", "sort_order"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "manager"]

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Department) -> str:
        return obj.indented_name


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "data_scope"]
    list_filter = ["data_scope"]
    search_fields = ["name"]
    filter_horizontal = ["permissions"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "department", "role", "is_active", "on_leave"]
    list_filter = ["is_active", "on_leave", "role", "department"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    autocomplete_fields = ["department"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ("display_name", "phone", "department", "role", "on_leave")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username"]
    readonly_fields = ["hint", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are created on the settings page or with `kehu token create`
