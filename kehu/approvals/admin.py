"""Admin: flows with their steps are configured here (also through the API), checked by the same rules as
the API's (kehu/approvals/flows.py); approvals are read-only."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kehu.approvals import registry
from kehu.approvals.flows import clean_conditions, clean_step
from kehu.approvals.models import ApprovalFlow, ApprovalRequest, ApprovalStep, ApprovalTask
from kehu.core.exceptions import DomainError


def _in_use(flow: ApprovalFlow | None) -> bool:
    return bool(flow and flow.pk and ApprovalTask.objects.filter(step__flow=flow).exists())


class ApprovalFlowForm(forms.ModelForm):
    class Meta:
        model = ApprovalFlow
        fields = ["document_type", "name", "position", "active", "conditions"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = [(key, str(entry.label)) for key, entry in sorted(registry.document_types().items())]
        self.fields["document_type"] = forms.ChoiceField(label=_("Document type"), choices=types)
        self.fields["conditions"].help_text = _(
            'All must hold, e.g. [{"field": "amount", "operator": ">", "value": "500000"}]. Empty: always.'
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        conditions = data.get("conditions") or []
        if not isinstance(conditions, list) or not all(isinstance(c, Mapping) for c in conditions):
            raise ValidationError({"conditions": _("Write a list of conditions: [{...}, {...}].")})
        if data.get("document_type"):
            try:
                data["conditions"] = clean_conditions(data["document_type"], conditions)
            except DomainError as exc:
                raise ValidationError({"conditions": exc.message}) from None
        return data


class ApprovalStepFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise ValidationError(_("A flow needs at least one step."))
        for position, form in enumerate(kept, start=1):
            data = form.cleaned_data
            step = {
                "kind": data.get("kind"),
                "users": [user.pk for user in data.get("users") or []],
                "role": data["role"].pk if data.get("role") else None,
            }
            try:
                clean_step(position, step)
            except DomainError as exc:
                raise ValidationError(exc.message) from None


class ApprovalStepInline(admin.TabularInline):
    model = ApprovalStep
    formset = ApprovalStepFormSet
    extra = 0
    fields = ["position", "name", "kind", "users", "role"]
    filter_horizontal = ["users"]

    # Approvals point at the steps they went through: a flow in use keeps its steps (create a new flow).
    def has_add_permission(self, request, obj=None) -> bool:
        return not _in_use(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not _in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _in_use(obj) and super().has_delete_permission(request, obj)


@admin.register(ApprovalFlow)
class ApprovalFlowAdmin(admin.ModelAdmin):
    form = ApprovalFlowForm
    list_display = ["name", "document_type", "position", "active", "updated_at"]
    list_filter = ["document_type", "active"]
    search_fields = ["name"]
    inlines = [ApprovalStepInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        in_use = bool(obj and obj.pk and obj.requests.exists())
        return not in_use and super().has_delete_permission(request, obj)


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
