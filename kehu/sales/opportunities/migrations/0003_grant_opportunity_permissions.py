"""Give the standard roles the opportunity permissions, by role name.

The names are listed here, so that this works before kehu/org/roles.py lists the permissions; any other
standard role that lists an opportunities permission there gets it too, as a new installation would.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from kehu.org.roles import STANDARD_ROLES

REP = ["view_opportunity", "add_opportunity", "change_opportunity", "view_pipeline"]
MANAGER = [*REP, "delete_opportunity", "transfer_opportunity"]
CONFIGURE = [*MANAGER, "add_pipeline", "change_pipeline"]
ROLE_PERMS = {
    "Sales rep": REP,
    "Team lead": MANAGER,
    "Sales manager": MANAGER,
    "Sales director": CONFIGURE,
    "Sales operations": CONFIGURE,
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("opportunities")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Role = apps.get_model("org", "Role")
    Permission = apps.get_model("auth", "Permission")
    wanted = {name: set(codes) for name, codes in ROLE_PERMS.items()}
    for name, (_scope, perms, _text) in STANDARD_ROLES.items():
        listed = {p.split(".")[1] for p in perms if p.startswith("opportunities.")}
        wanted.setdefault(name, set()).update(listed)
    permissions = {p.codename: p for p in Permission.objects.filter(content_type__app_label="opportunities")}
    for role in Role.objects.filter(name__in=wanted):
        role.permissions.add(*(permissions[c] for c in sorted(wanted[role.name]) if c in permissions))


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0002_default_pipeline"),
        ("org", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
