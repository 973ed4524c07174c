"""Activities carry the customer whose timeline shows them; existing customer entries are filled in."""

from django.conf import settings
from django.db import migrations, models


def fill_customer_ids(apps, schema_editor):
    content_type = (
        apps.get_model("contenttypes", "ContentType")
        .objects.filter(app_label="customers", model="customer")
        .first()
    )
    if content_type:
        apps.get_model("core", "Activity").objects.filter(subject_type=content_type).update(
            customer_id=models.F("subject_id")
        )


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0001_activity'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='activity',
            name='customer_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(condition=models.Q(('customer_id__isnull', False)), fields=['customer_id', '-created_at', '-id'], name='activity_customer_idx'),
        ),
        migrations.RunPython(fill_customer_ids, migrations.RunPython.noop),
    ]
