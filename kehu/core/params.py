"""Record ids typed into query strings and forms: read them safely, whatever a client sends."""

from __future__ import annotations

from kehu.core.api import MAX_ID


def id_param(value: object) -> int | None:
    """A record id: a positive whole number (ASCII digits) that a database column holds; else None.

    `str.isdigit()` alone lets through "²" (which int() refuses) and numbers beyond the column (a 500 on
    SQLite)."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
