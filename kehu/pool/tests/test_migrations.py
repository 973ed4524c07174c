"""The data migration that gives existing standard roles the pool permissions."""

from importlib import import_module

from django.apps import apps

from kehu.org.models import Role

grant = import_module("kehu.pool.migrations.0002_grant_pool_permissions").grant


def test_existing_standard_roles_get_the_pool_permissions(org, monkeypatch):
    monkeypatch.setattr(
        apps.get_app_config("pool"), "models_module", apps.get_app_config("pool").models_module
    )
    rep_role = Role.objects.get(name="Sales rep")
    lead_role = Role.objects.get(name="Team lead")
    for role in (rep_role, lead_role):
        role.permissions.remove(*role.permissions.filter(content_type__app_label="pool"))

    grant(apps, None)

    def codes(role):
        pool_permissions = role.permissions.filter(content_type__app_label="pool")
        return sorted(pool_permissions.values_list("codename", flat=True))

    assert codes(rep_role) == ["claim_pool_customer", "release_pool_customer"]
    assert codes(lead_role) == ["assign_pool_customer", "claim_pool_customer", "release_pool_customer"]
