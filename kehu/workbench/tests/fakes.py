"""A stand-in for kehu.pool.selectors.pool_warnings_top, for tests that need not depend on the pool rules."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass
class FakeWarning:
    customer: Any
    pool: Any
    rule: Any
    due_at: datetime


def install_pool_warnings(monkeypatch, warnings_by_user: dict[int, list[FakeWarning]]) -> list[dict]:
    """Make `pool_warnings_top(user=, now=, limit=)` answer from `warnings_by_user`; returns its calls."""
    calls: list[dict] = []

    def pool_warnings_top(*, user, now, limit=None):
        calls.append({"user": user, "now": now})
        warnings = sorted(warnings_by_user.get(user.pk, []), key=lambda w: (w.due_at, w.customer.pk))
        return warnings[:limit], len(warnings)

    monkeypatch.setattr("kehu.workbench.selectors.pool_warnings_top", pool_warnings_top)
    return calls
