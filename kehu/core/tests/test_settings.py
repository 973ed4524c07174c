"""Settings come from the environment and refuse values they cannot use, at start, with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def check_with(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, "KEHU_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"TIME_ZONE": "Mars/Base"}, "TIME_ZONE='Mars/Base' is not a known time zone"),
        ({"DATABASE_URL": "postgres://u:secret@db/kehu"}, "SECRET_KEY (or SECRET_KEY_FILE) must be set"),
        ({"DATABASE_URL": "mysql://u:secret@db/kehu", "SECRET_KEY": "x"}, "DATABASE_URL (scheme 'mysql')"),
        ({"LOGIN_FAILURE_LIMIT": "five"}, "LOGIN_FAILURE_LIMIT='five' is not a whole number"),
        ({"KEHU_DEFAULT_TAX_RATE": "130"}, "KEHU_DEFAULT_TAX_RATE='130' is not a percentage between 0 and"),
        ({"KEHU_DEFAULT_TAX_RATE": "13%"}, "KEHU_DEFAULT_TAX_RATE='13%' is not a percentage"),
        ({"SECRET_KEY_FILE": "/nonexistent/key", "DATABASE_URL": "postgres://db/k"}, "SECRET_KEY_FILE"),
    ],
)
def test_bad_settings_stop_the_start_with_a_clear_message(tmp_path, env, message):
    code, output = check_with(tmp_path, **env)
    assert code != 0
    assert message in output
    assert "secret@" not in output


def test_embedded_default_generates_and_keeps_a_secret_key(tmp_path):
    assert check_with(tmp_path)[0] == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert check_with(tmp_path)[0] == 0
    assert (tmp_path / "secret_key").read_text() == key
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


@pytest.mark.django_db
def test_postgresql_runs_without_jit():
    """JIT compiling took 1–2 s on the receivables' plans at scale and never paid back."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
