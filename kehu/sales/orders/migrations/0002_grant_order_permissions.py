"""Give the standard roles the order permissions, by role name (as the quote permissions are)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REP = ["view_order", "add_order", "change_order"]
MANAGER = [*REP, "delete_order"]
ROLE_PERMS = {
    "Sales rep": REP,
    "Team lead": MANAGER,
    "Sales manager": MANAGER,
    "Sales director": MANAGER,
    "Sales operations": MANAGER,
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("orders")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Role = apps.get_model("org", "Role")
    Permission = apps.get_model("auth", "Permission")
    permissions = {p.codename: p for p in Permission.objects.filter(content_type__app_label="orders")}
    for role in Role.objects.filter(name__in=ROLE_PERMS):
        role.permissions.add(*(permissions[c] for c in ROLE_PERMS[role.name] if c in permissions))


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_add_order"),
        ("org", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
