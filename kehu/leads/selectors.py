"""Reads for leads. Every read starts from the data scope; the lead pool is open to whoever may claim."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kehu.core.activity import Activity, activity_for
from kehu.core.exceptions import FilterError
from kehu.core.params import id_param
from kehu.customers.search import search_text_contains
from kehu.customers.validators import search_key
from kehu.leads.choices import LeadStatus
from kehu.leads.models import AssignmentRule, Lead, LeadAssignment, LeadImport
from kehu.org.models import User

SORTS = {
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "sla": ("sla_due_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
SLA_STATES = ("overdue", "due", "met")


def _search(qs: QuerySet[Lead], text: str) -> QuerySet[Lead]:
    key = search_key(text.strip())[:100]
    if not key:
        return qs
    return qs.filter(search_text_contains(key))


def lead_list(
    *, user: User, filters: Mapping[str, Any] | None = None, view: str | None = None
) -> QuerySet[Lead]:
    """Visible living leads, narrowed by mine / team / all and by the list filters.

    Filters: q, status, source, channel, owner, sla (overdue / due / met), duplicate (1), sort.
    `view=pool` lists the lead pool instead (for those who may claim).
    """
    filters = filters or {}
    if view == "pool":
        if not user.has_perm("leads.claim_lead"):
            return Lead.objects.none()
        qs = Lead.objects.in_pool()
    else:
        qs = Lead.objects.visible_to(user).alive().narrowed(user, view)
    qs = qs.select_related("owner", "department")
    errors: dict[str, list[str]] = {}
    status = filters.get("status") or ""
    if status:
        if status == "open":
            qs = qs.open()
        elif status in LeadStatus.values:
            qs = qs.filter(status=status)
        else:
            errors["status"] = [f"Unknown status {status!r}."]
    for name in ("source", "channel"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    owner = filters.get("owner") or ""
    if owner:
        if id_param(owner):
            qs = qs.filter(owner_id=id_param(owner))
        else:
            errors["owner"] = ["Give a user id."]
    sla = filters.get("sla") or ""
    now = timezone.now()
    if sla == "overdue":
        qs = qs.filter(status=LeadStatus.ASSIGNED, sla_due_at__lt=now)
    elif sla == "due":
        qs = qs.filter(status=LeadStatus.ASSIGNED, sla_due_at__gte=now)
    elif sla == "met":
        qs = qs.filter(contacted_at__isnull=False)
    elif sla:
        errors["sla"] = [f"Use one of {', '.join(SLA_STATES)}."]
    if filters.get("duplicate") in ("1", "true", True):
        qs = qs.exclude(duplicate_key="")
    if filters.get("q"):
        qs = _search(qs, str(filters["q"]))
    sort = filters.get("sort") or "-created"
    if sort not in SORTS:
        errors["sort"] = [f"Use one of {', '.join(SORTS)}."]
        sort = "-created"
    if errors:
        raise FilterError(errors)
    return qs.order_by(*SORTS[sort])


def lead_get(*, user: User, pk: int) -> Lead:
    """A lead the user may see, or one in the pool they may claim; 404 otherwise."""
    visible = Lead.objects.visible_to(user).alive()
    if user.has_perm("leads.claim_lead"):
        visible = Lead.objects.filter(
            Q(pk__in=visible.filter(pk=pk).values("pk"))
            | Q(pk__in=Lead.objects.in_pool().filter(pk=pk).values("pk"))
        )
    return get_object_or_404(
        visible.select_related(
            "owner", "department", "rule", "customer", "duplicate_customer", "duplicate_of", "created_by"
        ),
        pk=pk,
    )


def lead_history(*, lead: Lead, limit: int = 100) -> QuerySet[Activity]:
    return activity_for(lead)[:limit]


def lead_assignments(*, lead: Lead) -> QuerySet[LeadAssignment]:
    return lead.assignments.select_related("rule", "assignee", "previous_owner", "actor")[:50]


def lead_conversion_report(*, user: User, since=None, until=None) -> dict[str, list[dict[str, Any]]]:
    """Leads, converted and invalid counts with the conversion rate, by source and by owner (scoped)."""
    qs = Lead.objects.visible_to(user).alive()
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lt=until)
    measures = {
        "total": Count("id"),
        "converted": Count("id", filter=Q(status=LeadStatus.CONVERTED)),
        "invalid": Count("id", filter=Q(status=LeadStatus.INVALID)),
    }
    by_source = list(qs.values("source").annotate(**measures).order_by("-total", "source"))
    by_owner = list(
        qs.exclude(owner__isnull=True).values("owner_id").annotate(**measures).order_by("-total", "owner_id")
    )
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=[row["owner_id"] for row in by_owner])}
    for row in by_owner:
        row["owner"] = names.get(row["owner_id"], "")
    for row in (*by_source, *by_owner):
        row["rate"] = round(100 * row["converted"] / row["total"], 1) if row["total"] else 0.0
    return {"by_source": by_source, "by_owner": by_owner}


def rule_list() -> QuerySet[AssignmentRule]:
    return AssignmentRule.objects.select_related("fallback_user").prefetch_related(
        "members__user", "departments"
    )


def rule_get(*, pk: int) -> AssignmentRule:
    return get_object_or_404(rule_list(), pk=pk)


def import_get(*, user: User, pk: int) -> LeadImport:
    """An import the user started (administrators see every import)."""
    return get_object_or_404(import_list(user=user), pk=pk)


def import_list(*, user: User) -> QuerySet[LeadImport]:
    """The imports the user started (administrators: every import)."""
    qs = LeadImport.objects.all() if user.is_superuser else LeadImport.objects.filter(created_by=user)
    return qs.select_related("created_by")
