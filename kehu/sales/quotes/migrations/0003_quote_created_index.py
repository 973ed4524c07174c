"""An index on the quotes' creation order, for the quote list (newest first).

The list shows the quotes of the opportunities a user sees, `ORDER BY created_at DESC, id DESC`. Without
this index both databases collect every visible quote and sort them; with it they walk the quotes newest
first and stop at the page's last row (scale M, manager1's page query: 19 → 3 ms on SQLite, with the
joined scope of `selectors.quote_list`; 38 → 2.5 ms on PostgreSQL; see bench/README.md).

Written as SQL, outside the model state, like the search indexes (customers 0002, leads 0004), so that the
model's Meta stays as it is. To declare it in `Quote.Meta.indexes` instead (`models.Index(fields=
["-created_at", "-id"], name="quote_created_idx")`), wrap this operation in a SeparateDatabaseAndState
whose state operation is the matching AddIndex.
"""

from django.db import migrations

INDEX = "quote_created_idx"


class Migration(migrations.Migration):
    dependencies = [("quotes", "0002_grant_quote_permissions")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON quotes_quote (created_at DESC, id DESC)",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
