"""Keys for the lead duplicate check: a normalised company name, and indexes on e-mail addresses.

On SQLite, adding a column with a default rebuilds customers_customer, which drops the triggers that keep
the FTS5 search table (0004) in step: they are created again at the end. A later migration that rebuilds
the table must do the same (call restore_fts_triggers).
"""

from django.conf import settings
from django.db import migrations, models

from kehu.customers.validators import normalize_company_name

from kehu.customers.search import restore_fts_triggers


def fill_name_keys(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    batch = []
    for customer in Customer.objects.filter(kind="company").only("id", "name").iterator(chunk_size=2000):
        customer.name_key = normalize_company_name(customer.name)
        batch.append(customer)
        if len(batch) == 2000:
            Customer.objects.bulk_update(batch, ["name_key"])
            batch = []
    Customer.objects.bulk_update(batch, ["name_key"])


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0004_search_fts'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='customer',
            name='name_key',
            field=models.CharField(blank=True, default='', editable=False, max_length=200),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(fields=['email'], name='contact_email_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['email'], name='customer_email_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['name_key'], name='customer_name_key_idx'),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.RunPython(restore_fts_triggers, migrations.RunPython.noop, elidable=False),
    ]
