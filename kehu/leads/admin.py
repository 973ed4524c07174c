"""Admin: assignment rules and web forms are configured here; leads, imports and assignments are read-only."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kehu.core.activity import activity_record
from kehu.leads.models import AssignmentRule, Lead, LeadAssignment, LeadImport, RuleMember, WebForm
from kehu.leads.services import rule_check


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the services: looked at here, never added or changed."""

    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RuleMemberFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """The rule's cross-field checks (rule_check), with the assignees' capacities as entered."""
        super().clean()
        capacities = [
            form.cleaned_data.get("monthly_capacity")
            for form in self.forms
            if form.cleaned_data and form.cleaned_data.get("user") and not form.cleaned_data.get("DELETE")
        ]
        try:
            rule_check(self.instance, capacities)
        except ValidationError as exc:
            raise ValidationError([m for messages in exc.message_dict.values() for m in messages]) from exc


class RuleMemberInline(admin.TabularInline):
    model = RuleMember
    formset = RuleMemberFormSet
    fields = ["user", "weight", "monthly_capacity"]
    autocomplete_fields = ["user"]
    extra = 1


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin):
    list_display = [
        "position",
        "name",
        "is_active",
        "strategy",
        "daily_cap",
        "open_cap",
        "sla_hours",
        "fallback",
    ]
    list_display_links = ["name"]
    list_editable = ["is_active"]
    list_filter = ["is_active", "strategy", "fallback"]
    search_fields = ["name"]
    ordering = ["position", "id"]
    filter_horizontal = ["departments"]
    autocomplete_fields = ["fallback_user"]
    inlines = [RuleMemberInline]
    fieldsets = [
        (None, {"fields": ["name", "position", "is_active"]}),
        (
            _("Which leads"),
            {
                "fields": [
                    "match_sources",
                    "match_provinces",
                    "match_industries",
                    "match_campaigns",
                    ("match_field", "match_value"),
                ],
                "description": _(
                    'Lists in JSON, e.g. ["website", "exhibition"] or ["上海"]; an empty list [] matches all.'
                ),
            },
        ),
        (_("Who gets them"), {"fields": ["strategy", "departments"]}),
        (_("Limits"), {"fields": ["daily_cap", "open_cap", "sla_hours"]}),
        (_("When nobody can take a lead"), {"fields": ["fallback", "fallback_user"]}),
    ]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        rule = form.instance
        AssignmentRule.objects.filter(pk=rule.pk).update(
            state={}
        )  # the counters start again, as rule_save does
        activity_record(
            actor=request.user,
            subject=rule,
            verb="rule.saved",
            data={"name": rule.name, "active": rule.is_active},
        )


@admin.register(WebForm)
class WebFormAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "source", "campaign", "is_active", "public_link", "created_at"]
    list_filter = ["is_active", "source"]
    search_fields = ["name", "slug", "campaign"]
    fields = ["name", "slug", "source", "campaign", "is_active", "intro", "thank_you"]

    @admin.display(description=_("Public address"))
    def public_link(self, obj: WebForm) -> str:
        url = reverse("forms:web_form", args=[obj.slug])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "source", "channel", "owner", "duplicate_key", "created_at"]
    list_filter = [
        "status",
        "source",
        "channel",
        "duplicate_key",
        ("owner", admin.RelatedOnlyFieldListFilter),
        ("deleted_at", admin.EmptyFieldListFilter),
        "created_at",
    ]
    search_fields = ["name", "company_name", "phone", "email", "wechat", "credit_code"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    exclude = ["search_text", "name_key"]


@admin.register(LeadImport)
class LeadImportAdmin(ReadOnlyAdmin):
    list_display = [
        "original_name",
        "created_by",
        "status",
        "total_rows",
        "created_count",
        "error_count",
        "created_at",
    ]
    list_filter = ["status", "file_format"]
    list_select_related = ["created_by"]
    exclude = ["stored_path", "header", "preview"]


@admin.register(LeadAssignment)
class LeadAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "lead", "assignee", "previous_owner", "rule", "strategy", "reason", "actor"]
    list_filter = ["reason", "strategy", ("rule", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["lead", "assignee", "previous_owner", "rule", "actor"]
    search_fields = ["lead__name", "lead__company_name"]
    date_hierarchy = "created_at"
