"""Tag versions: the one record of when each tag was last retired, shared by every process.

Each tag has a version in the cache: a number from a counter that every retirement moves on. A
stored page keeps the versions of its tags as they were when it was stored, and is served only
while every one is unchanged. Retiring a tag gives it the next number, so every page carrying it
is gone on the next request, whichever process or server stored it. A page one of whose tags was
retired after its render started is not stored: it may show the rows as they were before. (The
counter starts from the clock in nanoseconds, so a counter the cache lost starts again above
every number it gave out.)

With Redis every process reads the same versions. With the in-process cache each gunicorn worker
has its own, so retirements are also appended to a small journal file beside the SQLite database
(or in the temp directory for another database); every worker checks its size with one stat() per
request and applies the lines it has not seen. A journal that grows past a limit is started
afresh, and a process that sees that forgets every page it holds.

`retire()` acts at once and again when the surrounding transaction commits: a reader rendering
between the two would otherwise store the old rows under the new versions. The commit-time
retirement also purges shared caches in front (purge.py) and, with a read replica, starts a short
settling time during which pages are read from the primary.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone

from newsroom import routers

from . import purge, registry

try:
    from redis import RedisError

    # A shared cache that stops answering costs readers the cache, never the page.
    CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError,)
except ImportError:  # pragma: no cover - redis is a dependency; locmem raises nothing
    CACHE_ERRORS = ()

logger = logging.getLogger("newsroom.pagecache")

TAG_PREFIX = "newsroom:tag:"
# When the next change with time is due, and up to when the last one was applied.
SCHEDULE_KEY = "newsroom:pages:schedule"
# Until when pages come from the primary after a change (the read replica's lag).
SETTLE_KEY = "newsroom:pages:settle"
# The shared counter (Redis); with the in-process cache each process counts for itself.
COUNTER_KEY = "newsroom:pages:counter"
# The journal is started afresh past this size (each line is one change's tags).
JOURNAL_LIMIT_BYTES = 1 << 20
# Past this many tags, a process's own table of versions is started afresh.
LOCAL_VERSIONS_LIMIT = 500_000
# Not a tag: the next change with time must be looked up again.
RESCHEDULE = "@reschedule"


def enabled() -> bool:
    return bool(getattr(settings, "NEWSROOM_PAGE_CACHE", True))


def max_seconds() -> int:
    return int(getattr(settings, "NEWSROOM_PAGE_CACHE_SECONDS", 600))


def settle_seconds() -> int:
    """How long after a change pages come from the primary: the replica's lag (none without)."""
    if not routers.replica_configured():
        return 0
    return int(getattr(settings, "NEWSROOM_REPLICA_LAG_SECONDS", 5))


def tag_key(tag: str) -> str:
    return f"{TAG_PREFIX}{_journal_epoch()}:{tag}"


# --- Reading versions ---


def current(tags: Iterable[str]) -> dict[str, int]:
    """The versions held for `tags` (a tag not known is left out): in this process's own
    table with the in-process cache (its pages are its own too), else in the shared cache."""
    if _journal() is not None:
        table = _local_versions
        return {tag: table[tag] for tag in tags if tag in table}
    keys = {tag_key(tag): tag for tag in tags}
    found = cache.get_many(list(keys))
    return {keys[key]: value for key, value in found.items() if isinstance(value, int)}


def _add(tag: str, number: int) -> None:
    """Give `tag` a version unless it has one."""
    if _journal() is not None:
        _local_versions.setdefault(tag, number)
    else:
        cache.add(tag_key(tag), number, timeout=None)


def _write(tags: Iterable[str], number: int) -> None:
    if _journal() is None:
        cache.set_many({tag_key(tag): number for tag in tags}, timeout=None)
        return
    if len(_local_versions) > LOCAL_VERSIONS_LIMIT:
        # Forgetting every version only costs each stored page one more render.
        _local_versions.clear()
    _local_versions.update(dict.fromkeys(tags, number))


# Tag versions of a process using the in-process cache (kept in step by the journal).
_local_versions: dict[str, int] = {}


def lookup_keys() -> list[str]:
    """What a page lookup fetches besides the page, having applied the journal: the schedule
    and the counter (not with the in-process cache, whose schedule and counter are this
    process's own); the replica's settling time (only with a replica)."""
    keys = [] if sync() is not None else [SCHEDULE_KEY, COUNTER_KEY]
    if settle_seconds():
        keys.append(SETTLE_KEY)
    return keys


def stored_schedule(found: dict):
    """The schedule as it stands: `found` is what the page lookup fetched."""
    if _journal() is not None:
        return _local_schedule.get(SCHEDULE_KEY)
    return found.get(SCHEDULE_KEY)


def _read_schedule():
    if _journal() is not None:
        return _local_schedule.get(SCHEDULE_KEY)
    return cache.get(SCHEDULE_KEY)


def _write_schedule(value: tuple) -> None:
    if _journal() is not None:
        _local_schedule[SCHEDULE_KEY] = value
    else:
        cache.set(SCHEDULE_KEY, value, timeout=None)


# The schedule of a process using the in-process cache, kept in step by the journal like its
# versions: read on every request, so kept here rather than behind the cache's key checks.
_local_schedule: dict[str, tuple] = {}


def started(found: dict) -> int:
    """The counter as a render starts: `found` is what the page lookup fetched."""
    if _journal() is not None:
        return _local_counter["value"]
    value = found.get(COUNTER_KEY)
    return value if isinstance(value, int) else 0


def _next_number() -> int:
    if _journal() is not None:
        with _counter_lock:
            _local_counter["value"] += 1
            return _local_counter["value"]
    try:
        return cache.incr(COUNTER_KEY)
    except ValueError:
        cache.add(COUNTER_KEY, time.time_ns(), timeout=None)
        return cache.incr(COUNTER_KEY)


_counter_lock = threading.Lock()
_local_counter = {"value": time.time_ns()}


def ensure(tags: Iterable[str], *, started: int) -> dict[str, int] | None:
    """The versions of `tags` for a page whose render started when the counter stood at
    `started`, giving tags the cache does not know one. None if one was retired since."""
    tags = set(tags)
    versions = current(tags)
    for tag in tags - versions.keys():
        _add(tag, started)
    if len(versions) < len(tags):
        versions = current(tags)
        if len(versions) < len(tags):
            return None
    if any(value > started for value in versions.values()):
        return None
    return versions


def version_of(tag: str) -> int | None:
    """A token for `tag` that stays the same until the tag is retired, in this process or
    another. A process may keep what it read from the database under it. None when the cache
    does not answer: read afresh."""
    try:
        sync()
        value = current([tag]).get(tag)
        if value is None:
            # The counter as it stands, so pages rendering now stay storable, also when they
            # read several tags the cache did not know (the consent banner's and the
            # breaking-news banner's; moving the counter on here made the second one newer
            # than the render). Two tags may share a number: a token is only compared with its
            # own tag's. A tag never gets back a number it had: a retirement moves the counter
            # past the numbers it gives (`_apply`), and forgetting every tag moves it on too.
            _add(tag, started({COUNTER_KEY: cache.get(COUNTER_KEY)}))
            value = current([tag]).get(tag)
    except CACHE_ERRORS:
        return None
    return value


# --- Retiring ---


def retire(tags: Iterable[str]) -> None:
    """Retire `tags`: now, and again (with a purge of shared caches) when the current
    transaction commits."""
    tags = {t for t in tags if t}
    if not tags:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _committed(tags)
        return
    _retire_now(tags)
    # One callback per transaction, however many rows it changes: an import of 10,000 stories
    # queues one retirement of the union of their tags, not 10,000. (A rollback drops the
    # callback, and what it would have retired, with the rest.)
    queued = next(
        (entry[1] for entry in connection.run_on_commit if hasattr(entry[1], "newsroom_tags")),
        None,
    )
    if queued is None:
        pending: set[str] = set()

        def queued() -> None:
            _committed(pending)

        queued.newsroom_tags = pending
        transaction.on_commit(queued)
    queued.newsroom_tags |= tags


def _committed(tags: set[str]) -> None:
    # The committing process asks when the next change with time is due (one indexed query),
    # so no reader's request has to: the change may have scheduled a story.
    try:
        upcoming = registry.next_change(timezone.now())
    except DatabaseError:
        logger.warning(
            "Next scheduled change unknown: looked up on the next request", exc_info=True
        )
        upcoming, tags = None, tags | {RESCHEDULE}
    _retire_now(tags, upcoming=upcoming)
    seconds = settle_seconds()
    if seconds:
        try:
            cache.set(SETTLE_KEY, timezone.now() + timedelta(seconds=seconds), timeout=seconds)
        except CACHE_ERRORS:
            logger.warning("Page cache unreachable: replica settling not recorded", exc_info=True)
    purge.purge(tags - {RESCHEDULE})


def _retire_now(
    tags: set[str], *, upcoming: datetime | None = None, checked_at: datetime | None = None
) -> None:
    journal = _journal()
    try:
        if journal is None:
            _apply(tags, upcoming, checked_at)
        else:
            # Caught up first, so that this change is read back as news, not as the past.
            journal.sync(_apply, _forget_everything)
            journal.append(tags, upcoming, checked_at)
            journal.sync(_apply, _forget_everything)
    except CACHE_ERRORS:
        # The save stands; pages stored before it may be served for up to the cap.
        logger.exception(
            "Page cache unreachable: cached pages may be up to %s seconds stale", max_seconds()
        )


def _apply(
    tags: Iterable[str], upcoming: datetime | None, checked_at: datetime | None = None
) -> None:
    """Give each tag a new version in this cache; bring the next change with time forward to
    `upcoming` if it is sooner (never later: two changes committing at once may each have
    missed the other's story, and looking once too often costs one query). With `checked_at`,
    the schedule was looked at up to then, and `upcoming` is what it found next."""
    tags = set(tags)
    _write(tags - {RESCHEDULE}, _next_number())
    # Past every number a tag holds: a tag given the counter as it stands (`version_of`) never
    # gets one a retired tag had.
    _next_number()
    stored = _read_schedule()
    if not (isinstance(stored, tuple) and len(stored) == 2):
        return  # the next request works it out
    if checked_at is not None:
        # Another process applied what fell due: this one need not do it again.
        if stored[1] < checked_at:
            _write_schedule((upcoming, checked_at))
        return
    if RESCHEDULE in tags:
        upcoming = timezone.now()
    if upcoming is not None and (stored[0] is None or upcoming < stored[0]):
        _write_schedule((upcoming, stored[1]))


def _forget_everything() -> None:
    # A new epoch names every tag afresh: no stored page's versions match any more. The counter
    # moves on, so a tag given a number again (`version_of`) never gets back one it had: what a
    # process kept under the old number may be stale.
    _journals["epoch"] = int(_journals.get("epoch", 0)) + 1
    _local_versions.clear()
    with _counter_lock:
        _local_counter["value"] += 1


def _journal_epoch() -> int:
    return int(_journals.get("epoch", 0))


def sync() -> Journal | None:
    """Apply the retirements other processes have written since this one last looked: one
    stat() when there are none (nothing to do with a shared cache, None)."""
    journal = _journal()
    if journal is not None:
        journal.sync(_apply, _forget_everything)
    return journal


def forget_schedule() -> None:
    """Forget this process's schedule (in-process cache): the next lookup works it out from
    the database. For tests, whose rolled-back rows leave a schedule no change recorded."""
    _local_schedule.clear()


def settings_changed(setting, **kwargs) -> None:
    # Only tests change settings at run time; a page rendered under the old ones is stale, and
    # the cache or database (so the journal) may be another.
    _journals.pop("memo", None)
    forget_schedule()
    _forget_everything()


# --- The journal (in-process cache only) ---


class Journal:
    """An append-only file of retirements, one line of space-separated tags each."""

    def __init__(self, path: Path):
        self.path = path
        self.identity: tuple[int, int] | None = None
        self.offset = 0
        self.lock = threading.Lock()

    def append(
        self,
        tags: Iterable[str],
        upcoming: datetime | None = None,
        checked_at: datetime | None = None,
    ) -> None:
        words = sorted(tags)
        if upcoming is not None:
            words.append(f"@{upcoming.timestamp()!r}")
        if checked_at is not None:
            words.append(f"!{checked_at.timestamp()!r}")
        line = (" ".join(words) + "\n").encode()
        try:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                # One write with O_APPEND: lines from two processes never interleave.
                os.write(descriptor, line)
                size = os.fstat(descriptor).st_size
            finally:
                os.close(descriptor)
            if size > JOURNAL_LIMIT_BYTES:
                self._start_afresh()
        except OSError:
            logger.exception(
                "Page cache journal %s not writable: other processes keep old pages", self.path
            )

    def _start_afresh(self) -> None:
        fresh = self.path.with_name(f"{self.path.name}.{os.getpid()}.new")
        fresh.touch()
        os.replace(fresh, self.path)

    def sync(self, apply, forget) -> None:
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            # None yet: whatever file appears next is read from its start.
            self.identity, self.offset = (0, 0), 0
            return
        except OSError:
            logger.warning("Page cache journal %s unreadable", self.path, exc_info=True)
            return
        identity = (status.st_dev, status.st_ino)
        if identity == self.identity and status.st_size == self.offset:
            return
        with self.lock:
            if self.identity is None:
                # A new process holds no pages yet: what came before it does not concern it.
                self.identity, self.offset = identity, status.st_size
                return
            if identity != self.identity or status.st_size < self.offset:
                forget()
                self.identity, self.offset = identity, 0
            self._read(apply)

    def _read(self, apply) -> None:
        try:
            with open(self.path, "rb") as journal:
                journal.seek(self.offset)
                chunk = journal.read()
        except OSError:
            logger.warning("Page cache journal %s unreadable", self.path, exc_info=True)
            return
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.decode(errors="replace").splitlines():
            words = set(line.split())
            tags = {w for w in words if not w.startswith(("@", "!"))} | (words & {RESCHEDULE})
            upcoming = next((_moment(w[1:]) for w in words - tags if w[0] == "@"), None)
            checked_at = next((_moment(w[1:]) for w in words if w[0] == "!"), None)
            if tags or upcoming or checked_at:
                apply(tags, upcoming, checked_at)


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(text), tz=UTC)
    except (ValueError, OverflowError):
        return None


_journals: dict[str, object] = {}


def _journal() -> Journal | None:
    """The journal this process shares with the others serving the same database, when its
    cache is its own (local memory); None with a shared cache (Redis)."""
    # Asked several times on every request, so the answer is kept for this process until a
    # setting changes (`settings_changed`; only tests change them at run time).
    memo = _journals.get("memo")
    if memo is not None and memo[0] == os.getpid():
        return memo[1]  # type: ignore[index]
    backend, database = caches[DEFAULT_CACHE_ALIAS], connections[DEFAULT_DB_ALIAS]
    # Worked out again only when the cache or database is another. Django gives each thread
    # its own cache object; in-process ones of one location share their storage (`_cache`),
    # and so share one journal reader: a reader made afresh for each thread would skip the
    # lines appended while another thread was reading.
    storage = getattr(backend, "_cache", None) if isinstance(backend, LocMemCache) else None
    known = (type(backend), id(storage), database.vendor, database.settings_dict["NAME"])
    known += (os.getpid(),)
    if _journals.get("known") != known:
        path = journal_path(backend, database)
        _journals["known"], _journals["journal"] = known, Journal(path) if path else None
    _journals["memo"] = (os.getpid(), _journals["journal"])
    return _journals["journal"]  # type: ignore[return-value]


def journal_path(backend, database) -> Path | None:
    if not isinstance(backend, LocMemCache):
        return None
    name = str(database.settings_dict["NAME"])
    if database.vendor == "sqlite" and not database.is_in_memory_db():
        return Path(f"{name}-pagecache-journal")
    # An in-memory database belongs to one process; a server's, to every process using it.
    owner = os.getpid() if database.vendor == "sqlite" else ""
    where = f"{database.vendor}|{database.settings_dict.get('HOST')}|{name}|{owner}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"newsroom-pagecache-{digest}.journal"


# --- Changes that come with time ---


def schedule_state(stored, *, now: datetime) -> datetime | None:
    """Apply what fell due since the schedule was last looked at, and return when the next
    change is due. `stored` is the schedule as the page lookup found it (`stored_schedule`)."""
    if isinstance(stored, tuple) and len(stored) == 2:
        upcoming, checked_at = stored
        if upcoming is None or now < upcoming:
            return upcoming
    else:
        # Unknown (a new cache): anything that went live within a stored page's lifetime.
        checked_at = now - timedelta(seconds=max_seconds())
    # From the primary: a replica that is behind would miss what just went live.
    tags = registry.due(checked_at, now)
    upcoming = registry.next_change(now)
    if tags:
        # Nothing to commit: time moved, not data. Other processes hear of it in the journal.
        # Shared caches in front need no purge: no page's s-maxage reached past this moment.
        _retire_now(tags, upcoming=upcoming, checked_at=now)
    _write_schedule((upcoming, now))
    return upcoming
