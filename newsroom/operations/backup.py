"""Back up the configured database while the site runs, and restore a backup into it.

SQLite is copied with its online backup API (`sqlite3.Connection.backup`): a consistent copy
taken page by page under SQLite's own locking, safe while readers and writers carry on, unlike
copying the file (which can catch a half-written page or miss the WAL). PostgreSQL is dumped with
`pg_dump` in its custom format and restored with `pg_restore` in one transaction.

A restore checks the file completely before it touches anything: a missing, truncated or garbled
file, or a backup of the other engine, is refused with one sentence and the database is left as
it was. A backup is written to a temporary name and renamed when complete, so a backup that
failed half-way never looks like a good one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
SQLITE_SUFFIX = ".sqlite3"
PG_SUFFIX = ".dump"


class BackupError(Exception):
    """A backup or restore that cannot be done; `str()` is one line for the person running it."""


def engine(using: str = "default") -> str:
    """ "sqlite" or "postgresql": the engines this module can back up."""
    name = connections[using].vendor
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def default_path(using: str = "default") -> Path:
    """backups/<UTC timestamp>.sqlite3 (or .dump) in the project folder."""
    suffix = SQLITE_SUFFIX if engine(using) == "sqlite" else PG_SUFFIX
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    return Path(settings.BASE_DIR) / "backups" / f"{stamp}{suffix}"


def backup(output: Path | str | None = None, *, using: str = "default") -> Path:
    """Write a backup of the database to `output` (default: `default_path()`); its path."""
    path = Path(output) if output else default_path(using)
    if path.exists() and path.is_dir():
        raise BackupError(f"{path} is a directory; give a file name for the backup")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    # A temporary name beside the target, renamed only once the copy is complete.
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    try:
        if engine(using) == "sqlite":
            _backup_sqlite(Path(temporary), using)
        else:
            _backup_postgresql(Path(temporary), using)
        os.replace(temporary, path)
    except OSError as exc:
        raise BackupError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path


def restore(source: Path | str, *, using: str = "default") -> None:
    """Replace the database's contents with the backup in `source`, or change nothing."""
    path = Path(source)
    kind = _backup_kind(path)
    current = engine(using)
    if kind != current:
        other = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"{path} is a {other[kind]} backup, but this site's database is {other[current]}"
        )
    if kind == "sqlite":
        _restore_sqlite(path, using)
    else:
        _restore_postgresql(path, using)


def _backup_kind(path: Path) -> str:
    try:
        if path.is_dir():
            raise BackupError(f"{path} is a directory, not a backup file")
        if not path.is_file():
            raise BackupError(f"{path}: no such file")
        with path.open("rb") as stream:
            header = stream.read(len(SQLITE_HEADER))
    except PermissionError:
        raise BackupError(f"{path}: permission denied") from None
    except OSError as exc:
        raise BackupError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if header.startswith(SQLITE_HEADER):
        return "sqlite"
    if header.startswith(PG_DUMP_HEADER):
        return "postgresql"
    raise BackupError(f"{path} is not a Newsroom backup (neither a SQLite file nor a pg_dump)")


# SQLite


def _backup_sqlite(target: Path, using: str) -> None:
    connection = connections[using]
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        # Through Django's own connection, so its settings (WAL, timeout) apply to the copy.
        connection.connection.backup(destination)
        # Restores and other tools should find one self-contained file, not a WAL database.
        destination.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"the SQLite backup failed: {exc}") from None
    finally:
        destination.close()


def _restore_sqlite(path: Path, using: str) -> None:
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened as a SQLite database: {exc}") from None
    try:
        try:
            check = source.execute("PRAGMA integrity_check").fetchone()[0]
            has_migrations = source.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        except sqlite3.Error as exc:
            raise BackupError(f"{path} is damaged: {exc}") from None
        if check != "ok":
            raise BackupError(f"{path} is damaged: SQLite's integrity check says {check!r}")
        if not has_migrations:
            raise BackupError(f"{path} is a SQLite file but not a Newsroom database")
        connection = connections[using]
        connection.close()
        connection.ensure_connection()
        try:
            # The backup API writes the whole copy under one write lock: readers see the old
            # database or the restored one, never a mixture.
            source.backup(connection.connection)
        except sqlite3.Error as exc:
            raise BackupError(f"the restore failed: {exc}") from None
        finally:
            connection.close()
    finally:
        source.close()


# PostgreSQL


def _pg_environment(using: str) -> tuple[dict[str, str], str]:
    """libpq's environment for the configured database, and the database name."""
    config = connections[using].settings_dict
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if config.get(key):
            env[variable] = str(config[key])
    return env, config["NAME"]


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return tool


def _run(command: list[str], env: dict[str, str], failure: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = next((line for line in result.stderr.splitlines() if line.strip()), "no message")
        raise BackupError(f"{failure}: {detail}")


def _backup_postgresql(target: Path, using: str) -> None:
    env, name = _pg_environment(using)
    _run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", name],
        env,
        "pg_dump failed",
    )


def _restore_postgresql(path: Path, using: str) -> None:
    env, name = _pg_environment(using)
    pg_restore = _pg_tool("pg_restore")
    # Reading the whole table of contents catches a truncated or garbled dump before any change.
    _run([pg_restore, "--list", str(path)], env, f"{path} is damaged")
    connections[using].close()
    # One transaction: an error part-way rolls back everything pg_restore did.
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={name}",
            str(path),
        ],
        env,
        "the restore failed",
    )
