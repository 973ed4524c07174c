"""Shared test fixtures: the `org` persona set (see kehu/org/tests/personas.py)."""

import pytest


def pytest_configure(config):
    from django.conf import settings

    # Argon2 is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db):
    from kehu.org.tests.personas import build_org

    return build_org()
