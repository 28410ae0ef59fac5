"""`manage.py backup` / `manage.py restore`: a restored backup holds every row, a bad file
changes nothing.

The round trip restores into a fresh, empty database through the real command in a subprocess
(PostgreSQL when the suite runs on it, on a scratch database; otherwise a new SQLite file), then
reads it back with `dumpdata` and compares with the original, row for row.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from newsroom.consent.models import ConsentRecord
from newsroom.news.models import Article, Author, RelatedLink
from newsroom.operations.backup import BackupError, backup, default_path, restore
from tests.browser import run_manage
from tests.factories import make_article, make_author, make_user

DUMPED = ["news", "taggit", "consent", "auth.user", "auth.group"]
ON_POSTGRESQL = connection.vendor == "postgresql"


def fill() -> None:
    writer = make_user(role="Writer")
    jane, wire = make_author(name="Jane Reporter", bio="Covers defence."), make_author()
    for n in range(5):
        make_article(
            title=f"Backed-up story {n}",
            body=f'<p>Story {n} with <a href="https://example.com/{n}">a link</a>.</p>',
            authors=[jane, wire] if n % 2 else [jane],
            tags=["Defence", f"Topic {n}"],
            related=[(f"Related {n}", f"https://example.com/related/{n}"), ("Bare headline", "")],
            created_by=writer,
        )
    make_article(title="An unpublished draft", status=Article.Status.DRAFT)
    for n, method in enumerate(ConsentRecord.Method.values):
        ConsentRecord.objects.create(
            consent_id=f"consent-{n}",
            policy_version="1",
            choices={"analytics": bool(n % 2), "marketing": False},
            method=method,
            gpc=method == ConsentRecord.Method.GPC,
            language="en-gb",
        )


def dumped_here() -> list[dict]:
    out = StringIO()
    call_command("dumpdata", *DUMPED, stdout=out)
    return json.loads(out.getvalue())


@contextmanager
def fresh_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a site whose database is new and empty (not even migrated)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env["DJANGO_SECRET_KEY"] = "backup-test-" + "x" * 40
    if not ON_POSTGRESQL:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        yield env
        return
    import psycopg

    config = connection.settings_dict
    name = f"{config['NAME']}_restored"[:63]
    server = f"postgres://{config['USER']}@{config['HOST']}:{config['PORT'] or 5432}"
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = config["PASSWORD"]
    with psycopg.connect(
        f"{server}/postgres", password=config.get("PASSWORD") or None, autocommit=True
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            env["DATABASE_URL"] = f"{server}/{name}"
            yield env
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_holds_every_row(tmp_path):
    fill()
    expected = dumped_here()
    path = backup(tmp_path / "site.backup")
    assert {r["model"] for r in expected} >= {
        "news.article",
        "news.author",
        "news.byline",
        "news.relatedlink",
        "taggit.tag",
        "taggit.taggeditem",
        "consent.consentrecord",
    }

    with fresh_database(tmp_path) as env:
        restored = run_manage(env, "restore", str(path))
        assert restored.returncode == 0, restored.stderr
        dumped = run_manage(env, "dumpdata", *DUMPED)
        assert dumped.returncode == 0, dumped.stderr
    assert json.loads(dumped.stdout) == expected


@pytest.mark.django_db(transaction=True)
def test_the_backup_command_writes_a_timestamped_file_by_default(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    make_article(title="One story")
    out = StringIO()
    call_command("backup", stdout=out)
    [written] = (tmp_path / "backups").iterdir()
    assert written.suffix == (".dump" if ON_POSTGRESQL else ".sqlite3")
    assert str(written) in out.getvalue()
    assert default_path().parent == tmp_path / "backups"


def garbled(tmp_path: Path) -> Path:
    path = tmp_path / "garbled.sqlite3"
    path.write_bytes(os.urandom(8192))
    return path


def truncated(tmp_path: Path) -> Path:
    good = backup(tmp_path / "good.backup")
    path = tmp_path / "truncated.backup"
    path.write_bytes(good.read_bytes()[:1500])
    return path


def other_engine(tmp_path: Path) -> Path:
    path = tmp_path / "other.backup"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100 if ON_POSTGRESQL else b"PGDMP\x01\x0e")
    return path


def not_a_newsroom_database(tmp_path: Path) -> Path:
    import sqlite3

    path = tmp_path / "other-app.sqlite3"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE notes (text)")
    other.close()
    return path


BAD_FILES = {
    "missing": (lambda tmp_path: tmp_path / "nowhere.sqlite3", "no such file"),
    "a directory": (lambda tmp_path: tmp_path, "is a directory"),
    "empty": (lambda tmp_path: (tmp_path / "empty").touch() or tmp_path / "empty", "not a"),
    "garbled": (garbled, "not a Newsroom backup"),
    "truncated": (truncated, "damaged"),
    "of the other engine": (other_engine, "backup, but this site's database is"),
}
if not ON_POSTGRESQL:
    BAD_FILES["another application's database"] = (not_a_newsroom_database, "not a Newsroom")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_in_one_line_and_changes_nothing(case, tmp_path):
    make_article(title="Still here")
    make_file, reason = BAD_FILES[case]
    path = make_file(tmp_path)
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path))
    message = str(refused.value)
    assert "\n" not in message
    assert reason in message
    assert message.endswith("(nothing was changed)")
    assert list(Article.objects.values_list("title", flat=True)) == ["Still here"]


def test_the_restore_command_exits_1_with_one_line_and_no_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env["DJANGO_SECRET_KEY"] = "backup-test-" + "x" * 40
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    result = run_manage(env, "restore", str(garbled(tmp_path)))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert "not a Newsroom backup" in result.stderr
    assert (
        not (tmp_path / "site.sqlite3").exists() or (tmp_path / "site.sqlite3").stat().st_size == 0
    )


@pytest.mark.django_db(transaction=True)
def test_a_backup_to_an_unwritable_place_says_so(tmp_path):
    with pytest.raises(BackupError, match="is a directory"):
        backup(tmp_path)
    assert not list(tmp_path.iterdir())


@pytest.mark.django_db(transaction=True)
def test_restoring_brings_back_rows_deleted_since_the_backup(tmp_path):
    author = make_author(name="Kept Author")
    make_article(title="Kept story", authors=[author], related=[("Kept link", "")])
    path = backup(tmp_path / "before.backup")
    Article.objects.all().delete()
    Author.objects.all().delete()
    make_article(title="Written after the backup")

    restore(path)

    assert list(Article.objects.values_list("title", flat=True)) == ["Kept story"]
    assert list(Author.objects.values_list("name", flat=True)) == ["Kept Author"]
    assert list(RelatedLink.objects.values_list("title", flat=True)) == ["Kept link"]
