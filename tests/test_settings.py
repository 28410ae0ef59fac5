"""The settings module, exercised in fresh processes as a deployment would start it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert result.stdout.split() == ["wal", "60000", "IMMEDIATE"]


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


PRODUCTION = {
    "DJANGO_SECRET_KEY": "production-like-secret-" + "k" * 40,
    "DJANGO_ALLOWED_HOSTS": "news.example.org",
    "NEWSROOM_HTTPS": "1",
    "NEWSROOM_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "NEWSROOM_CSRF_TRUSTED_ORIGINS": "https://news.example.org",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        f"execute_from_command_line(['manage.py', *{list(args)!r}])",
        **env,
    )


def test_check_deploy_finds_nothing_with_production_settings(tmp_path):
    result = manage(
        "check", "--deploy", "--fail-level", "DEBUG",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **PRODUCTION,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_warns_when_https_is_left_off(tmp_path):
    result = manage(
        "check", "--deploy",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **{**PRODUCTION, "NEWSROOM_HTTPS": ""},
    )  # fmt: skip
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W008" in result.stderr + result.stdout


SECURITY = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
    "s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS)"
)


def test_plain_http_is_the_default_so_make_run_works_on_a_laptop():
    result = run_python(SECURITY, DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "0", "False", "False", "False", "False", "None", "[]"]


def test_the_https_switch_turns_on_redirect_hsts_and_secure_cookies():
    result = run_python(
        SECURITY,
        **PRODUCTION,
        NEWSROOM_HSTS_SECONDS="600",
        NEWSROOM_HSTS_PRELOAD="0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True", "600", "True", "False", "True", "True",
        "('HTTP_X_FORWARDED_PROTO',", "'https')", "['https://news.example.org']",
    ]  # fmt: skip


def test_the_admin_lives_at_the_configured_address():
    result = run_python(
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'), reverse('admin:login'))",
        DJANGO_SECRET_KEY="x" * 50,
        NEWSROOM_ADMIN_URL="/desk-7f3a/",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/desk-7f3a/", "/desk-7f3a/login/"]


@pytest.mark.parametrize(
    ("name", "value", "sentence"),
    [
        (
            "NEWSROOM_ADMIN_URL",
            "news/",
            "NEWSROOM_ADMIN_URL must be a path of letters, digits and - . _ ~ such as desk-7f3a/ "
            "that no reader's page uses, not 'news/'.",
        ),
        (
            "NEWSROOM_ADMIN_URL",
            "my admin/<x>",
            "NEWSROOM_ADMIN_URL must be a path of letters, digits and - . _ ~ such as desk-7f3a/ "
            "that no reader's page uses, not 'my admin/<x>'.",
        ),
        ("NEWSROOM_ADMIN_URL", "/", "NEWSROOM_ADMIN_URL must be a path of letters"),
        (
            "NEWSROOM_PROXY_SSL_HEADER",
            "X-Forwarded-Proto: https",
            "NEWSROOM_PROXY_SSL_HEADER must be a header name such as X-Forwarded-Proto, not "
            "'X-Forwarded-Proto: https'.",
        ),
        (
            "NEWSROOM_CSRF_TRUSTED_ORIGINS",
            "news.example.org",
            "each of NEWSROOM_CSRF_TRUSTED_ORIGINS must be a scheme and host such as "
            "https://news.example.org, not 'news.example.org'.",
        ),
        ("NEWSROOM_HSTS_SECONDS", "a year", "NEWSROOM_HSTS_SECONDS must be a whole number"),
        ("NEWSROOM_LOGIN_FAILURE_LIMIT", "0", "NEWSROOM_LOGIN_FAILURE_LIMIT must be 1 or more"),
        ("NEWSROOM_LOGIN_COOLOFF_MINUTES", "-5", "NEWSROOM_LOGIN_COOLOFF_MINUTES must be 1 or"),
        ("NEWSROOM_MAX_QUERY_STRING", "lots", "NEWSROOM_MAX_QUERY_STRING must be a whole number"),
        ("NEWSROOM_IMAGE_MAX_MB", "0", "NEWSROOM_IMAGE_MAX_MB must be 1 or more, not 0."),
        (
            "NEWSROOM_CONSENT_SCRIPTS",
            "stats.example/s.js",
            "each of NEWSROOM_CONSENT_SCRIPTS must be a category and a script address",
        ),
        (
            "NEWSROOM_CONSENT_MODE_TAG_URL",
            "gtag.js",
            "NEWSROOM_CONSENT_MODE_TAG_URL must be an address such as",
        ),
    ],
)
def test_a_security_setting_start_up_cannot_use_stops_with_one_sentence(name, value, sentence):
    result = run_python("import django; django.setup()", **{**PRODUCTION, name: value})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Newsroom cannot start: {sentence}")


def test_consented_hosts_join_the_reader_csp_but_not_the_admin_s():
    result = run_python(
        "import django, json; django.setup(); from django.conf import settings; "
        "p = settings.CONTENT_SECURITY_POLICY['DIRECTIVES']; a = settings.NEWSROOM_ADMIN_CSP; "
        "print(json.dumps([p['script-src'], p['connect-src'], a['img-src'], a['connect-src']]))",
        **PRODUCTION,
        NEWSROOM_CONSENT_SCRIPTS="analytics=https://stats.example/s.js",
        NEWSROOM_CONSENT_MODE="basic",
        NEWSROOM_CONSENT_MODE_TAG_ID="G-TEST123",
    )

    assert result.returncode == 0, result.stderr
    hosts = ["https://stats.example", "https://www.googletagmanager.com"]
    assert json.loads(result.stdout) == [
        ["'self'", *hosts],
        ["'self'", *hosts],
        ["'self'", "data:"],
        ["'self'"],
    ]
