"""Workbench API: GET /api/v1/workbench, the signed-in user's workbench as JSON (the page's selector)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from kehu.workbench.schemas import WorkbenchOut
from kehu.workbench.selectors import PoolWarning, Section, TeamEntry, workbench_get

router = Router(tags=["workbench"])


@router.get("/workbench", response=WorkbenchOut)
def get_workbench(request: HttpRequest) -> dict[str, Any]:
    """Today's plans, overdue plans, customers about to return to the pool, new leads, what my contracts
    owe that is overdue or due within KEHU_RECEIVABLE_WARN_DAYS days, and (for managers)
    the team's recent activity. Each section: `count` (all rows) and `items` (the first 20).
    """
    return workbench_out(workbench_get(user=request.user))


def workbench_out(wb: Any) -> dict[str, Any]:
    return {
        "today": _section(wb.today, _plan),
        "overdue": _section(wb.overdue, _plan),
        "pool_warnings": _section(wb.pool_warnings, _warning),
        "new_leads": _section(wb.new_leads, _lead),
        "receivables": _section(wb.receivables, _receivable),
        "team_activity": _section(wb.team_activity, _entry) if wb.team_activity is not None else None,
    }


def _receivable(instalment: Any) -> dict[str, Any]:
    contract = instalment.contract
    return {
        "instalment": instalment.pk,
        "contract": contract.pk,
        "contract_number": contract.number,
        "customer": contract.customer_id,
        "customer_name": contract.customer.name,
        "due_on": instalment.due_on,
        "outstanding": f"{instalment.outstanding:.2f}",
        "status": instalment.payment_status,
    }


def _section(section: Section, row: Any) -> dict[str, Any]:
    return {"count": section.count, "items": [row(item) for item in section.items]}


def _plan(plan: Any) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "customer": plan.customer_id,
        "customer_name": plan.customer.name,
        "due_at": plan.due_at,
        "action": plan.action,
    }


def _warning(w: PoolWarning) -> dict[str, Any]:
    return {
        "customer": w.customer.pk,
        "customer_name": w.customer.name,
        "pool": str(w.pool),
        "rule": str(getattr(w.rule, "value", w.rule)),
        "rule_label": w.rule_label,
        "due_at": w.due_at,
        "days_left": w.days_left,
    }


def _lead(lead: Any) -> dict[str, Any]:
    return {
        "id": lead.pk,
        "name": lead.name,
        "company_name": lead.company_name,
        "status": lead.status,
        "assigned_at": lead.assigned_at,
        "sla_due_at": lead.sla_due_at,
    }


def _entry(e: TeamEntry) -> dict[str, Any]:
    return {
        "id": e.activity.pk,
        "created_at": e.activity.created_at,
        "actor": str(e.activity.actor),
        "verb": e.activity.verb,
        "sentence": e.sentence,
        "customer": e.activity.customer_id,
        "customer_name": e.customer_name,
    }
