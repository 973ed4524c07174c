"""The role grants: the data migration and `permissions.ROLE_GRANTS` say the same; what each role may do."""

import importlib

import pytest

from kehu.sales.products.permissions import ROLE_GRANTS

migration = importlib.import_module("kehu.sales.products.migrations.0002_grant_product_permissions")


def test_the_migration_grants_what_the_module_lists():
    assert {role: [f"products.{c}" for c in codes] for role, codes in migration.GRANTS.items()} == ROLE_GRANTS


@pytest.mark.parametrize(
    ("persona", "can_view", "can_change"),
    [
        ("rep", True, False),
        ("team_lead", True, False),
        ("dept_manager", True, False),
        ("director", True, True),
        ("outsider", False, False),
    ],
)
def test_role_permissions(org, persona, can_view, can_change):
    user = getattr(org, persona)
    assert user.has_perm("products.view_pricelist") is can_view
    assert user.has_perm("products.change_product") is can_change
    assert user.has_perm("products.add_pricelist") is can_change
