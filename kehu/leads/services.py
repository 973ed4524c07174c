"""Writes for leads. Capture (form, web form, API, import), dedupe, assignment, claim, conversion, SLA.

Every channel ends in `leads_create`, so a lead from a spreadsheet gets exactly the same duplicate
check, assignment, log rows and notifications as one typed into the form.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kehu.core.activity import Activity, activity_record, activity_record_many
from kehu.core.exceptions import ConflictError, DomainError
from kehu.core.permissions import ensure_in_scope, ensure_perm
from kehu.customers.choices import CustomerKind, CustomerSource, Industry
from kehu.customers.models import Contact, Customer
from kehu.customers.services import contact_create, customer_create
from kehu.customers.validators import (
    normalize_company_name,
    normalize_credit_code,
    normalize_phone,
    search_key,
)
from kehu.leads import assignment
from kehu.leads.choices import (
    OPEN_STATUSES,
    AssignmentReason,
    InvalidReason,
    LeadChannel,
    LeadStatus,
)
from kehu.leads.dedupe import mark_duplicates
from kehu.leads.models import AssignmentRule, Lead, LeadAssignment, RuleMember
from kehu.notifications.services import Message, notify
from kehu.org.models import Department, User
from kehu.org.selectors import user_assignable_list
from kehu.sales.opportunities.models import Opportunity
from kehu.sales.opportunities.services import opportunity_create

LEAD_FIELDS = (
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
    "remark",
    "extra",
)
MAX_LENGTHS = {f.name: f.max_length for f in Lead._meta.fields if f.name in LEAD_FIELDS and f.max_length}
CHOICES = {"industry": set(Industry.values), "source": set(CustomerSource.values)}
MAX_EXTRA_FIELDS = 30


# --- input --------------------------------------------------------------------------------------------


def _clean_value(field: str, value: Any) -> Any:
    if field == "extra":
        return _clean_extra(value)
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if not value:
        return ""
    if field == "phone":
        return normalize_phone(value)
    if field == "email":
        validate_email(value)
        return value.lower()
    if field == "credit_code":
        return normalize_credit_code(value)
    if field in CHOICES and value not in CHOICES[field]:
        raise ValidationError(_("“%(value)s” is not one of the choices.") % {"value": value})
    limit = MAX_LENGTHS.get(field)
    if limit and len(value) > limit:
        raise ValidationError(_("At most %(n)d characters.") % {"n": limit})
    return value


def _clean_extra(value: Any) -> dict:
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(_("Custom fields must be an object of names and values."))
    if len(value) > MAX_EXTRA_FIELDS:
        raise ValidationError(_("At most %(n)d custom fields.") % {"n": MAX_EXTRA_FIELDS})
    cleaned = {}
    for key, item in value.items():
        if not isinstance(item, str | int | float | bool) or len(str(key)) > 50 or len(str(item)) > 500:
            raise ValidationError(_("Custom field “%(key)s” must be a short text or number.") % {"key": key})
        cleaned[str(key)] = item
    return cleaned


def lead_clean(data: Mapping[str, Any], *, partial: bool = False, base: Lead | None = None) -> dict[str, Any]:
    """Normalised lead fields from raw input, or a ValidationError naming every field at fault."""
    unknown = set(data) - set(LEAD_FIELDS)
    errors: dict[str, list[str]] = {f: [_("This field cannot be set here.")] for f in sorted(unknown)}
    cleaned: dict[str, Any] = {}
    for field in LEAD_FIELDS:
        if field not in data:
            continue
        try:
            cleaned[field] = _clean_value(field, data[field])
        except ValidationError as exc:
            errors[field] = exc.messages
    if not partial or base is not None:
        merged = {f: getattr(base, f) for f in LEAD_FIELDS} if base is not None else {}
        merged.update(cleaned)
        if not (merged.get("name") or merged.get("company_name")):
            errors.setdefault("name", []).append(_("Give a contact name or a company."))
        if not (merged.get("phone") or merged.get("email") or merged.get("wechat")):
            errors.setdefault("phone", []).append(
                _("Give at least one way to reach the lead: phone, email or WeChat.")
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def lead_build(
    cleaned: Mapping[str, Any],
    *,
    actor: User | None,
    channel: str,
    import_job_id: int | None = None,
    now: datetime | None = None,
) -> Lead:
    """An unsaved lead from cleaned fields, with its derived keys; `leads_create` saves it."""
    lead = Lead(
        channel=channel,
        created_by=actor if getattr(actor, "pk", None) else None,
        import_job_id=import_job_id,
        created_at=now or timezone.now(),
        **cleaned,
    )
    lead_refresh_keys(lead)
    return lead


def lead_refresh_keys(lead: Lead) -> None:
    lead.name_key = normalize_company_name(lead.company_name) if lead.company_name else ""
    lead.search_text = search_key(
        lead.name, lead.company_name, lead.phone, lead.email, lead.wechat, lead.credit_code
    )


# --- creation, dedupe and assignment ------------------------------------------------------------------


def _affinity_owners(leads: Sequence[Lead]) -> dict[int, User]:
    """For duplicates: the person who already works the customer or lead, if they may still receive it."""
    if not any(lead.duplicate_key for lead in leads):
        return {}
    customer_owner = dict(
        Customer.objects.filter(
            pk__in={lead.duplicate_customer_id for lead in leads if lead.duplicate_customer_id}
        )
        .exclude(owner__isnull=True)
        .values_list("pk", "owner_id")
    )
    wanted: dict[int, int] = {}
    for lead in leads:
        if lead.duplicate_customer_id in customer_owner:
            wanted[id(lead)] = customer_owner[lead.duplicate_customer_id]
        elif (
            lead.duplicate_of_id and lead.duplicate_of.owner_id and lead.duplicate_of.status in OPEN_STATUSES
        ):
            wanted[id(lead)] = lead.duplicate_of.owner_id
    people = {u.pk: u for u in User.objects.assignable().filter(pk__in=set(wanted.values()))}
    return {key: people[uid] for key, uid in wanted.items() if uid in people}


def _decide(
    leads: Sequence[Lead], pending: list[tuple[Lead, Lead]], owner: User | None, now: datetime
) -> list[assignment.Decision]:
    if owner is not None:
        return [assignment.Decision(lead, owner, AssignmentReason.MANUAL) for lead in leads]
    affinity = _affinity_owners(leads)
    later = {id(dup) for dup, _original in pending}
    open_leads = [lead for lead in leads if id(lead) not in affinity and id(lead) not in later]
    decided = {id(d.lead): d for d in assignment.decide(open_leads, now=now)}
    for lead in leads:
        if id(lead) in affinity:
            decided[id(lead)] = assignment.Decision(lead, affinity[id(lead)], AssignmentReason.DUPLICATE)
    for dup, original in pending:
        first = decided[id(original)]
        decided[id(dup)] = (
            assignment.Decision(dup, first.assignee, AssignmentReason.DUPLICATE)
            if first.assignee
            else assignment.Decision(dup, None, first.reason, first.rule)
        )
    return [decided[id(lead)] for lead in leads]


def _apply_decision(decision: assignment.Decision, now: datetime) -> None:
    lead, person, rule = decision.lead, decision.assignee, decision.rule
    lead.rule = rule
    if person is None:
        lead.owner, lead.department_id, lead.status = None, None, LeadStatus.NEW
        lead.assigned_at = lead.sla_due_at = None
        return
    lead.owner, lead.department_id, lead.status = person, person.department_id, LeadStatus.ASSIGNED
    lead.assigned_at = now
    hours = rule.sla_hours if rule is not None else None
    lead.sla_due_at = now + timedelta(hours=hours) if hours else None


def _log(
    decisions: Iterable[assignment.Decision], *, actor: User | None, now: datetime, previous=None
) -> None:
    previous = previous or {}
    LeadAssignment.objects.bulk_create(
        [
            LeadAssignment(
                lead=d.lead,
                created_at=now,
                rule=d.rule,
                strategy=d.strategy,
                assignee=d.assignee,
                previous_owner_id=previous.get(d.lead.pk),
                reason=d.reason,
                actor=actor if getattr(actor, "pk", None) else None,
            )
            for d in decisions
        ],
        batch_size=1000,
    )


def _notify_assignees(
    decisions: Iterable[assignment.Decision], *, skip: int | None = None, email: bool = True
) -> None:
    """One message per person: the lead itself, or how many arrived at once."""
    by_person: dict[int, list[assignment.Decision]] = defaultdict(list)
    people: dict[int, User] = {}
    for d in decisions:
        if d.assignee is not None and d.assignee.pk != skip:
            by_person[d.assignee.pk].append(d)
            people[d.assignee.pk] = d.assignee
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for pk, mine in by_person.items():
            if len(mine) == 1:
                lead = mine[0].lead
                title = _("New lead for you: %(lead)s") % {"lead": lead}
                body = _("Reason: %(reason)s.") % {"reason": AssignmentReason(mine[0].reason).label}
                if lead.is_duplicate:
                    body += " " + _("It duplicates a customer or lead you already work on.")
                messages.append(Message(people[pk], "lead.assigned", title, body, f"/leads/{lead.pk}/"))
            else:
                title = _("%(n)d new leads for you") % {"n": len(mine)}
                messages.append(
                    Message(people[pk], "lead.assigned", title, "", "/leads/?view=mine&status=assigned")
                )
    notify(messages=messages, email=email)


def _notify_duplicate_owners(leads: Sequence[Lead], *, email: bool = True) -> None:
    """Tell whoever works the customer or lead that a new lead duplicates it (unless it went to them)."""
    if not any(lead.duplicate_key for lead in leads):
        return
    customer_ids = {lead.duplicate_customer_id for lead in leads if lead.duplicate_customer_id}
    customers = {c.pk: c for c in Customer.objects.filter(pk__in=customer_ids).select_related("owner")}
    counts: Counter[tuple[int, str, str]] = Counter()
    owners: dict[int, User] = {}
    for lead in leads:
        if lead.duplicate_customer_id in customers:
            record = customers[lead.duplicate_customer_id]
            owner, url = record.owner, f"/customers/{record.pk}/?tab=timeline"
        elif lead.duplicate_of_id:
            record = lead.duplicate_of
            owner, url = record.owner, f"/leads/{record.pk}/"
        else:
            continue
        if owner is None or owner.pk == lead.owner_id:
            continue
        owners[owner.pk] = owner
        counts[(owner.pk, str(record), url)] += 1
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            messages=[
                Message(
                    owners[pk],
                    "lead.duplicate",
                    _("%(n)d new lead(s) duplicate %(record)s") % {"n": n, "record": name},
                    _("Someone else received them; check whether you should work together."),
                    url,
                )
                for (pk, name, url), n in counts.items()
            ],
            email=email,
        )


@transaction.atomic
def leads_create(
    *,
    actor: User | None,
    leads: Sequence[Lead],
    owner: User | None = None,
    now: datetime | None = None,
    email: bool = True,
    notify_people: bool = True,
) -> list[Lead]:
    """Save built leads: duplicate check, assignment (or `owner`), log, timeline and notifications.

    A few queries per batch, whatever its size: the assignment engine decides in memory. `email=False`
    keeps the notifications in-app only (sample data); `notify_people=False` sends none, for a caller that
    sums up a whole run itself (the importer).
    """
    if not leads:
        return []
    now = now or timezone.now()
    pending = mark_duplicates(leads)
    decisions = _decide(leads, pending, owner, now)
    for decision in decisions:
        _apply_decision(decision, now)
    Lead.objects.bulk_create(leads, batch_size=1000)
    if pending:
        for dup, original in pending:
            dup.duplicate_of = original
        Lead.objects.bulk_update([dup for dup, _o in pending], ["duplicate_of"], batch_size=1000)
    _log(decisions, actor=actor, now=now)
    activity_record_many(
        actor=actor,
        verb="lead.created",
        entries=(
            (
                d.lead,
                {
                    "channel": d.lead.channel,
                    "owner": str(d.assignee) if d.assignee else "",
                    "reason": d.reason,
                    "rule": d.rule.name if d.rule else "",
                    "duplicate_key": d.lead.duplicate_key,
                },
            )
            for d in decisions
        ),
        customer_ids={lead.pk: lead.duplicate_customer_id for lead in leads if lead.duplicate_customer_id},
    )
    if notify_people:
        _notify_assignees(decisions, skip=actor.pk if owner is not None and actor else None, email=email)
        _notify_duplicate_owners(leads, email=email)
    return list(leads)


def lead_capture(
    *,
    actor: User | None,
    data: Mapping[str, Any],
    channel: str = LeadChannel.MANUAL,
    owner: User | None = None,
) -> Lead:
    """One new lead from a form, web form or the API. `owner` skips the rules (assign_lead for others)."""
    if actor is not None:
        ensure_perm(actor, "leads.add_lead")
        if owner is not None and owner.pk != actor.pk:
            _ensure_can_give(actor, owner)
    lead = lead_build(lead_clean(data), actor=actor, channel=channel)
    return leads_create(actor=actor, leads=[lead], owner=owner)[0]


def lead_capture_many(
    *, actor: User, items: Sequence[Mapping[str, Any]], channel: str = LeadChannel.API
) -> list[Lead]:
    """A batch: every item is checked first; one bad item refuses the whole batch and saves nothing."""
    ensure_perm(actor, "leads.add_lead")
    if not items:
        raise DomainError(_("Send at least one lead."), field="items")
    if len(items) > settings.KEHU_LEAD_BATCH_MAX:
        raise DomainError(
            _("At most %(n)d leads in one request.") % {"n": settings.KEHU_LEAD_BATCH_MAX}, field="items"
        )
    errors: dict[str, list[str]] = {}
    cleaned = []
    for index, item in enumerate(items):
        try:
            cleaned.append(lead_clean(item))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"items.{index}.{field}"] = messages
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    leads = [lead_build(c, actor=actor, channel=channel, now=now) for c in cleaned]
    return leads_create(actor=actor, leads=leads, now=now)


# --- working a lead -----------------------------------------------------------------------------------


def _ensure_can_work(actor: User, lead: Lead) -> None:
    ensure_perm(actor, "leads.change_lead")
    ensure_in_scope(actor, Lead.objects.alive(), lead.pk)


def _ensure_claimed(actor: User, lead: Lead) -> None:
    """A pool lead is worked only after someone claims it: say so, rather than "outside your scope"."""
    if lead.owner_id is None and lead.status == LeadStatus.NEW and actor.has_perm("leads.claim_lead"):
        raise ConflictError(_("Claim this lead from the pool before working on it."))


def _ensure_open(lead: Lead) -> None:
    if lead.status == LeadStatus.CONVERTED:
        raise ConflictError(_("This lead has been converted already."))
    if lead.status == LeadStatus.INVALID:
        raise ConflictError(_("This lead is marked invalid. Reopen it first."))


def _locked(lead: Lead) -> Lead:
    """The lead re-read under a row lock, so that two people cannot change its state at once."""
    fresh = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    for field in ("status", "owner_id", "department_id", "customer_id", "contacted_at", "deleted_at"):
        setattr(lead, field, getattr(fresh, field))
    return lead


@transaction.atomic
def lead_update(*, actor: User, lead: Lead, data: Mapping[str, Any]) -> Lead:
    _ensure_can_work(actor, lead)
    _locked(lead)
    _ensure_open(lead)
    cleaned = lead_clean(data, partial=True, base=lead)
    changes = {}
    for field, value in cleaned.items():
        old = getattr(lead, field)
        if old != value:
            changes[field] = [old if isinstance(old, str | int | dict) else str(old), value]
            setattr(lead, field, value)
    if not changes:
        return lead
    lead_refresh_keys(lead)
    if {"phone", "email", "credit_code", "company_name"} & set(changes):
        mark_duplicates([lead])
    lead.save()
    activity_record(actor=actor, subject=lead, verb="lead.updated", data={"changes": changes})
    return lead


@transaction.atomic
def lead_mark_contacted(*, actor: User, lead: Lead) -> Lead:
    """The owner reached the lead: the SLA clock stops."""
    _ensure_claimed(actor, lead)
    _ensure_can_work(actor, lead)
    _locked(lead)
    _ensure_open(lead)
    if lead.owner_id is None:
        raise ConflictError(_("Claim this lead from the pool before working on it."))
    if lead.status in (LeadStatus.CONTACTED, LeadStatus.QUALIFIED):
        return lead
    lead.status, lead.contacted_at = LeadStatus.CONTACTED, lead.contacted_at or timezone.now()
    lead.save(update_fields=["status", "contacted_at", "updated_at"])
    activity_record(actor=actor, subject=lead, verb="lead.contacted")
    return lead


@transaction.atomic
def lead_qualify(*, actor: User, lead: Lead) -> Lead:
    _ensure_claimed(actor, lead)
    _ensure_can_work(actor, lead)
    _locked(lead)
    _ensure_open(lead)
    if lead.owner_id is None:
        raise ConflictError(_("Claim this lead from the pool before working on it."))
    if lead.status == LeadStatus.QUALIFIED:
        return lead
    lead.status = LeadStatus.QUALIFIED
    lead.contacted_at = lead.contacted_at or timezone.now()
    lead.save(update_fields=["status", "contacted_at", "updated_at"])
    activity_record(actor=actor, subject=lead, verb="lead.qualified")
    return lead


@transaction.atomic
def lead_invalidate(*, actor: User, lead: Lead, reason: str, note: str = "") -> Lead:
    _ensure_can_work(actor, lead)
    _locked(lead)
    _ensure_open(lead)
    if reason not in InvalidReason.values:
        raise DomainError(_("Choose why the lead is invalid."), field="reason")
    lead.status, lead.invalid_reason, lead.invalid_note = LeadStatus.INVALID, reason, note.strip()[:500]
    lead.sla_due_at = None
    lead.save(update_fields=["status", "invalid_reason", "invalid_note", "sla_due_at", "updated_at"])
    activity_record(
        actor=actor,
        subject=lead,
        verb="lead.invalidated",
        data={"reason": reason, "note": lead.invalid_note},
    )
    return lead


@transaction.atomic
def lead_reopen(*, actor: User, lead: Lead) -> Lead:
    """Undo "invalid": the lead goes back to its owner, or to the pool if it has none."""
    _ensure_can_work(actor, lead)
    _locked(lead)
    if lead.status != LeadStatus.INVALID:
        raise ConflictError(_("Only an invalid lead can be reopened."))
    lead.status = LeadStatus.CONTACTED if lead.contacted_at else LeadStatus.ASSIGNED
    if lead.owner_id is None:
        lead.status = LeadStatus.NEW
    lead.invalid_reason, lead.invalid_note = "", ""
    lead.save(update_fields=["status", "invalid_reason", "invalid_note", "updated_at"])
    activity_record(actor=actor, subject=lead, verb="lead.reopened")
    return lead


# --- who owns it ---------------------------------------------------------------------------------------


def _ensure_can_give(actor: User, owner: User) -> None:
    ensure_perm(actor, "leads.assign_lead")
    if not user_assignable_list(user=actor).filter(pk=owner.pk).exists():
        raise DomainError(
            _("%(user)s cannot receive leads from you (inactive, on leave or outside your team).")
            % {"user": owner},
            field="owner",
        )


def claims_today(user: User, now: datetime | None = None) -> int:
    return LeadAssignment.objects.filter(
        assignee=user,
        reason=AssignmentReason.CLAIMED,
        created_at__gte=assignment.local_day_start(now or timezone.now()),
    ).count()


@transaction.atomic
def lead_claim(*, actor: User, lead_id: int) -> Lead:
    """Take a lead from the pool. Of many people claiming one lead at once exactly one wins."""
    ensure_perm(actor, "leads.claim_lead")
    if not actor.is_active or actor.on_leave:
        raise DomainError(_("You cannot claim leads while you are on leave."))
    # Serialise this person's claims, so that the daily limit holds when they click twice.
    User.objects.select_for_update(of=("self",)).filter(pk=actor.pk).first()
    limit = settings.KEHU_LEAD_CLAIMS_PER_DAY
    now = timezone.now()
    if claims_today(actor, now) >= limit:
        raise ConflictError(_("You have claimed %(n)d leads today, the daily limit.") % {"n": limit})
    won = (
        Lead.objects.in_pool()
        .filter(pk=lead_id)
        .update(
            owner=actor,
            department_id=actor.department_id,
            status=LeadStatus.ASSIGNED,
            assigned_at=now,
            sla_due_at=None,
            updated_at=now,
        )
    )
    if not won:
        if not Lead.objects.alive().filter(pk=lead_id).exists():
            raise Http404
        raise ConflictError(_("Someone else has already taken this lead."))
    lead = Lead.objects.select_related("owner").get(pk=lead_id)
    _log([assignment.Decision(lead, actor, AssignmentReason.CLAIMED)], actor=actor, now=now)
    activity_record(actor=actor, subject=lead, verb="lead.claimed", data={"owner": str(actor)})
    return lead


@transaction.atomic
def lead_assign(*, actor: User, lead_ids: Iterable[int], owner: User, reason: str = "") -> int:
    """Give leads (own team's or from the pool) to a person by hand."""
    ids = sorted(set(lead_ids))
    if not ids:
        raise DomainError(_("Choose at least one lead."), field="lead_ids")
    _ensure_can_give(actor, owner)
    visible = Lead.objects.visible_to(actor).alive().filter(pk__in=ids).values("pk")
    leads = list(
        Lead.objects.filter(
            Q(pk__in=visible) | Q(pk__in=Lead.objects.in_pool().filter(pk__in=ids).values("pk"))
        )
        .select_for_update(of=("self",))
        .select_related("owner")
    )
    if len(leads) != len(ids):
        raise DomainError(_("Some of these leads are outside what you may see."))
    closed = [lead for lead in leads if not lead.is_open]
    if closed:
        raise ConflictError(
            _("Converted or invalid leads cannot be assigned: %(lead)s.") % {"lead": closed[0]}
        )
    moving = [lead for lead in leads if lead.owner_id != owner.pk]
    now = timezone.now()
    previous = {lead.pk: lead.owner_id for lead in moving}
    previous_names = {lead.pk: str(lead.owner) if lead.owner else "" for lead in moving}
    Lead.objects.filter(pk__in=[lead.pk for lead in moving]).update(
        owner=owner,
        department_id=owner.department_id,
        status=LeadStatus.ASSIGNED,
        assigned_at=now,
        sla_due_at=None,
        updated_at=now,
    )
    decisions = [assignment.Decision(lead, owner, AssignmentReason.MANUAL) for lead in moving]
    _log(decisions, actor=actor, now=now, previous=previous)
    activity_record_many(
        actor=actor,
        verb="lead.assigned",
        entries=(
            (lead, {"from": previous_names[lead.pk], "to": str(owner), "reason": reason[:500]})
            for lead in moving
        ),
    )
    _notify_assignees(decisions, skip=actor.pk)
    return len(moving)


@transaction.atomic
def leads_reassign_overdue(*, now: datetime | None = None, limit: int = 5000) -> int:
    """The SLA job: leads assigned but not contacted in time go to someone else of their rule."""
    now = now or timezone.now()
    due = list(
        Lead.objects.filter(status=LeadStatus.ASSIGNED, sla_due_at__lt=now, deleted_at__isnull=True)
        .select_for_update(of=("self",), skip_locked=True)
        .select_related("owner")
        .order_by("sla_due_at")[:limit]
    )
    if not due:
        return 0
    previous = {lead.pk: lead.owner_id for lead in due}
    previous_names = {lead.pk: str(lead.owner) if lead.owner else "" for lead in due}
    decisions = assignment.decide(due, now=now, exclude={id(lead): lead.owner_id for lead in due})
    for decision in decisions:
        decision.reason = (
            AssignmentReason.SLA if decision.reason == AssignmentReason.RULE else decision.reason
        )
        _apply_decision(decision, now)
    Lead.objects.bulk_update(
        due,
        ["owner", "department", "status", "assigned_at", "sla_due_at", "rule", "updated_at"],
        batch_size=1000,
    )
    _log(decisions, actor=None, now=now, previous=previous)
    activity_record_many(
        actor=None,
        verb="lead.reassigned",
        entries=(
            (d.lead, {"from": previous_names[d.lead.pk], "to": str(d.assignee or ""), "reason": d.reason})
            for d in decisions
        ),
    )
    _notify_assignees(decisions)
    return len(due)


# --- conversion ----------------------------------------------------------------------------------------


def _customer_data(lead: Lead) -> dict[str, Any]:
    company = bool(lead.company_name)
    data = {
        "kind": CustomerKind.COMPANY if company else CustomerKind.PERSON,
        "name": lead.company_name or lead.name,
        "industry": lead.industry,
        "source": lead.source,
        "province": lead.province,
        "city": lead.city,
        "remark": lead.remark,
    }
    if company:
        data["credit_code"] = lead.credit_code
    else:
        data.update(phone=lead.phone, email=lead.email)
    return data


def _contact_data(lead: Lead) -> dict[str, Any]:
    return {
        "name": lead.name,
        "title": lead.title,
        "mobile": lead.phone,
        "email": lead.email,
        "wechat": lead.wechat,
    }


def _has_contact(customer: Customer, lead: Lead) -> bool:
    same = Q(name=lead.name)
    if lead.phone:
        same |= Q(mobile=lead.phone) | Q(phone=lead.phone)
    if lead.email:
        same |= Q(email=lead.email)
    return Contact.objects.alive().filter(same, customer=customer).exists()


@transaction.atomic
def lead_convert(*, actor: User, lead: Lead, customer: Customer | None = None) -> Customer:
    """Turn a lead into a customer with a contact, or attach it to an existing customer.

    Without `customer`, a lead that duplicates a customer the actor may see is attached to that one.
    The lead's history moves onto the customer's timeline.
    """
    ensure_perm(actor, "leads.convert_lead")
    _ensure_claimed(actor, lead)
    _ensure_can_work(actor, lead)
    _locked(lead)
    _ensure_open(lead)
    if lead.owner_id is None:
        raise ConflictError(_("Claim this lead from the pool before converting it."))
    if customer is None and lead.duplicate_customer_id:
        customer = Customer.objects.visible_to(actor).alive().filter(pk=lead.duplicate_customer_id).first()
    if customer is not None:
        ensure_in_scope(actor, Customer.objects.alive(), customer.pk)
        if lead.name and not _has_contact(customer, lead):
            contact_create(actor=actor, customer=customer, data=_contact_data(lead))
    else:
        owner = lead.owner if lead.owner_id != actor.pk else None
        customer = customer_create(actor=actor, data=_customer_data(lead), owner=owner)
        if lead.name and lead.company_name:
            contact_create(actor=actor, customer=customer, data=_contact_data(lead))
    now = timezone.now()
    lead.status, lead.customer, lead.converted_at, lead.sla_due_at = LeadStatus.CONVERTED, customer, now, None
    lead.contacted_at = lead.contacted_at or now
    lead.save(
        update_fields=["status", "customer", "converted_at", "contacted_at", "sla_due_at", "updated_at"]
    )
    Activity.objects.filter(subject_type=ContentType.objects.get_for_model(Lead), subject_id=lead.pk).update(
        customer_id=customer.pk
    )
    activity_record(actor=actor, subject=lead, verb="lead.converted", data={"customer": customer.name})
    return customer


OPPORTUNITY_FIELDS_FROM_CONVERSION = frozenset({"title", "amount", "expected_close_date", "description"})


@transaction.atomic
def lead_convert_with_opportunity(
    *, actor: User, lead: Lead, opportunity: Mapping[str, Any], customer: Customer | None = None
) -> tuple[Customer, Opportunity]:
    """Convert the lead (see `lead_convert`) and open an opportunity of the customer, owned by the lead's
    owner, with the lead's source and campaign; all or nothing. `opportunity` may give the title
    (default: the customer's name), amount, expected close date and description."""
    unknown = set(opportunity) - OPPORTUNITY_FIELDS_FROM_CONVERSION
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in sorted(unknown)})
    owner = lead.owner
    customer = lead_convert(actor=actor, lead=lead, customer=customer)
    data = {k: v for k, v in opportunity.items() if v not in (None, "")}
    data.setdefault("title", customer.name)
    data |= {"source": lead.source, "campaign": lead.campaign}
    created = opportunity_create(actor=actor, customer=customer, data=data, owner=owner)
    return customer, created


# --- rules ---------------------------------------------------------------------------------------------


def rule_preview(*, rule: AssignmentRule, last: int = 100) -> dict[str, Any]:
    """What the rule would do with the last `last` leads, switched on or not: nothing is written."""
    leads = list(Lead.objects.alive().order_by("-id")[: max(1, min(last, 5000))])
    matching = [lead for lead in leads if assignment.rule_matches(rule, lead)]
    preview_rule = AssignmentRule(**{f.attname: getattr(rule, f.attname) for f in rule._meta.concrete_fields})
    preview_rule.state = {}
    decisions = (
        assignment.decide(matching, now=timezone.now(), rules=[preview_rule], lock=False, persist_state=False)
        if matching
        else []
    )
    counts = Counter(str(d.assignee) if d.assignee else "" for d in decisions)
    pool = counts.pop("", 0)
    return {
        "leads": len(leads),
        "matching": len(matching),
        "to_people": sorted(counts.items(), key=lambda item: (-item[1], item[0])),
        "to_pool": pool,
    }


def rule_check(rule: AssignmentRule, member_capacities: Iterable[int | None] = ()) -> None:
    """Rule settings that cannot work together, as a ValidationError."""
    errors: dict[str, str] = {}
    if rule.fallback == "user" and not rule.fallback_user_id:
        errors["fallback_user"] = _("Name the person who gets the leads nobody else can take.")
    if rule.strategy == "capacity" and any(c is None for c in member_capacities):
        errors["strategy"] = _("With monthly capacities, give every named assignee a capacity.")
    if errors:
        raise ValidationError(errors)


RULE_FIELDS = (
    "name",
    "position",
    "is_active",
    "match_sources",
    "match_provinces",
    "match_industries",
    "match_campaigns",
    "match_field",
    "match_value",
    "strategy",
    "daily_cap",
    "open_cap",
    "sla_hours",
    "fallback",
    "fallback_user_id",
)


@transaction.atomic
def rule_save(
    *,
    actor: User,
    rule: AssignmentRule | None,
    data: Mapping[str, Any],
    members: Sequence[Mapping[str, Any]],
    department_ids: Sequence[int],
) -> AssignmentRule:
    """Create or replace a rule with its assignees. The strategy's counters start again when people change."""
    ensure_perm(actor, "leads.change_assignmentrule" if rule else "leads.add_assignmentrule")
    rule = rule or AssignmentRule()
    for field, value in data.items():
        if field not in RULE_FIELDS:
            raise ValidationError({field: _("This field cannot be set here.")})
        setattr(rule, field, value)
    user_ids = [int(m["user"]) for m in members]
    known = set(User.objects.filter(pk__in=user_ids).values_list("pk", flat=True))
    errors: dict[str, str] = {}
    if len(set(user_ids)) != len(user_ids):
        errors["members"] = _("Name each person once.")
    elif set(user_ids) - known:
        errors["members"] = _("There is no user with id %(id)s.") % {"id": min(set(user_ids) - known)}
    if rule.fallback_user_id and not User.objects.filter(pk=rule.fallback_user_id).exists():
        errors["fallback_user"] = _("There is no user with id %(id)s.") % {"id": rule.fallback_user_id}
    departments = list(Department.objects.filter(pk__in=department_ids))
    if len(departments) != len(set(department_ids)):
        errors["departments"] = _("Some of these departments do not exist.")
    if errors:
        raise ValidationError(errors)
    rule_check(rule, [m.get("monthly_capacity") for m in members])
    rule.full_clean(exclude=["state", "users", "departments"], validate_constraints=False)
    rule.state = {}
    rule.save()
    rule.members.all().delete()
    RuleMember.objects.bulk_create(
        [
            RuleMember(
                rule=rule,
                user_id=int(m["user"]),
                weight=m.get("weight") or 1,
                monthly_capacity=m.get("monthly_capacity"),
            )
            for m in members
        ]
    )
    rule.departments.set(departments)
    activity_record(
        actor=actor, subject=rule, verb="rule.saved", data={"name": rule.name, "active": rule.is_active}
    )
    return rule


@transaction.atomic
def rule_delete(*, actor: User, rule: AssignmentRule) -> None:
    ensure_perm(actor, "leads.delete_assignmentrule")
    activity_record(actor=actor, subject=rule, verb="rule.deleted", data={"name": rule.name})
    rule.delete()
