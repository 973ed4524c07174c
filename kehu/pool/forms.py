"""HTML input for the pool pages. Forms check types; the services (pool_save, customers_claim, …) hold the
rules and report what they refuse."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kehu.core.exceptions import DomainError
from kehu.core.params import id_param
from kehu.customers.choices import CustomerLevel
from kehu.org.models import Department, User
from kehu.pool.configuration import ADMIN_FIELDS, MEMBER_FIELDS, POOL_FIELDS
from kehu.pool.models import Pool

RULE_FIELDS = tuple(f for f in POOL_FIELDS if f not in ("name", "position", "is_default", "is_active"))
LEVEL_PREFIX = "level_"


class FieldGroup(list):
    """Some bound fields of a form under a title, shaped for components/form_fields.html."""

    non_field_errors = ()

    def __init__(self, title, fields):
        super().__init__(fields)
        self.title = title


class PoolForm(forms.ModelForm):
    """Every setting of a pool. The per-level days are one small number input per customer level."""

    class Meta:
        model = Pool
        fields = [f for f in POOL_FIELDS if f != "level_days"] + list(MEMBER_FIELDS)
        widgets = {
            "users": forms.SelectMultiple(attrs={"size": 6}),
            "departments": forms.SelectMultiple(attrs={"size": 6}),
            "admins": forms.SelectMultiple(attrs={"size": 6}),
        }

    GROUPS = (
        (_("Pool"), ("name", "position", "is_active", "is_default")),
        (_("Who uses it"), ("users", "departments", "admins")),
        (
            _("Reclaim rules"),
            ("no_followup_days", *(f"{LEVEL_PREFIX}{v}" for v in CustomerLevel.values)),
        ),
        (
            _("More reclaim rules"),
            ("not_closed_days", "no_opportunity_days", "warn_days_before", "exempt_deal", "exempt_locked"),
        ),
        (_("Caps per rep"), ("max_private_customers", "max_locked_customers", "count_deal_customers")),
        (
            _("Claim limits"),
            ("claims_per_day", "claims_per_batch", "reclaim_cooldown_days", "claim_wait_hours"),
        ),
    )

    def __init__(self, *args, rules_only: bool = False, **kwargs):
        """`rules_only`: the pool's own admin, who may change its rules and limits but not who belongs to
        it, its rank or whether it is the company-wide pool (those fields are shown, not editable)."""
        super().__init__(*args, **kwargs)
        if rules_only:
            for name in self.fields:
                if name not in ADMIN_FIELDS:
                    self.fields[name].disabled = True
        active = User.objects.filter(is_active=True).select_related("department").order_by("username")
        self.fields["users"].queryset = active
        self.fields["admins"].queryset = active
        self.fields["departments"].queryset = Department.objects.order_by("path")
        self.fields["departments"].label_from_instance = lambda d: d.indented_name
        levels = self.instance.level_days or {}
        for value, label in CustomerLevel.choices:
            self.fields[f"{LEVEL_PREFIX}{value}"] = forms.IntegerField(
                label=_("Days without follow-up, level %(level)s") % {"level": value},
                help_text=label,
                min_value=1,
                required=False,
                initial=levels.get(value),
                widget=forms.NumberInput(attrs={"class": "level-days"}),
            )
        for name in RULE_FIELDS:
            field = self.fields.get(name)
            if isinstance(field, forms.IntegerField):
                field.min_value = 1
                field.widget.attrs["min"] = 1
        self.fields["no_opportunity_days"].help_text = _("Takes effect once opportunities exist.")

    def _post_clean(self):
        """Skip ModelForm's model validation: pool_save checks the pool, once."""

    def groups(self) -> list[FieldGroup]:
        return [FieldGroup(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def level_days(self) -> dict[str, int]:
        data = self.cleaned_data
        return {v: data[f"{LEVEL_PREFIX}{v}"] for v in CustomerLevel.values if data.get(f"{LEVEL_PREFIX}{v}")}

    def rule_data(self) -> dict:
        """The reclaim rules and limits, as pool_preview takes them."""
        data = {name: self.cleaned_data[name] for name in RULE_FIELDS if name in self.cleaned_data}
        data["level_days"] = self.level_days()
        return data

    def service_data(self) -> dict:
        """Everything, as pool_save takes it (members as ids)."""
        data = {f: self.cleaned_data[f] for f in POOL_FIELDS if f in self.cleaned_data}
        data["level_days"] = self.level_days()
        for name in MEMBER_FIELDS:
            data[name] = [o.pk for o in self.cleaned_data[name]]
        return data

    def add_service_errors(self, exc: ValidationError | DomainError) -> None:
        errors = {exc.field or "__all__": [exc.message]} if isinstance(exc, DomainError) else exc.message_dict
        for field, messages in errors.items():
            self.add_error(field if field in self.fields else None, messages)


class IdsForm(forms.Form):
    """Ticked customers of a pool list."""

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Customers"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].valid_value = lambda value: id_param(value) is not None
        self.fields["ids"].error_messages["required"] = _("Tick at least one customer.")


class AssignForm(IdsForm):
    owner = forms.ModelChoiceField(label=_("Assign to"), queryset=None)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].error_messages["required"] = _("Choose who gets these customers.")


class MoveForm(IdsForm):
    target = forms.ModelChoiceField(label=_("Move to the pool"), queryset=None)

    def __init__(self, *args, pools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = pools
        self.fields["target"].error_messages["required"] = _("Choose the pool to move them to.")


class ReleaseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you release it?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why you release this customer.")},
    )
    pool = forms.ModelChoiceField(
        label=_("To the pool"),
        queryset=None,
        required=False,
        empty_label=_("The company-wide pool"),
        help_text=_("Empty: the company-wide pool."),
    )

    def __init__(self, *args, pools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = pools
