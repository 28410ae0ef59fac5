"""Helpers for the tests that drive real Chromium against a real server (not a test module).

The server is gunicorn on the WSGI entry point with a throwaway SQLite file, prepared with
`manage.py` commands exactly as `make run` prepares it. Chromium is Debian's (/usr/bin/chromium),
driven by Playwright; without it the browser tests skip with the reason, unless
NEWSROOM_REQUIRE_BROWSER is set (CI sets it), in which case they fail: in CI a missing browser
must never pass for a green run.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("NEWSROOM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def unavailable() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not Path(CHROMIUM).is_file():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    return None


def skip_unless_available(what: str, missing: str | None, *, required_by: tuple[str, ...]) -> None:
    """Skip a test whose tool is missing, saying why; fail instead where one of `required_by`
    is set in the environment (CI sets them), so CI can never pass by skipping."""
    if not missing:
        return
    if any(os.environ.get(name) for name in required_by):
        pytest.fail(f"{what} required but unavailable: {missing}")
    pytest.skip(f"{what} unavailable: {missing}")


def require_browser() -> None:
    skip_unless_available("browser", unavailable(), required_by=("NEWSROOM_REQUIRE_BROWSER",))


@contextmanager
def launch_chromium(*extra_flags: str) -> Iterator:
    """Chromium with the house flags, and `extra_flags` (e.g. --host-resolver-rules)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_FLAGS, *extra_flags]
        )
        try:
            yield chromium
        finally:
            chromium.close()


def server_env(workdir: Path) -> dict[str, str]:
    """The environment of a server whose database and media live in `workdir`."""
    return {
        # The developer's own DJANGO_* and DATABASE_* settings must not leak into the test site.
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SECRET_KEY": "browser-test-secret-key-" + "x" * 30,
        "DATABASE_URL": f"sqlite:///{workdir / 'site.sqlite3'}",
        "NEWSROOM_MEDIA_ROOT": str(workdir / "media"),
    }


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run a manage.py command in its own process with `env`; the finished process."""
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def manage(env: dict[str, str], *args: str) -> str:
    """Run a manage.py command against the test site; its output, or a failure that shows it."""
    result = run_manage(env, *args)
    if result.returncode != 0:
        pytest.fail(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# Migrated databases to copy, by the environment they were migrated in (less where it lives).
_migrated: dict[frozenset, Path] = {}
_PLACE = ("DATABASE_URL", "NEWSROOM_MEDIA_ROOT")


def migrate(env: dict[str, str]) -> None:
    """Migrate the test site's SQLite database (a fresh file): a copy of one `manage.py migrate`
    made once per test run for the same settings, since each run of it costs about 1.7 s. The
    copy goes through SQLite's backup API, so it is whole whatever the journal mode."""
    target = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    if target.exists():
        raise RuntimeError(f"{target} exists: migrate() makes a fresh site's database")
    settings = frozenset((k, v) for k, v in env.items() if k not in _PLACE)
    template = _migrated.get(settings)
    if template is None:
        folder = Path(tempfile.mkdtemp(prefix="newsroom-migrated-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = folder / "site.sqlite3"
        manage({**env, "DATABASE_URL": f"sqlite:///{template}"}, "migrate", "-v0")
        _migrated[settings] = template
    source, copy = sqlite3.connect(template), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(env: dict[str, str], *, log: Path | None = None) -> Iterator[str]:
    """Gunicorn on 127.0.0.1 for the prepared site; yields its base URL. With `log`, the
    server's stderr (where Django logs) is kept in that file."""
    port = _free_port()
    log_file = log.open("w") if log else None
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "newsroom.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=log_file,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urlopen(base + "/", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    said = f":\n{log.read_text()}" if log else ""
                    raise RuntimeError(f"gunicorn did not start{said}") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        if log_file:
            log_file.close()


@contextmanager
def running_site(workdir: Path, *commands: tuple[str, ...]) -> Iterator[str]:
    """A fresh site: migrated, then each manage.py command run, then served by gunicorn."""
    require_browser()
    env = server_env(workdir)
    migrate(env)
    for command in commands:
        manage(env, *command)
    with serve(env) as base:
        yield base
