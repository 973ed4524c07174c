"""Admin: tags are configured here; customers are read-only, with permanent deletion as an audited action."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from kehu.core.activity import activity_record_many
from kehu.customers.models import Contact, Customer, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "color"]
    search_fields = ["name"]


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ["name", "title", "mobile", "email", "is_primary", "deleted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "status", "level", "owner", "department", "updated_at", "deleted_at"]
    list_filter = ["kind", "status", "level", "industry", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "phone", "credit_code"]
    list_select_related = ["owner", "department"]
    readonly_fields = [f.name for f in Customer._meta.fields if f.name != "search_text"]
    exclude = ["search_text"]
    inlines = [ContactInline]
    actions = ["purge"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False  # customers are created on their pages, the API or an import, through the services

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Delete permanently (cannot be undone)"), permissions=["delete"])
    def purge(self, request, queryset):
        with transaction.atomic():
            doomed = list(queryset.select_related(None).only("id", "name"))
            activity_record_many(
                actor=request.user, verb="customer.purged", entries=((c, {"name": c.name}) for c in doomed)
            )
            queryset.delete()
        self.message_user(
            request,
            ngettext(
                "%(count)d customer deleted permanently.",
                "%(count)d customers deleted permanently.",
                len(doomed),
            )
            % {"count": len(doomed)},
            messages.SUCCESS,
        )
