"""The `org` personas with the product permissions their standard roles get (see ../permissions.py)."""

import pytest


@pytest.fixture
def org(db):
    from kehu.org.tests.personas import build_org
    from kehu.sales.products.permissions import role_grants_ensure

    org = build_org()
    role_grants_ensure()
    return org
