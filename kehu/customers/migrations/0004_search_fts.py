"""A trigram full-text index for keyword search on SQLite; nothing on PostgreSQL (see 0002).

An FTS5 table with the trigram tokenizer mirrors `customers_customer.search_text` (external content,
kept in step by triggers), so a substring of three or more characters is found through the index
instead of a scan. Shorter queries still use LIKE; see kehu/customers/search.py. SQLite builds without
FTS5 skip this, and search then scans.
"""

import sys

from django.db import OperationalError, migrations

TABLE = "customers_customer_fts"
CREATE = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
    "search_text, content='customers_customer', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER {TABLE}_ai AFTER INSERT ON customers_customer BEGIN "
    f"INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER {TABLE}_ad AFTER DELETE ON customers_customer BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER {TABLE}_au AFTER UPDATE OF search_text ON customers_customer BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
]
DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_{t}" for t in ("ai", "ad", "au")] + [f"DROP TABLE IF EXISTS {TABLE}"]


def create_fts(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute(CREATE[0])
        except OperationalError as exc:
            sys.stderr.write(f"\n  Warning: SQLite has no FTS5 trigram tokenizer ({exc}); search will scan.\n")
            return
        for statement in CREATE[1:]:
            cursor.execute(statement)


def drop_fts(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in DROP:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_list_indexes")]
    operations = [migrations.RunPython(create_fts, drop_fts, elidable=False)]
