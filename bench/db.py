"""Choosing the database for the benchmark, and the few statements that differ between SQLite and Postgres."""

from __future__ import annotations

import os
from pathlib import Path

VAR_DIR = Path(os.environ.get("KEHU_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))


def configure(*, scale: str, database_url: str | None = None, sqlite_path: str | None = None) -> None:
    """Point Django at the benchmark database and set it up.

    Order: --database-url, then --sqlite-path, then the DATABASE_URL environment variable, then a SQLite
    file of its own in var/ (bench-<scale>.sqlite3), never the development database var/kehu.sqlite3.
    """
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    elif sqlite_path:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(sqlite_path).resolve()}"
    elif not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{(VAR_DIR / f'bench-{scale.lower()}.sqlite3').resolve()}"
    # settings.py wants a secret key whenever DATABASE_URL is set; sessions of a benchmark need no secret.
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    import django

    django.setup()


def describe() -> str:
    """'sqlite var/bench-m.sqlite3' or 'postgresql kehu_bench@127.0.0.1', for messages and reports."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite {s['NAME']}"
    return f"{connection.vendor} {s['NAME']}@{s.get('HOST') or 'localhost'}"


def explain(sql: str) -> str:
    """The query plan of one statement, as the database prints it (Postgres runs it: ANALYZE, BUFFERS)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        rows = cursor.fetchall()
    depth = {0: 0}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * (depth[node] - 1) + detail)
    return "\n".join(lines)
