"""The settings module, exercised in fresh processes as a deployment would start it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env},
        check=False,
    )


def test_missing_secret_key_with_debug_off_stops_with_one_sentence():
    result = run_python("import django; django.setup()")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Newsroom cannot start: set DJANGO_SECRET_KEY to a long random string "
        "(or DJANGO_DEBUG=1 for local development)."
    )


def test_debug_mode_runs_without_a_secret_key():
    result = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        DJANGO_DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_environment_drives_hosts_database_and_cache(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'], "
        "s.CACHES['default']['BACKEND'], s.NEWSROOM_SITE_NAME, s.LANGUAGE_CODE)"
    )
    result = run_python(
        code,
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="news.example, www.news.example",
        DATABASE_URL="postgres://u@127.0.0.1:5432/db",
        REDIS_URL="redis://127.0.0.1:6379/0",
        NEWSROOM_SITE_NAME="The Courier",
        NEWSROOM_LANGUAGE="de",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "['news.example',",
        "'www.news.example']",
        "django.db.backends.postgresql",
        "django.core.cache.backends.redis.RedisCache",
        "The",
        "Courier",
        "de",
    ]


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
        "c.execute('PRAGMA busy_timeout').fetchone()[0], "
        "connection.transaction_mode)"
    )
    result = run_python(
        code, DJANGO_SECRET_KEY="x" * 50, DATABASE_URL=f"sqlite:///{tmp_path / 'wal.sqlite3'}"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE"]


def test_a_number_setting_that_is_not_a_number_stops_with_one_sentence():
    result = run_python(
        "import django; django.setup()",
        DJANGO_SECRET_KEY="x" * 50,
        NEWSROOM_CONSENT_MAX_AGE_DAYS="six months",
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Newsroom cannot start: NEWSROOM_CONSENT_MAX_AGE_DAYS must be a whole number, "
        "not 'six months'."
    )
