"""How customers and their timeline entries read on a page, in the user's language."""

from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kehu.core.activity import Activity
from kehu.customers.filters import CustomerFilter
from kehu.customers.models import Contact, Customer
from kehu.customers.validators import display_phone
from kehu.leads.choices import AssignmentReason, DuplicateKey, InvalidReason
from kehu.leads.models import Lead

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


VERBS = {
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
    # Leads: their history moves onto the customer's timeline when they are converted or duplicate it.
    "lead.created": lambda d: _lead_created(d),
    "lead.updated": lambda d: _("changed the lead"),
    "lead.contacted": lambda d: _("marked the lead as contacted"),
    "lead.qualified": lambda d: _("qualified the lead"),
    "lead.claimed": lambda d: _("claimed the lead from the lead pool"),
    "lead.assigned": lambda d: (
        _("assigned the lead from %(from)s to %(to)s")
        % {"from": d.get("from") or _("the lead pool"), "to": d.get("to") or "—"}
        + (_(" (reason: %(reason)s)") % {"reason": d["reason"]} if d.get("reason") else "")
    ),
    "lead.reassigned": lambda d: (
        _("re-assigned the lead from %(from)s to %(to)s")
        % {"from": d.get("from") or "—", "to": d.get("to") or _("the lead pool")}
        + (" (" + _label(AssignmentReason, d["reason"]) + ")" if d.get("reason") else "")
    ),
    "lead.invalidated": lambda d: (
        _("marked the lead invalid: %(reason)s") % {"reason": _label(InvalidReason, d.get("reason", ""))}
        + (f" ({d['note']})" if d.get("note") else "")
    ),
    "lead.reopened": lambda d: _("reopened the lead"),
    "lead.converted": lambda d: (
        _("converted the lead into the customer %(customer)s") % {"customer": d.get("customer", "")}
    ),
}


def _lead_created(d: dict) -> str:
    if d.get("owner"):
        text = _("created a lead, assigned to %(owner)s") % {"owner": d["owner"]}
        if d.get("rule"):
            text += _(" by the rule “%(rule)s”") % {"rule": d["rule"]}
        if d.get("reason") and d["reason"] != AssignmentReason.RULE:
            text += " (" + _label(AssignmentReason, d["reason"]) + ")"
    elif d.get("rule"):
        text = _(
            "created a lead; nobody under the rule “%(rule)s” could take it, so it is in the lead pool"
        ) % {"rule": d["rule"]}
    else:
        text = _("created a lead; no rule matched it, so it is in the lead pool")
    if d.get("duplicate_key"):
        text += _("; duplicate: %(key)s") % {"key": _label(DuplicateKey, d["duplicate_key"]).lower()}
    return text


def _label(choices, value: str) -> str:
    """A stored choice's label, or the value itself if the choice no longer exists."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def activity_sentence(activity: Activity) -> str:
    render = VERBS.get(activity.verb)
    return render(activity.data) if render else activity.verb


def activity_changes(activity: Activity) -> list[tuple[str, str, str]]:
    model = {"contact": Contact, "lead": Lead}.get(activity.verb.split(".")[0], Customer)
    rows = []
    for name, (old, new) in (activity.data.get("changes") or {}).items():
        try:
            label = str(model._meta.get_field(name).verbose_name).capitalize()
        except Exception:  # a field removed since the change was recorded, or "tags"
            label = _("Tags") if name == "tags" else name
            rows.append((label, old or "", new or ""))
            continue
        rows.append((label, field_value(model, name, old), field_value(model, name, new)))
    return rows


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
