"""Give the standard roles of an existing installation the product and price list permissions.

Every standard role may view products, categories and price lists; "Sales director" and "Sales operations"
may also add and change them. The lists are frozen here (a migration never imports app code).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("product", "productcategory", "pricelist", "pricelistitem")
VIEW = [f"view_{m}" for m in MODELS]
EDIT = [f"{a}_{m}" for m in MODELS for a in ("add", "change")]
GRANTS = {
    "Sales rep": VIEW,
    "Team lead": VIEW,
    "Sales manager": VIEW,
    "Sales director": VIEW + EDIT,
    "Sales operations": VIEW + EDIT,
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("products")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Role = apps.get_model("org", "Role")
    Permission = apps.get_model("auth", "Permission")
    for role in Role.objects.filter(name__in=GRANTS):
        role.permissions.add(
            *Permission.objects.filter(content_type__app_label="products", codename__in=GRANTS[role.name])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0001_initial"),
        ("org", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
