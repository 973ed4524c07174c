"""A stand-in for kehu.pool.selectors.pool_warnings, for tests that must not depend on the pool's rules."""

import types
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import TextChoices


class FakeRule(TextChoices):
    NO_FOLLOWUP = "no_followup", "No follow-up"
    NOT_CLOSED = "not_closed", "Not closed"


@dataclass
class FakeWarning:
    customer: Any
    pool: Any
    rule: Any
    due_at: datetime


def install_pool_warnings(monkeypatch, warnings_by_user: dict[int, list[FakeWarning]]) -> list[dict]:
    """Make `pool_warnings(user=, now=)` answer from `warnings_by_user`; returns the calls it received."""
    calls: list[dict] = []

    def pool_warnings(*, user, now):
        calls.append({"user": user, "now": now})
        return list(warnings_by_user.get(user.pk, []))

    monkeypatch.setattr("kehu.workbench.selectors._pool_warnings_source", lambda: pool_warnings)
    return calls


def no_pool_module(monkeypatch) -> None:
    """As on an installation whose pool app has no pool_warnings yet."""
    monkeypatch.setitem(
        __import__("sys").modules, "kehu.pool.selectors", types.ModuleType("kehu.pool.selectors")
    )
