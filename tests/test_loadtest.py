"""The short form of `make loadtest`: readers served while an import and admin saves run.

Five seconds, eight connections, forty stories, one editor: the same script as `make loadtest`
(bench/loadtest.py) in a subprocess, on SQLite always and also on PostgreSQL when the suite runs
on it (on a scratch database named after the suite's, created and dropped by the script).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench.loadtest import Result, form_fields

ROOT = Path(__file__).resolve().parent.parent
# The Python client makes the load: it needs nothing installed (wrk may be absent on CI).
SHORT = ["--duration", "5", "--connections", "8", "--stories", "40", "--editors", "1"]
SHORT += ["--client", "python"]


def engines() -> list[str]:
    return ["sqlite", "postgresql"] if connection.vendor == "postgresql" else ["sqlite"]


def scratch_postgres_url() -> str:
    config = connection.settings_dict
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    host = f"{config.get('HOST') or '127.0.0.1'}:{config.get('PORT') or 5432}"
    return f"postgres://{config['USER']}{password}@{host}/{config['NAME']}_loadtest"


@pytest.mark.parametrize("engine", engines())
def test_readers_lose_nothing_while_an_import_and_editors_write(engine):
    args = [*SHORT, "--engines", engine]
    if engine == "postgresql":
        args += ["--postgres-url", scratch_postgres_url(), "--require-postgresql"]
    result = subprocess.run(
        [sys.executable, "-m", "bench.loadtest", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "failed requests   0\n" in out
    assert "database locked   0 errors" in out
    assert "stories lost      0 (expected 64, present 64, duplicates 0)" in out
    assert ", 0 failed, 0 edits lost" in out
    assert "stale pages       0 " in out
    served = int(out.split("requests served")[1].split()[0])
    saves = int(out.split("admin saves")[1].split()[0])
    assert served > 0
    assert saves > 0
    assert out.rstrip().endswith("PASS")


def test_a_run_with_any_failure_does_not_pass():
    clean = Result(engine="x", requests=10, import_status=0, saves=1)
    assert clean.ok
    for spoil in (
        {"lost": 1},
        {"locked": 1},
        {"duplicates": 1},
        {"edits_lost": 1},
        {"import_status": 1},
        {"saves": 0},
        {"stale_pages": ["/"]},
    ):
        assert not Result(**{**clean.__dict__, **spoil}).ok
    failed = Result(engine="x", requests=10, import_status=0, saves=1)
    failed.failures["GET /: HTTP 500"] += 1
    assert not failed.ok


def test_the_admin_form_is_submitted_as_a_browser_would():
    page = """
    <form id="other"><input name="ignored" value="x"></form>
    <form id="article_form">
      <input type="hidden" name="csrfmiddlewaretoken" value="tok">
      <input name="title" value="A &amp; B">
      <input type="checkbox" name="lead_image_decorative">
      <input type="checkbox" name="ticked" checked>
      <input type="file" name="lead_image">
      <input type="submit" name="_save" value="Save">
      <input name="off" value="x" disabled>
      <textarea name="body">
<p>Body</p></textarea>
      <select name="status"><option value="draft">Draft</option>
        <option value="published" selected>Published</option></select>
      <select name="first"><option value="a">A</option><option value="b">B</option></select>
    </form>
    """
    assert form_fields(page, "article_form") == [
        ("csrfmiddlewaretoken", "tok"),
        ("title", "A & B"),
        ("ticked", "on"),
        ("body", "<p>Body</p>"),
        ("status", "published"),
        ("first", "a"),
    ]
