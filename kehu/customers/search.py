"""Substring search over customers' `search_text`, using the database's trigram index where it can."""

from functools import cache
from importlib import import_module

from django.db import connection
from django.db.models import Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

from kehu.customers.validators import search_key

FTS_TABLE = "customers_customer_fts"
TRIGRAM = 3  # shorter queries have no trigram to look up, in FTS5 and in pg_trgm alike


@cache
def _sqlite_fts_available() -> bool:
    """False where SQLite was built without FTS5 and migration 0004 skipped the table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        return cursor.fetchone() is not None


def search_condition(text: str) -> Q:
    """Customers whose name, phones, email, credit code or contacts contain `text` (case-insensitive)."""
    key = search_key(text.strip())[:100]
    if not key:
        return Q()
    if connection.vendor == "sqlite" and len(key) >= TRIGRAM and _sqlite_fts_available():
        phrase = '"' + key.replace('"', '""') + '"'
        rowids = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [phrase])
        return Q(id__in=rowids)
    # PostgreSQL answers this through the pg_trgm GIN index (migration 0002) for three characters or more.
    return search_text_contains(key)


def search_text_contains(key: str) -> Q:
    """Rows whose `search_text` column (lower-cased by search_key) contains `key`, already a search key."""
    if connection.vendor == "sqlite":
        # search_text is lower-cased already: instr() skips LIKE's case folding and scans twice as fast.
        return Q(GreaterThan(StrIndex("search_text", Value(key)), 0))
    return Q(search_text__contains=key)


def restore_fts_triggers(apps, schema_editor) -> None:
    """For migrations that rebuild customers_customer on SQLite (which drops its triggers): the FTS5
    triggers of migration 0004 are created again and the index rebuilt."""
    if schema_editor.connection.vendor != "sqlite":
        return
    fts = import_module("kehu.customers.migrations.0004_search_fts")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [fts.TABLE])
        if cursor.fetchone() is None:
            return  # SQLite without FTS5: search scans
        for statement in fts.DROP[:3]:  # the triggers, not the table
            cursor.execute(statement)
        for statement in fts.CREATE[1:]:  # the triggers, then a rebuild of the index
            cursor.execute(statement)
