"""The standard roles get the opportunity permissions the way an existing installation does: through the
data migration (kehu/org/roles.py does not list them yet)."""

from importlib import import_module

import pytest
from django.apps import apps

grant = import_module("kehu.sales.opportunities.migrations.0003_grant_opportunity_permissions").grant


@pytest.fixture
def org(org):
    grant(apps, None)
    for user in (org.director, org.dept_manager, org.team_lead, org.rep, org.peer_rep, org.east_rep):
        for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
            user.__dict__.pop(cache, None)  # forget permissions read before the grant
    return org
