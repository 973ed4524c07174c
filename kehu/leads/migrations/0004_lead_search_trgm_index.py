"""A trigram index for keyword search over leads on PostgreSQL; nothing on SQLite.

The lead list searches with `search_text LIKE '%<text>%'` (selectors._search, through
kehu.customers.search.search_text_contains), which a B-tree cannot serve. As for customers (customers
migration 0002), a GIN index with pg_trgm's operator class lets PostgreSQL find the rows from the
query's trigrams. Queries shorter than three characters have no trigram and still scan. SQLite scans
leads_lead with instr() (no FTS table for leads); see bench/README.md for the timings.

The index lives outside the model state (it uses an extension-specific operator class), so
`makemigrations` neither sees nor changes it. The pg_trgm extension is created by customers 0002; where
that was refused, this migration warns and leaves lead search to the sequential scan.
"""

import sys

from django.db import migrations

INDEX = "lead_search_trgm_idx"
CREATE_INDEX = f"CREATE INDEX IF NOT EXISTS {INDEX} ON leads_lead USING gin (search_text gin_trgm_ops)"


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            sys.stderr.write(
                "\n  Warning: the pg_trgm extension is missing. Lead search works but scans the leads\n"
                f"  table. To add the index later, a superuser runs in this database: CREATE EXTENSION\n"
                f"  pg_trgm; {CREATE_INDEX};\n"
            )
            return
        cursor.execute(CREATE_INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("leads", "0003_lead_owner_open_idx"), ("customers", "0002_search_index")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
