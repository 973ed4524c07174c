"""A trigram index for keyword search on PostgreSQL; nothing on SQLite.

The customer list searches with `search_text LIKE '%<text>%'` (filters.CustomerFilter.search). A B-tree
cannot serve a leading wildcard, so on PostgreSQL a GIN index with pg_trgm's operator class lets the
planner find the rows from the query's trigrams instead of reading the whole table. Queries shorter than
three characters (common in Chinese: 科技, 恒瑞) have no trigram and still scan; see bench/README.md.

The index lives outside the model state (it uses an extension-specific operator class), so
`makemigrations` neither sees nor changes it. Creating the extension needs a privileged user; when that
is refused the migration warns and leaves search to the sequential scan, so installations without the
extension still migrate.
"""

import sys

from django.db import DatabaseError, migrations, transaction

INDEX = "customer_search_trgm_idx"
CREATE_INDEX = f"CREATE INDEX IF NOT EXISTS {INDEX} ON customers_customer USING gin (search_text gin_trgm_ops)"


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as exc:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            if cursor.fetchone() is None:
                sys.stderr.write(
                    f"\n  Warning: the pg_trgm extension could not be created ({exc}).\n"
                    "  Keyword search works but scans the customers table. To add the index later, a\n"
                    f"  superuser runs in this database: CREATE EXTENSION pg_trgm; {CREATE_INDEX};\n"
                )
                return
        cursor.execute(CREATE_INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
