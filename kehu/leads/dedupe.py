"""The duplicate check for new leads, against customers (and their contacts) and earlier leads.

Keys, strongest first: unified social credit code, phone (E.164), e-mail (lower-cased), normalised
company name. Every key of a whole batch is looked up at once: two queries per batch (customers and
their contacts, then leads), never a query per lead. They are written as SQL because they run on every
intake request, where compiling a queryset per key cost more than the database needs to answer.
Within a batch, a later lead duplicates an earlier one with the same key.
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


LEAD_KEY_COLUMNS = {
    DuplicateKey.CREDIT_CODE: "credit_code",
    DuplicateKey.PHONE: "phone",
    DuplicateKey.EMAIL: "email",
    DuplicateKey.COMPANY: "name_key",
}


def _in(column: str, values: set[str], params: list[str]) -> str:
    params += sorted(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _customer_index(leads: Sequence[Lead]) -> dict[tuple[str, str], int]:
    """Living customers by key, through their own values and their living contacts': one UNION ALL.

    Per key the oldest customer wins, customers' own values before their contacts'.
    """
    quote = connection.ops.quote_name
    customers, contacts = quote(Customer._meta.db_table), quote(Contact._meta.db_table)
    living_customer = f"{customers}.deleted_at IS NULL"
    living_contact = (
        f"{contacts}.deleted_at IS NULL AND EXISTS (SELECT 1 FROM {customers} WHERE "
        f"{customers}.id = {contacts}.customer_id AND {living_customer})"
    )
    lookups = (  # key kind, table, column, the customer's id, condition
        (DuplicateKey.CREDIT_CODE, customers, "credit_code", "id", living_customer),
        (DuplicateKey.PHONE, customers, "phone", "id", living_customer),
        (DuplicateKey.PHONE, contacts, "mobile", "customer_id", living_contact),
        (DuplicateKey.PHONE, contacts, "phone", "customer_id", living_contact),
        (DuplicateKey.EMAIL, customers, "email", "id", living_customer),
        (DuplicateKey.EMAIL, contacts, "email", "customer_id", living_contact),
        (DuplicateKey.COMPANY, customers, "name_key", "id", living_customer),
    )
    parts, params = [], []
    for rank, (kind, table, column, customer_id, condition) in enumerate(lookups):
        values = _values(leads, kind)
        if values:
            column = f"{table}.{quote(column)}"
            parts.append(
                f"SELECT {rank} AS rank, {column} AS value, {table}.{customer_id} AS customer"
                f" FROM {table} WHERE {_in(column, values, params)} AND {condition}"
            )
    if not parts:
        return {}
    found: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY rank, customer", params)
        for rank, value, customer_id in cursor.fetchall():
            found.setdefault((lookups[rank][0], value), customer_id)
    return found


def _lead_index(leads: Sequence[Lead], own_ids: set[int]) -> dict[tuple[str, str], Lead]:
    """Earlier leads by key: per key the newest original (a duplicate points at its original instead).

    One query with the keys OR-ed, so that the table is read once (by several indexes or one scan); lead
    objects are read only for the matches.
    """
    quote = connection.ops.quote_name
    wanted = {kind: _values(leads, kind) for kind in LEAD_KEY_COLUMNS}
    params: list[str] = []
    conditions = [
        _in(quote(LEAD_KEY_COLUMNS[kind]), values, params) for kind, values in wanted.items() if values
    ]
    if not conditions:
        return {}
    columns = ", ".join(quote(column) for column in LEAD_KEY_COLUMNS.values())
    # The duplicate_of test stays out of SQL: SQLite would walk that sparse index instead of the keys'.
    sql = (
        f"SELECT id, duplicate_of_id, {columns} FROM {quote(Lead._meta.db_table)}"
        f" WHERE deleted_at IS NULL AND ({' OR '.join(conditions)}) ORDER BY id DESC"
    )
    ids: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, duplicate_of_id, *values in cursor.fetchall():
            if duplicate_of_id or pk in own_ids:
                continue
            for kind, value in zip(LEAD_KEY_COLUMNS, values, strict=True):
                if value in wanted[kind]:
                    ids.setdefault((kind, value), pk)
    if not ids:
        return {}
    found = Lead.objects.select_related("owner").in_bulk(set(ids.values()))
    return {key: found[pk] for key, pk in ids.items() if pk in found}


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
