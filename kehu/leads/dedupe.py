"""The duplicate check for new leads, against customers (and their contacts) and earlier leads.

Keys, strongest first: unified social credit code, phone (E.164), e-mail (lower-cased), normalised
company name. Every key of a whole batch is looked up at once: a few IN queries per batch, never a
query per lead. Within a batch, a later lead duplicates an earlier one with the same key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

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


def _index(leads: Sequence[Lead], own_ids: set[int]) -> _Index:
    """Customers (by their own and their contacts' values) and earlier leads sharing a key with the batch.

    One UNION ALL query for the whole batch, written as SQL because it runs on every intake request and
    eleven querysets cost more to compile than the database needs to answer them. Per key the oldest
    living customer wins, customers' own values before their contacts'; among leads the newest original
    (a lead that duplicates another points at that one instead). Lead objects are read only for matches.
    """
    quote = connection.ops.quote_name
    customers, contacts = quote(Customer._meta.db_table), quote(Contact._meta.db_table)
    lead_table = quote(Lead._meta.db_table)
    living_customer = f"{customers}.deleted_at IS NULL"
    living_contact = (
        f"{contacts}.deleted_at IS NULL AND EXISTS (SELECT 1 FROM {customers} WHERE "
        f"{customers}.id = {contacts}.customer_id AND {living_customer})"
    )
    # The duplicate_of test stays out of SQL: SQLite would walk that sparse index instead of the key's.
    living_lead = f"{lead_table}.deleted_at IS NULL"
    lookups = (  # key kind, table, column, the record's id (negated: newest first), condition
        (DuplicateKey.CREDIT_CODE, customers, "credit_code", "id", living_customer),
        (DuplicateKey.PHONE, customers, "phone", "id", living_customer),
        (DuplicateKey.PHONE, contacts, "mobile", "customer_id", living_contact),
        (DuplicateKey.PHONE, contacts, "phone", "customer_id", living_contact),
        (DuplicateKey.EMAIL, customers, "email", "id", living_customer),
        (DuplicateKey.EMAIL, contacts, "email", "customer_id", living_contact),
        (DuplicateKey.COMPANY, customers, "name_key", "id", living_customer),
        (DuplicateKey.CREDIT_CODE, lead_table, "credit_code", "-id", living_lead),
        (DuplicateKey.PHONE, lead_table, "phone", "-id", living_lead),
        (DuplicateKey.EMAIL, lead_table, "email", "-id", living_lead),
        (DuplicateKey.COMPANY, lead_table, "name_key", "-id", living_lead),
    )
    parts, params = [], []
    for rank, (kind, table, column, record, condition) in enumerate(lookups):
        values = sorted(_values(leads, kind))
        if not values:
            continue
        sign, record = ("-", record[1:]) if record.startswith("-") else ("", record)
        original = f"{table}.duplicate_of_id IS NULL" if table == lead_table else "1 = 1"
        marks = ", ".join(["%s"] * len(values))
        parts.append(
            f"SELECT {rank} AS rank, {table}.{quote(column)} AS value, {sign}{table}.{record} AS sort,"
            f" CASE WHEN {original} THEN 1 ELSE 0 END AS original"
            f" FROM {table} WHERE {table}.{quote(column)} IN ({marks}) AND {condition}"
        )
        params += values
    index = _Index(customers={}, leads={})
    if not parts:
        return index
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY rank, sort", params)
        rows = cursor.fetchall()
    lead_ids: dict[tuple[str, str], int] = {}
    for rank, value, sort, original in rows:
        kind, table = lookups[rank][0], lookups[rank][1]
        if table != lead_table:
            index.customers.setdefault((kind, value), sort)
        elif original and -sort not in own_ids:
            lead_ids.setdefault((kind, value), -sort)
    if lead_ids:
        found = Lead.objects.select_related("owner").in_bulk(set(lead_ids.values()))
        index.leads = {key: found[pk] for key, pk in lead_ids.items() if pk in found}
    return index


def mark_duplicates(leads: Sequence[Lead]) -> list[tuple[Lead, Lead]]:
    """Set duplicate_customer / duplicate_of / duplicate_key on each lead (not saved).

    A lead of the same batch that came earlier counts as an original. Such pairs (duplicate, unsaved
    original) are returned instead of set: the caller links them once the batch has its ids.
    """
    own_ids = {lead.pk for lead in leads if lead.pk}
    index = _index(leads, own_ids)
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
