"""Leads API: capture (single and batch), the lead list and its actions, assignment rules, the report."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kehu.core.api import Pagination
from kehu.core.exceptions import DomainError
from kehu.core.permissions import ensure_perm
from kehu.customers.selectors import customer_get
from kehu.leads import services
from kehu.leads.choices import LeadChannel
from kehu.leads.models import AssignmentRule, Lead, LeadAssignment
from kehu.leads.schemas import (
    AssignmentOut,
    ConversionReportOut,
    LeadAssignIn,
    LeadAssignOut,
    LeadBatchIn,
    LeadBatchOut,
    LeadConvertIn,
    LeadConvertOut,
    LeadFilterSchema,
    LeadIn,
    LeadInvalidateIn,
    LeadOut,
    LeadPatch,
    LeadStatusIn,
    RuleIn,
    RuleOut,
    RulePreviewOut,
)
from kehu.leads.selectors import (
    lead_assignments,
    lead_conversion_report,
    lead_get,
    lead_list,
    rule_get,
    rule_list,
)
from kehu.org.models import User

router = Router(tags=["leads"])


def _user(pk: int, field: str) -> User:
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise DomainError(_("There is no user with id %(id)s.") % {"id": pk}, field=field)
    return user


@router.get("/leads", response=list[LeadOut])
@paginate(Pagination)
def list_leads(request: HttpRequest, filters: Query[LeadFilterSchema]) -> QuerySet[Lead]:
    """Leads in the caller's scope (`view=pool`: the lead pool), with the same filters as the page."""
    return lead_list(user=request.user, filters=filters.filter_data(), view=filters.view)


@router.post("/leads", response={201: LeadOut | LeadBatchOut})
def create_leads(request: HttpRequest, payload: LeadIn | LeadBatchIn):
    """One lead, or `{"items": [...]}` for up to 500 at once (one bad item refuses the whole batch).

    Each lead is checked for duplicates and assigned by the rules at once; see `owner` and `duplicate_of`.
    """
    if isinstance(payload, LeadBatchIn):
        items = [item.service_data() for item in payload.items]
        leads = services.lead_capture_many(actor=request.user, items=items, channel=LeadChannel.API)
        return Status(201, {"items": leads, "count": len(leads)})
    lead = services.lead_capture(actor=request.user, data=payload.service_data(), channel=LeadChannel.API)
    return Status(201, lead)


@router.post("/leads/assign", response=LeadAssignOut)
def assign_leads(request: HttpRequest, payload: LeadAssignIn) -> dict:
    owner = _user(payload.owner, "owner")
    return {
        "assigned": services.lead_assign(
            actor=request.user, lead_ids=payload.lead_ids, owner=owner, reason=payload.reason
        )
    }


@router.get("/leads/report", response=ConversionReportOut)
def conversion_report(request: HttpRequest) -> dict:
    """Conversion rate by source and by owner, over the leads the caller may see."""
    ensure_perm(request.user, "leads.view_lead")
    return lead_conversion_report(user=request.user)


@router.get("/leads/{lead_id}", response=LeadOut)
def get_lead(request: HttpRequest, lead_id: int) -> Lead:
    return lead_get(user=request.user, pk=lead_id)


@router.patch("/leads/{lead_id}", response=LeadOut)
def update_lead(request: HttpRequest, lead_id: int, payload: LeadPatch) -> Lead:
    lead = lead_get(user=request.user, pk=lead_id)
    return services.lead_update(actor=request.user, lead=lead, data=payload.service_data())


@router.get("/leads/{lead_id}/assignments", response=list[AssignmentOut])
def list_lead_assignments(request: HttpRequest, lead_id: int) -> QuerySet[LeadAssignment]:
    """Every assignment decision about the lead: rule, strategy, reason, who had it before."""
    return lead_assignments(lead=lead_get(user=request.user, pk=lead_id))


@router.post("/leads/{lead_id}/claim", response={200: LeadOut, 409: dict})
def claim_lead(request: HttpRequest, lead_id: int) -> Lead:
    """Take a lead from the pool: 200 to the one who gets it, 409 with the reason to everyone else."""
    return services.lead_claim(actor=request.user, lead_id=lead_id)


@router.post("/leads/{lead_id}/status", response=LeadOut)
def set_lead_status(request: HttpRequest, lead_id: int, payload: LeadStatusIn) -> Lead:
    lead = lead_get(user=request.user, pk=lead_id)
    actions = {
        "contacted": services.lead_mark_contacted,
        "qualified": services.lead_qualify,
        "reopened": services.lead_reopen,
    }
    if payload.status not in actions:
        raise DomainError(_("Use contacted, qualified or reopened."), field="status")
    return actions[payload.status](actor=request.user, lead=lead)


@router.post("/leads/{lead_id}/invalidate", response=LeadOut)
def invalidate_lead(request: HttpRequest, lead_id: int, payload: LeadInvalidateIn) -> Lead:
    lead = lead_get(user=request.user, pk=lead_id)
    return services.lead_invalidate(actor=request.user, lead=lead, reason=payload.reason, note=payload.note)


@router.post("/leads/{lead_id}/convert", response=LeadConvertOut)
def convert_lead(request: HttpRequest, lead_id: int, payload: LeadConvertIn) -> dict:
    """Make the lead a customer (with a contact), or attach it to `customer`; 409 if already converted."""
    lead = lead_get(user=request.user, pk=lead_id)
    target = None
    if payload.customer is not None:
        try:
            target = customer_get(user=request.user, pk=payload.customer)
        except Http404:
            raise DomainError(
                _("There is no customer with id %(id)s.") % {"id": payload.customer}, field="customer"
            ) from None
    if payload.opportunity is None:
        customer = services.lead_convert(actor=request.user, lead=lead, customer=target)
        return {"lead": lead, "customer_id": customer.pk, "customer_name": customer.name}
    customer, opportunity = services.lead_convert_with_opportunity(
        actor=request.user, lead=lead, customer=target, opportunity=payload.opportunity.model_dump()
    )
    return {
        "lead": lead,
        "customer_id": customer.pk,
        "customer_name": customer.name,
        "opportunity_id": opportunity.pk,
    }


# Assignment rules ------------------------------------------------------------------------------------------


def _rule_data(payload: RuleIn) -> tuple[dict, list[dict], list[int]]:
    data = payload.model_dump(exclude={"members", "departments", "fallback_user"})
    data["fallback_user_id"] = payload.fallback_user
    return data, [m.model_dump() for m in payload.members], payload.departments


@router.get("/assignment-rules", response=list[RuleOut], tags=["assignment rules"])
def list_rules(request: HttpRequest) -> QuerySet[AssignmentRule]:
    ensure_perm(request.user, "leads.view_assignmentrule")
    return rule_list()


@router.post("/assignment-rules", response={201: RuleOut}, tags=["assignment rules"])
def create_rule(request: HttpRequest, payload: RuleIn):
    data, members, departments = _rule_data(payload)
    rule = services.rule_save(
        actor=request.user, rule=None, data=data, members=members, department_ids=departments
    )
    return Status(201, rule_get(pk=rule.pk))


@router.get("/assignment-rules/{rule_id}", response=RuleOut, tags=["assignment rules"])
def get_rule(request: HttpRequest, rule_id: int) -> AssignmentRule:
    ensure_perm(request.user, "leads.view_assignmentrule")
    return rule_get(pk=rule_id)


@router.put("/assignment-rules/{rule_id}", response=RuleOut, tags=["assignment rules"])
def replace_rule(request: HttpRequest, rule_id: int, payload: RuleIn) -> AssignmentRule:
    ensure_perm(request.user, "leads.view_assignmentrule")
    data, members, departments = _rule_data(payload)
    services.rule_save(
        actor=request.user, rule=rule_get(pk=rule_id), data=data, members=members, department_ids=departments
    )
    return rule_get(pk=rule_id)


@router.delete("/assignment-rules/{rule_id}", response={204: None}, tags=["assignment rules"])
def delete_rule(request: HttpRequest, rule_id: int):
    ensure_perm(request.user, "leads.view_assignmentrule")
    services.rule_delete(actor=request.user, rule=rule_get(pk=rule_id))
    return Status(204, None)


@router.post("/assignment-rules/{rule_id}/preview", response=RulePreviewOut, tags=["assignment rules"])
def preview_rule(request: HttpRequest, rule_id: int, last: int = 100) -> dict:
    """Dry run: what the rule would do with the last `last` leads (at most 5,000). Nothing is written."""
    ensure_perm(request.user, "leads.view_assignmentrule")
    return services.rule_preview(rule=rule_get(pk=rule_id), last=last)
