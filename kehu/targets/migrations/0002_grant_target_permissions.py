"""Give the standard roles the target permissions, by role name (as the order permissions are): everyone
sees attainment; team leads, managers, directors and sales operations set targets."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ["view_target"]
SET = [*VIEW, "add_target", "change_target", "delete_target"]
ROLE_PERMS = {
    "Sales rep": VIEW,
    "Team lead": SET,
    "Sales manager": SET,
    "Sales director": SET,
    "Sales operations": SET,
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("targets")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Role = apps.get_model("org", "Role")
    Permission = apps.get_model("auth", "Permission")
    permissions = {p.codename: p for p in Permission.objects.filter(content_type__app_label="targets")}
    for role in Role.objects.filter(name__in=ROLE_PERMS):
        role.permissions.add(*(permissions[c] for c in ROLE_PERMS[role.name] if c in permissions))


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0001_add_target"),
        ("org", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
