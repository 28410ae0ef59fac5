"""An import killed with SIGKILL half-way leaves the database as it was; a re-run completes it.

A real `manage.py import_seeds` runs in a subprocess on a SQLite file. It prints a flushed line
per file written (verbosity 2); after half of them the test kills it with SIGKILL, which no
handler can catch, so nothing in Python gets to roll back: the guarantee comes from the
import's single transaction and SQLite's journal alone.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.browser import ROOT, manage, migrate, server_env

STORIES = 240
# Well before the end, so the kill lands inside the transaction however slowly this process
# reads the progress lines on a loaded machine.
KILL_AFTER = 80


def write_stories(directory: Path, count: int, *, start: int = 0, edition: str = "") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        (directory / f"story-{n:04d}.txt").write_text(
            f"Crash-safety story number {n}{edition}\n\n"
            f"The standfirst of story {n}.\n\n"
            f"The first paragraph of story {n}, with <b>some</b> markup.\n\n"
            f"Also Read: Crash-safety story number {n + 1}\n\n"
            f"The last paragraph of story {n}.{edition}\n",
            encoding="utf-8",
        )


def database_snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table (search-index shadow tables included), in a fixed order."""
    connection = sqlite3.connect(db)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            )
        ]
        return {
            table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in sorted(tables)
        }
    finally:
        connection.close()


def integrity(db: Path) -> str:
    connection = sqlite3.connect(db)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def kill_import_half_way(env: dict[str, str], directory: Path) -> list[str]:
    """Start the import, read its progress, SIGKILL it after KILL_AFTER files; its output."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "import_seeds", "-v", "2", str(directory)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if len([x for x in lines if x.startswith("[")]) == KILL_AFTER:
                os.kill(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=60)
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL, "".join(lines)
    return lines


def test_a_killed_import_changes_nothing_and_a_rerun_completes_it(tmp_path):
    env = server_env(tmp_path)
    db = tmp_path / "site.sqlite3"
    migrate(env)
    # Earlier stories: five only in the earlier run, five that the big run would update.
    write_stories(tmp_path / "earlier", 10, start=STORIES - 5, edition=" (first edition)")
    manage(env, "import_seeds", "--publish", str(tmp_path / "earlier"))
    write_stories(tmp_path / "batch", STORIES)
    before = database_snapshot(db)

    lines = kill_import_half_way(env, tmp_path / "batch")

    assert f"[{KILL_AFTER}/{STORIES}] story-{KILL_AFTER - 1:04d}.txt: created" in lines[-1]
    assert integrity(db) == "ok"
    assert database_snapshot(db) == before

    output = manage(env, "import_seeds", str(tmp_path / "batch"))
    assert f"{STORIES - 5} created, 5 updated, 0 unchanged, 0 skipped." in output
    after = sqlite3.connect(db)
    try:
        names = [n for (n,) in after.execute("SELECT source_name FROM news_article")]
        titles = [t for (t,) in after.execute("SELECT title FROM news_article")]
        links = after.execute(
            "SELECT article_id, COUNT(*) FROM news_relatedlink GROUP BY article_id"
        ).fetchall()
    finally:
        after.close()
    expected = {f"story-{n:04d}.txt" for n in range(STORIES + 5)}
    assert sorted(names) == sorted(expected)
    assert len(set(titles)) == len(titles) == STORIES + 5
    assert {count for _, count in links} == {1}
    assert len(links) == STORIES + 5
    # A third run over the same files finds nothing to do.
    assert f"0 created, 0 updated, {STORIES} unchanged" in manage(
        env, "import_seeds", str(tmp_path / "batch")
    )
