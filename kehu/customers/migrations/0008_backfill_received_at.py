"""Owned customers were received by their owner when they were created, as far as we know: one UPDATE."""

from django.db import migrations
from django.db.models import F


def backfill(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    Customer.objects.filter(owner__isnull=False, received_at__isnull=True).update(received_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("customers", "0007_customer_followup_dates")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
