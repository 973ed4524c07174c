"""Give the managers' roles of an existing installation the handover permission (pool.hand_over_user).

"Sales manager" and "Sales director" are named here, so that this works before kehu/org/roles.py lists the
permission; any other standard role that lists it there gets it too, as a new installation would.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from kehu.org.roles import STANDARD_ROLES

PERM = "pool.hand_over_user"
ROLES = {"Sales manager", "Sales director"}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("pool")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Role = apps.get_model("org", "Role")
    Permission = apps.get_model("auth", "Permission")
    names = ROLES | {name for name, (_scope, perms, _text) in STANDARD_ROLES.items() if PERM in perms}
    permission = Permission.objects.get(content_type__app_label="pool", codename="hand_over_user")
    for role in Role.objects.filter(name__in=names):
        role.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("pool", "0003_handover"),
        ("org", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
