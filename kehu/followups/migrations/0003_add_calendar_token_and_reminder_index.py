# The workbench's calendar feed token, and the index of the reminder job.

import django.db.models.deletion
import django.utils.timezone
import kehu.followups.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0002_grant_followup_permissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CalendarToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(default=kehu.followups.models.new_calendar_token, editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
            ],
            options={
                'verbose_name': 'calendar feed',
                'verbose_name_plural': 'calendar feeds',
            },
        ),
        migrations.AddIndex(
            model_name='followupplan',
            index=models.Index(condition=models.Q(('reminded_at__isnull', True), ('status', 'open')), fields=['due_at'], name='plan_remind_due_idx'),
        ),
        migrations.AddField(
            model_name='calendartoken',
            name='user',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_token', to=settings.AUTH_USER_MODEL, verbose_name='user'),
        ),
    ]
