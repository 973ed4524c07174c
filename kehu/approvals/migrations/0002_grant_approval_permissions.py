"""Give the standard roles of an existing installation the approval permissions they have on a new one."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from kehu.org.roles import STANDARD_ROLES


def grant(apps, schema_editor):
    app_config = apps.get_app_config("approvals")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Role = apps.get_model("org", "Role")
    Permission = apps.get_model("auth", "Permission")
    for role in Role.objects.filter(name__in=STANDARD_ROLES):
        codenames = [p.split(".")[1] for p in STANDARD_ROLES[role.name][1] if p.startswith("approvals.")]
        role.permissions.add(
            *Permission.objects.filter(content_type__app_label="approvals", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0001_add_approvals"),
        ("org", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
