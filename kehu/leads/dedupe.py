"""The duplicate check for new leads, against customers (and their contacts) and earlier leads.

Keys, strongest first: unified social credit code, phone (E.164), e-mail (lower-cased), normalised
company name. Every key of a whole batch is looked up at once: a few IN queries per batch, never a
query per lead. Within a batch, a later lead duplicates an earlier one with the same key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q

from kehu.customers.models import Contact, Customer
from kehu.leads.choices import DuplicateKey
from kehu.leads.models import Lead

KEY_ORDER = (DuplicateKey.CREDIT_CODE, DuplicateKey.PHONE, DuplicateKey.EMAIL, DuplicateKey.COMPANY)


def lead_keys(lead: Lead) -> list[tuple[str, str]]:
    """(key kind, value) pairs of a lead, strongest first; empty values are left out."""
    values = {
        DuplicateKey.CREDIT_CODE: lead.credit_code,
        DuplicateKey.PHONE: lead.phone,
        DuplicateKey.EMAIL: lead.email,
        DuplicateKey.COMPANY: lead.name_key,
    }
    return [(kind, values[kind]) for kind in KEY_ORDER if values[kind]]


@dataclass
class _Index:
    """Known records by (key kind, value): customers first, then leads."""

    customers: dict[tuple[str, str], int]
    leads: dict[tuple[str, str], Lead]


def _values(leads: Sequence[Lead], kind: str) -> set[str]:
    return {value for lead in leads for k, value in lead_keys(lead) if k == kind}


def _customer_index(leads: Sequence[Lead]) -> dict[tuple[str, str], int]:
    codes, phones = _values(leads, DuplicateKey.CREDIT_CODE), _values(leads, DuplicateKey.PHONE)
    emails, names = _values(leads, DuplicateKey.EMAIL), _values(leads, DuplicateKey.COMPANY)
    found: dict[tuple[str, str], int] = {}
    alive = Customer.objects.alive()

    def remember(kind: str, pairs: Iterable[tuple[str, int]]) -> None:
        for value, customer_id in pairs:
            found.setdefault((kind, value), customer_id)

    if codes:
        remember(
            DuplicateKey.CREDIT_CODE, alive.filter(credit_code__in=codes).values_list("credit_code", "id")
        )
    if phones:
        remember(DuplicateKey.PHONE, alive.filter(phone__in=phones).values_list("phone", "id"))
        contacts = Contact.objects.alive().filter(customer__deleted_at__isnull=True)
        remember(DuplicateKey.PHONE, contacts.filter(mobile__in=phones).values_list("mobile", "customer_id"))
        remember(DuplicateKey.PHONE, contacts.filter(phone__in=phones).values_list("phone", "customer_id"))
    if emails:
        remember(DuplicateKey.EMAIL, alive.filter(email__in=emails).values_list("email", "id"))
        contacts = Contact.objects.alive().filter(customer__deleted_at__isnull=True)
        remember(DuplicateKey.EMAIL, contacts.filter(email__in=emails).values_list("email", "customer_id"))
    if names:
        remember(DuplicateKey.COMPANY, alive.filter(name_key__in=names).values_list("name_key", "id"))
    return found


def _lead_index(leads: Sequence[Lead], exclude_ids: set[int]) -> dict[tuple[str, str], Lead]:
    fields = {
        DuplicateKey.CREDIT_CODE: "credit_code",
        DuplicateKey.PHONE: "phone",
        DuplicateKey.EMAIL: "email",
        DuplicateKey.COMPANY: "name_key",
    }
    condition = Q()
    for kind, field in fields.items():
        values = _values(leads, kind)
        if values:
            condition |= Q(**{f"{field}__in": values})
    if not condition:
        return {}
    # Originals only: a lead that duplicates another points at that one instead. Newest first wins.
    candidates = (
        Lead.objects.alive()
        .filter(condition)
        .exclude(pk__in=exclude_ids)
        .select_related("owner")
        .order_by("-id")
    )
    found: dict[tuple[str, str], Lead] = {}
    for lead in candidates:
        if lead.duplicate_of_id:  # filtered here: in SQL, SQLite would walk the sparse duplicate_of index
            continue
        for kind, field in fields.items():
            value = getattr(lead, field)
            if value:
                found.setdefault((kind, value), lead)
    return found


def mark_duplicates(leads: Sequence[Lead]) -> list[tuple[Lead, Lead]]:
    """Set duplicate_customer / duplicate_of / duplicate_key on each lead (not saved).

    A lead of the same batch that came earlier counts as an original. Such pairs (duplicate, unsaved
    original) are returned instead of set: the caller links them once the batch has its ids.
    """
    own_ids = {lead.pk for lead in leads if lead.pk}
    index = _Index(customers=_customer_index(leads), leads=_lead_index(leads, own_ids))
    pending: list[tuple[Lead, Lead]] = []
    for lead in leads:
        lead.duplicate_customer_id, lead.duplicate_of_id, lead.duplicate_key = None, None, ""
        for kind, value in lead_keys(lead):
            customer_id = index.customers.get((kind, value))
            if customer_id:
                lead.duplicate_customer_id, lead.duplicate_key = customer_id, kind
                break
            original = index.leads.get((kind, value))
            if original is not None and original is not lead:
                lead.duplicate_key = kind
                if original.pk:
                    lead.duplicate_of = original
                else:
                    pending.append((lead, original))
                break
        if not lead.duplicate_key:
            for key in lead_keys(lead):
                index.leads.setdefault(key, lead)
    return pending
