"""The shared pool's columns on customers: the pool a customer is in, since when, and the lock.

On SQLite, adding a column with a default (is_locked) rebuilds customers_customer, which drops the FTS5
search triggers of 0004: they are created again at the end (see 0005).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kehu.customers.search import restore_fts_triggers


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0008_backfill_received_at'),
        ('org', '0001_initial'),
        ('pool', '0001_add_pool'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='customer',
            name='is_locked',
            field=models.BooleanField(default=False, help_text='Locked customers may be exempt from reclaim.', verbose_name='locked'),
        ),
        migrations.AddField(
            model_name='customer',
            name='pool',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='customers', to='pool.pool', verbose_name='pool'),
        ),
        migrations.AddField(
            model_name='customer',
            name='pooled_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='in the pool since'),
        ),
        migrations.AddField(
            model_name='historicalcustomer',
            name='is_locked',
            field=models.BooleanField(default=False, help_text='Locked customers may be exempt from reclaim.', verbose_name='locked'),
        ),
        migrations.AddField(
            model_name='historicalcustomer',
            name='pool',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pool.pool', verbose_name='pool'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(condition=models.Q(('pool__isnull', False)), fields=['pool', '-pooled_at'], name='customer_pool_idx'),
        ),
        migrations.RunPython(restore_fts_triggers, migrations.RunPython.noop, elidable=False),
    ]
