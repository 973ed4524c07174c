"""Shared test fixtures: the `org` persona set (see kehu/org/tests/personas.py) and the browser."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls in e2e tests are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("KEHU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_configure(config):
    from django.conf import settings

    # Argon2 is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Assertions read English; the language tests switch to zh-hans explicitly.
    settings.LANGUAGE_CODE = "en"
    # Tests render pages without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Jobs queued by code under test stay in memory (settings.py picks MemoryHuey under pytest), never in
    # var/huey.sqlite3 or Redis, where a real worker would send their e-mails.
    from huey import MemoryHuey
    from huey.contrib.djhuey import HUEY

    assert isinstance(HUEY, MemoryHuey), f"tests must not queue jobs in {HUEY.storage!r}"


@pytest.fixture
def org(db):
    from kehu.org.tests.personas import build_org

    return build_org()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def huey_immediate():
    """Run queued background tasks at once, in-process, as `HUEY_IMMEDIATE=true` does. Without it, tasks
    are queued in memory and never run."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    """Each test starts with the assignment engine's per-process rule cache empty: a test database that
    rolls back reuses ids, and under a frozen clock also timestamps, so the change stamp could repeat."""
    from kehu.leads import assignment

    assignment._cached_rules = None
