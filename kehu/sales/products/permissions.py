"""Who may do what with products and price lists, by standard role name (mirrors migration 0002).

`kehu.org.roles` lists the standard roles' permissions; until it names these, `role_grants_ensure()`
gives them to the standard roles that exist (tests and the demo call it; it is idempotent).
"""

from django.contrib.auth.models import Permission

from kehu.org.models import Role

MODELS = ("product", "productcategory", "pricelist", "pricelistitem")
VIEW_PERMS = [f"products.view_{m}" for m in MODELS]
EDIT_PERMS = [f"products.{a}_{m}" for m in MODELS for a in ("add", "change")]
ROLE_GRANTS = {
    "Sales rep": VIEW_PERMS,
    "Team lead": VIEW_PERMS,
    "Sales manager": VIEW_PERMS,
    "Sales director": VIEW_PERMS + EDIT_PERMS,
    "Sales operations": VIEW_PERMS + EDIT_PERMS,
}


def role_grants_ensure() -> None:
    for role in Role.objects.filter(name__in=ROLE_GRANTS):
        codenames = [p.split(".")[1] for p in ROLE_GRANTS[role.name]]
        role.permissions.add(
            *Permission.objects.filter(content_type__app_label="products", codename__in=codenames)
        )
