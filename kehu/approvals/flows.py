"""Writes for approval flows (administrators): create, change, delete, with their steps.

A flow's steps can be replaced only while no approval has used them: history points at the steps it
went through. To change a flow in use, create a new one and deactivate the old one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.approvals import registry
from kehu.approvals.choices import Operator, StepKind
from kehu.approvals.models import ApprovalFlow, ApprovalStep, ApprovalTask
from kehu.core.activity import activity_record
from kehu.core.exceptions import ConflictError, DomainError
from kehu.core.permissions import ensure_perm
from kehu.org.models import Role, User

FLOW_FIELDS = ("document_type", "name", "active", "position", "conditions")


def clean_conditions(document_type: str, conditions: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    known = registry.document_type(document_type).fields
    cleaned = []
    for condition in conditions:
        field, op = condition.get("field"), condition.get("operator")
        if known and field not in known:
            raise DomainError(
                _("“%(field)s” is not a value of this document type; use one of: %(fields)s.")
                % {"field": field, "fields": ", ".join(known)},
                field="conditions",
            )
        if op not in Operator.values:
            raise DomainError(
                _("Use one of the operators %(ops)s.") % {"ops": " ".join(Operator.values)},
                field="conditions",
            )
        try:
            value = Decimal(str(condition.get("value")))
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            raise DomainError(_("A condition's value must be a number."), field="conditions")
        cleaned.append({"field": str(field), "operator": str(op), "value": str(value)})
    return cleaned


def clean_step(position: int, step: Mapping[str, Any]) -> dict[str, Any]:
    kind = step.get("kind")
    user_ids = list(dict.fromkeys(step.get("users") or []))
    role_id = step.get("role")
    at = {"step": position}
    if kind not in StepKind.values:
        raise DomainError(_("Step %(step)s: choose who approves it.") % at, field="steps")
    users = list(User.objects.filter(pk__in=user_ids, is_active=True))
    if len(users) != len(user_ids):
        raise DomainError(
            _("Step %(step)s: some of these users do not exist or have left.") % at, field="steps"
        )
    role = Role.objects.filter(pk=role_id).first() if role_id else None
    if kind == StepKind.USER and len(users) != 1:
        raise DomainError(_("Step %(step)s: name exactly one user.") % at, field="steps")
    if kind == StepKind.ANY_OF and len(users) < 2:
        raise DomainError(_("Step %(step)s: name at least two users.") % at, field="steps")
    if kind == StepKind.ROLE and role is None:
        raise DomainError(_("Step %(step)s: choose an existing role.") % at, field="steps")
    if kind in (StepKind.ROLE, StepKind.DEPARTMENT_HEAD) and users:
        raise DomainError(
            _("Step %(step)s: users are named only for a user or any-of step.") % at, field="steps"
        )
    return {"kind": kind, "name": (step.get("name") or "").strip()[:100], "users": users, "role": role}


def _replace_steps(flow: ApprovalFlow, steps: Sequence[Mapping[str, Any]]) -> None:
    if not steps:
        raise DomainError(_("A flow needs at least one step."), field="steps")
    cleaned = [clean_step(i, step) for i, step in enumerate(steps, start=1)]
    if ApprovalTask.objects.filter(step__flow=flow).exists():
        raise ConflictError(
            _("Approvals have gone through this flow's steps: create a new flow and deactivate this one."),
            field="steps",
        )
    flow.steps.all().delete()
    for position, step in enumerate(cleaned, start=1):
        created = ApprovalStep.objects.create(
            flow=flow, position=position, kind=step["kind"], name=step["name"], role=step["role"]
        )
        created.users.set(step["users"])


def _apply(flow: ApprovalFlow, data: Mapping[str, Any]) -> None:
    for name in FLOW_FIELDS:
        if name in data:
            setattr(flow, name, data[name])
    registry.document_type(flow.document_type)
    flow.name = (flow.name or "").strip()
    if not flow.name:
        raise DomainError(_("Give the flow a name."), field="name")
    flow.conditions = clean_conditions(flow.document_type, flow.conditions or [])


@transaction.atomic
def approval_flow_create(*, actor: User, data: Mapping[str, Any]) -> ApprovalFlow:
    """data: document_type, name, active, position, conditions [{field, operator, value}], steps."""
    ensure_perm(actor, "approvals.add_approvalflow")
    flow = ApprovalFlow()
    _apply(flow, data)
    flow.save()
    _replace_steps(flow, data.get("steps") or [])
    activity_record(actor=actor, subject=flow, verb="approval_flow.created", data={"name": flow.name})
    return flow


@transaction.atomic
def approval_flow_update(*, actor: User, flow: ApprovalFlow, data: Mapping[str, Any]) -> ApprovalFlow:
    """Change the fields sent; `steps`, if sent, replaces every step (only while no approval used them)."""
    ensure_perm(actor, "approvals.change_approvalflow")
    if "document_type" in data and data["document_type"] != flow.document_type and flow.requests.exists():
        raise ConflictError(_("Approvals have used this flow: its document type cannot change."))
    _apply(flow, data)
    flow.save()
    if "steps" in data:
        _replace_steps(flow, data["steps"] or [])
    activity_record(
        actor=actor,
        subject=flow,
        verb="approval_flow.changed",
        data={"name": flow.name, "fields": sorted(data)},
    )
    return flow


@transaction.atomic
def approval_flow_delete(*, actor: User, flow: ApprovalFlow) -> None:
    """Delete a flow no approval has used; a flow in use can only be deactivated (its history stays)."""
    ensure_perm(actor, "approvals.delete_approvalflow")
    if flow.requests.exists():
        raise ConflictError(_("Approvals have used this flow: deactivate it instead of deleting it."))
    activity_record(actor=actor, subject=flow, verb="approval_flow.deleted", data={"name": flow.name})
    flow.delete()
