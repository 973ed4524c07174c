"""HTML input for a handover. The form checks types; kehu.pool.handover holds the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kehu.core.exceptions import DomainError
from kehu.org.models import User
from kehu.org.selectors import user_assignable_list
from kehu.pool.handover import handover_user_choices
from kehu.pool.models import HandoverMode, Pool
from kehu.pool.selectors import pool_list


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        label = f"{obj} · {obj.department}" if obj.department_id else str(obj)
        return label if obj.is_active else f"{label} ({_('deactivated')})"


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} · {obj.department}" if obj.department_id else str(obj)


class HandoverForm(forms.Form):
    from_user = UserChoiceField(label=_("Departing user"), queryset=User.objects.none())
    mode = forms.ChoiceField(
        label=_("Hand over"),
        choices=HandoverMode.choices,
        initial=HandoverMode.TO_ONE,
        widget=forms.RadioSelect,
    )
    recipients = UserMultipleChoiceField(
        label=_("Recipients"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("One to receive everything, or several to split the book evenly."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    pool = forms.ModelChoiceField(
        label=_("Pool"),
        queryset=Pool.objects.none(),
        required=False,
        empty_label=_("The departing user's pool"),
        help_text=_("Where the customers go when handed over to the pool."),
    )
    deactivate = forms.BooleanField(
        label=_("Deactivate the departing user (no login, API tokens revoked)"), required=False, initial=True
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_user"].queryset = handover_user_choices(user=actor)
        self.fields["recipients"].queryset = user_assignable_list(user=actor)
        self.fields["pool"].queryset = pool_list(user=actor).filter(is_active=True)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "from_user": data["from_user"],
            "mode": data["mode"],
            "recipients": list(data["recipients"]) if data["mode"] != HandoverMode.TO_POOL else [],
            "pool": data["pool"] if data["mode"] == HandoverMode.TO_POOL else None,
        }

    def add_service_errors(self, exc: ValidationError | DomainError) -> None:
        names = {"from_user_id": "from_user", "recipient_ids": "recipients", "pool_id": "pool"}
        errors = {exc.field or "__all__": [exc.message]} if isinstance(exc, DomainError) else exc.message_dict
        for field, messages in errors.items():
            name = names.get(field, field)
            self.add_error(name if name in self.fields else None, messages)
