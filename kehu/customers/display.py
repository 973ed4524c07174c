"""How customers and their timeline entries read on a page, in the user's language."""

from functools import partial
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import verbs
from kehu.core.verbs import activity_changes, activity_sentence
from kehu.customers.filters import CustomerFilter
from kehu.customers.models import Contact, Customer
from kehu.customers.validators import display_phone

__all__ = ["activity_changes", "activity_sentence", "field_value", "filter_selects", "profile_rows"]

PROFILE_FIELDS = (
    "kind",
    "status",
    "intent_level",
    "level",
    "industry",
    "size",
    "source",
    "estimated_value",
    "phone",
    "email",
    "website",
    "credit_code",
    "birthday",
    "province",
    "city",
    "district",
    "address",
    "focus_points",
    "purchase_motivation",
    "remark",
    "created_at",
    "updated_at",
)


def field_value(model: type, field_name: str, value: Any) -> str:
    """A stored value as the user reads it: choice labels, formatted phones, dates and money."""
    if value in (None, ""):
        return ""
    field = model._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field_name in ("phone", "mobile"):
        return display_phone(str(value))
    if field_name == "estimated_value":
        return intcomma(value)
    if field_name == "is_primary":
        return _("Yes") if value in (True, "True") else _("No")
    if hasattr(value, "hour"):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    if hasattr(value, "day"):
        return date_format(value, "Y-m-d")
    return str(value)


def profile_rows(customer: Customer) -> list[tuple[str, str]]:
    rows = []
    for name in PROFILE_FIELDS:
        if customer.kind == "person" and name in ("credit_code", "size"):
            continue
        if customer.kind == "company" and name == "birthday":
            continue
        label = customer._meta.get_field(name).verbose_name
        rows.append((str(label).capitalize(), field_value(Customer, name, getattr(customer, name))))
    return rows


verbs.register_verbs(
    {
        "customer.created": lambda d: _("created the customer"),
        "customer.updated": lambda d: _("changed the customer"),
        "customer.tagged": lambda d: _("changed the tags"),
        "customer.transferred": lambda d: (
            _("transferred the customer from %(from)s to %(to)s")
            % {"from": d.get("from") or "—", "to": d.get("to") or "—"}
            + (_(" (reason: %(reason)s)") % {"reason": d["reason"]} if d.get("reason") else "")
        ),
        "customer.deleted": lambda d: _("moved the customer to the recycle bin"),
        "customer.restored": lambda d: _("restored the customer from the recycle bin"),
        "contact.created": lambda d: _("added the contact %(name)s") % {"name": d.get("name", "")},
        "contact.updated": lambda d: _("changed the contact %(name)s") % {"name": d.get("name", "")},
        "contact.deleted": lambda d: _("deleted the contact %(name)s") % {"name": d.get("name", "")},
    }
)
verbs.register_subject(
    "customer",
    model=Customer,
    value=partial(field_value, Customer),
    extra_labels={"tags": gettext_lazy("Tags")},
)
verbs.register_subject(
    "contact", model=Contact, value=partial(field_value, Contact), extra_labels={"tags": gettext_lazy("Tags")}
)


def filter_selects(params, *, owners, tags, departments) -> list[dict]:
    """The list page's drop-down filters, each with its choices and the value now chosen."""
    declared = CustomerFilter.base_filters
    selects = [
        (name, declared[name].label, declared[name].extra["choices"], name != "sort")
        for name in ("kind", "status", "level", "industry", "sort")
    ]
    selects += [
        ("tag", _("Tag"), [(t.name, t.name) for t in tags], True),
        ("owner", _("Owner"), [(str(u.pk), str(u)) for u in owners], True),
    ]
    if len(departments) > 1:
        selects.append(
            ("department", _("Department"), [(str(d.pk), d.indented_name) for d in departments], True)
        )
    return [
        {"name": name, "label": label, "choices": choices, "any": any_, "current": params.get(name, "")}
        for name, label, choices, any_ in selects
    ]
