"""Shared test fixtures: the `org` persona set (see kehu/org/tests/personas.py)."""

import pytest


@pytest.fixture
def org(db):
    from kehu.org.tests.personas import build_org

    return build_org()
