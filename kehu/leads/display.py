"""How leads, their history, rules, previews and the report read on a page, in the user's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kehu.core import verbs
from kehu.core.activity import Activity
from kehu.customers.choices import CustomerSource, Industry
from kehu.customers.display import field_value
from kehu.leads.choices import (
    AssignmentReason,
    AssignmentStrategy,
    DuplicateKey,
    Fallback,
    InvalidReason,
    LeadChannel,
    LeadStatus,
)
from kehu.leads.models import AssignmentRule, Lead

PROFILE_FIELDS = (
    "name",
    "company_name",
    "title",
    "phone",
    "email",
    "wechat",
    "credit_code",
    "province",
    "city",
    "industry",
    "source",
    "campaign",
    "channel",
    "remark",
    "created_by",
    "created_at",
    "assigned_at",
    "sla_due_at",
    "contacted_at",
    "converted_at",
)


def lead_value(field_name: str, value: Any) -> str:
    if field_name == "created_by":
        return str(value) if value else ""
    return field_value(Lead, field_name, value)


def profile_rows(lead: Lead) -> list[tuple[str, str]]:
    rows = [
        (capfirst(str(Lead._meta.get_field(name).verbose_name)), lead_value(name, getattr(lead, name)))
        for name in PROFILE_FIELDS
    ]
    rows += [(str(key), str(value)) for key, value in (lead.extra or {}).items()]
    return rows


def sla_state(lead: Lead, now: datetime) -> tuple[str, str]:
    """("overdue" | "due" | "met" | "", the words to show) for a lead's first-contact deadline."""
    if lead.contacted_at:
        return "met", _("Contacted")
    if lead.status != LeadStatus.ASSIGNED or not lead.sla_due_at:
        return "", "—"
    left = lead.sla_due_at - now
    hours = int(abs(left.total_seconds()) // 3600)
    if left.total_seconds() < 0:
        if hours < 1:
            return "overdue", _("Overdue")
        return "overdue", ngettext("Overdue by %(n)d hour", "Overdue by %(n)d hours", hours) % {"n": hours}
    if hours < 1:
        return "due", _("Due within the hour")
    return "due", ngettext("Due in %(n)d hour", "Due in %(n)d hours", hours) % {"n": hours}


def lead_rows(leads: Iterable[Lead], now: datetime | None = None) -> list[dict[str, Any]]:
    now = now or timezone.now()
    rows = []
    for lead in leads:
        state, text = sla_state(lead, now)
        rows.append(
            {"lead": lead, "age": timesince(lead.created_at, now, depth=1), "sla": state, "sla_text": text}
        )
    return rows


def history_rows(activities: Iterable[Activity]) -> list[tuple[Activity, str, list]]:
    """(activity, sentence, changes) for `components/timeline.html`."""
    return verbs.timeline_entries(activities, label_case=capfirst)


# --- the timeline's sentences (the customer timeline shows them too, once a lead is converted) --------


def _label(choices, value: str) -> str:
    """A stored choice's label, or the value itself if the choice no longer exists."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


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


verbs.register_verbs(
    {
        "lead.created": _lead_created,
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
)
verbs.register_subject("lead", model=Lead, value=lead_value, extra_labels={"tags": gettext_lazy("Tags")})


def duplicate_reason(lead: Lead) -> str:
    return lead.get_duplicate_key_display() if lead.duplicate_key else ""


# --- the list's filters ---------------------------------------------------------------------------------


def filter_selects(params: Mapping[str, Any], *, owners, pool: bool) -> list[dict]:
    status = [("open", _("Open (not converted or invalid)")), *LeadStatus.choices]
    selects = [
        ("status", _("Status"), status, True),
        ("source", _("Source"), CustomerSource.choices, True),
        ("channel", _("Captured through"), LeadChannel.choices, True),
    ]
    if not pool:
        selects += [
            ("owner", _("Owner"), [(str(u.pk), str(u)) for u in owners], True),
            (
                "sla",
                _("First contact"),
                [("overdue", _("Overdue")), ("due", _("Due")), ("met", _("Contacted"))],
                True,
            ),
        ]
    selects.append(
        (
            "sort",
            _("Sort"),
            [
                ("-created", _("Newest first")),
                ("created", _("Oldest first")),
                ("sla", _("Contact due soonest")),
                ("-updated", _("Recently changed")),
            ],
            False,
        )
    )
    return [
        {"name": name, "label": label, "choices": choices, "any": any_, "current": params.get(name, "")}
        for name, label, choices, any_ in selects
    ]


# --- assignment rules -----------------------------------------------------------------------------------


def _labels(values: Iterable[str], choices) -> str:
    names = dict(choices)
    return ", ".join(str(names.get(v, v)) for v in values)


def rule_match_summary(rule: AssignmentRule) -> list[str]:
    parts = []
    if rule.match_sources:
        parts.append(_("Source: %(v)s") % {"v": _labels(rule.match_sources, CustomerSource.choices)})
    if rule.match_provinces:
        parts.append(_("Province: %(v)s") % {"v": ", ".join(rule.match_provinces)})
    if rule.match_industries:
        parts.append(_("Industry: %(v)s") % {"v": _labels(rule.match_industries, Industry.choices)})
    if rule.match_campaigns:
        parts.append(_("Campaign: %(v)s") % {"v": ", ".join(rule.match_campaigns)})
    if rule.match_field:
        parts.append(f"{rule.match_field} = {rule.match_value}")
    return parts or [_("Every lead")]


def rule_assignees(rule: AssignmentRule) -> list[str]:
    people = []
    for m in rule.members.all():
        text = str(m.user)
        extras = []
        if rule.strategy == AssignmentStrategy.WEIGHTED:
            extras.append(_("weight %(n)d") % {"n": m.weight})
        if m.monthly_capacity:
            extras.append(_("%(n)d a month") % {"n": m.monthly_capacity})
        people.append(f"{text} ({', '.join(extras)})" if extras else text)
    people += [_("everyone in %(department)s") % {"department": d} for d in rule.departments.all()]
    return people


def rule_caps(rule: AssignmentRule) -> list[str]:
    caps = []
    if rule.daily_cap:
        caps.append(_("%(n)d a day each") % {"n": rule.daily_cap})
    if rule.open_cap:
        caps.append(_("%(n)d open each") % {"n": rule.open_cap})
    return caps


def rule_fallback(rule: AssignmentRule) -> str:
    if rule.fallback == Fallback.USER and rule.fallback_user_id:
        return str(rule.fallback_user)
    return str(Fallback.POOL.label)


def rule_rows(rules: Iterable[AssignmentRule]) -> list[dict[str, Any]]:
    return [
        {
            "rule": rule,
            "match": rule_match_summary(rule),
            "assignees": rule_assignees(rule),
            "caps": rule_caps(rule),
            "fallback": rule_fallback(rule),
        }
        for rule in rules
    ]


def preview_sentence(result: Mapping[str, Any]) -> str:
    """ "Of the last 100 leads, 80 match: Rep1 would get 34, Rep3 33, 13 to the pool"."""
    text = ngettext(
        "Of the last lead, %(m)d matches", "Of the last %(n)d leads, %(m)d match", result["leads"]
    ) % {"n": result["leads"], "m": result["matching"]}
    if not result["matching"]:
        return text + "."
    shares = []
    for index, (person, count) in enumerate(result["to_people"]):
        if index == 0:
            shares.append(_("%(person)s would get %(n)d") % {"person": person, "n": count})
        else:
            shares.append(f"{person} {count}")
    if result["to_pool"]:
        shares.append(_("%(n)d to the pool") % {"n": result["to_pool"]})
    return text + ": " + ", ".join(shares)


# --- the conversion report ------------------------------------------------------------------------------


def report_rows(report: Mapping[str, list[dict]]) -> dict[str, list[dict]]:
    """The report's rows with a label each (the source's name, the owner's name)."""
    sources = dict(CustomerSource.choices)
    by_source = [
        {**row, "label": str(sources.get(row["source"], row["source"])) if row["source"] else _("No source")}
        for row in report["by_source"]
    ]
    by_owner = [{**row, "label": row["owner"]} for row in report["by_owner"]]
    return {"by_source": by_source, "by_owner": by_owner}


def report_chart(rows: list[dict]) -> dict[str, Any]:
    """The data an ECharts bar chart needs (labels, leads, converted, rate), in the user's language."""
    return {
        "labels": [row["label"] for row in rows],
        "total": [row["total"] for row in rows],
        "converted": [row["converted"] for row in rows],
        "rate": [row["rate"] for row in rows],
        "names": {"total": _("Leads"), "converted": _("Converted"), "rate": _("Conversion rate (%)")},
    }
