"""Purges of shared caches in front (Varnish with xkey), by tag, off the editor's request.

`NEWSROOM_PURGE_URLS` lists the caches (comma-separated, e.g. `http://127.0.0.1:6081/`). When a
change commits, each gets a `PURGE` request naming the retired tags in an `xkey-purge` header
(deploy/varnish/newsroom.vcl answers it for allowed addresses only). The requests go from a
background thread, so a cache that is slow or down never delays or fails the save: a failed
purge is logged and tried again with growing pauses. Each purge is sent once more a moment
later (`NEWSROOM_PURGE_REPEAT_SECONDS`), so a page a reader's request rendered from the rows as
they were just before the commit, and that reached the cache after the first purge, goes too.
"""

from __future__ import annotations

import atexit
import heapq
import itertools
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger("newsroom.pagecache.purge")

HEADER = "xkey-purge"
TIMEOUT_SECONDS = 3
# Pauses before the 2nd, 3rd, ... try of a purge that failed: about two minutes in all.
RETRY_PAUSES = (1, 2, 4, 8, 15, 30, 60)
# Tags per request: a header of a few kilobytes at most.
TAGS_PER_REQUEST = 200


def urls() -> list[str]:
    return list(getattr(settings, "NEWSROOM_PURGE_URLS", []) or [])


def purge(tags: Iterable[str]) -> None:
    """Queue purges of `tags` at every configured cache."""
    targets = urls()
    tags = sorted(set(tags))
    if not targets or not tags:
        return
    repeat = float(getattr(settings, "NEWSROOM_PURGE_REPEAT_SECONDS", 2))
    for url in targets:
        for start in range(0, len(tags), TAGS_PER_REQUEST):
            batch = tuple(tags[start : start + TAGS_PER_REQUEST])
            _worker.put(Job(url=url, tags=batch))
            if repeat > 0:
                _worker.put(Job(url=url, tags=batch), delay=repeat)


def send(url: str, tags: Iterable[str]) -> int:
    """One PURGE request; the status code. Raises OSError (URLError) when the cache does not
    answer or refuses."""
    request = urllib.request.Request(url, method="PURGE", headers={HEADER: " ".join(tags)})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return response.status


@dataclass(frozen=True)
class Job:
    url: str
    tags: tuple[str, ...]
    attempt: int = 0


class Worker:
    """One daemon thread per process, sending queued purges in order of when they are due."""

    def __init__(self):
        self.condition = threading.Condition()
        self.queue: list[tuple[float, int, Job]] = []
        self.counter = itertools.count()
        self.thread: threading.Thread | None = None
        self.busy = 0

    def put(self, job: Job, *, delay: float = 0) -> None:
        with self.condition:
            heapq.heappush(self.queue, (time.monotonic() + delay, next(self.counter), job))
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="newsroom-purge", daemon=True)
                self.thread.start()
            self.condition.notify()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no purge is queued or under way (tests); whether that happened in time."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while self.queue or self.busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.condition.wait(min(left, 0.05))
        return True

    def _run(self) -> None:
        while True:
            with self.condition:
                while not self.queue or self.queue[0][0] > time.monotonic():
                    wait = self.queue[0][0] - time.monotonic() if self.queue else None
                    self.condition.wait(wait)
                _, _, job = heapq.heappop(self.queue)
                self.busy += 1
            try:
                self._send(job)
            finally:
                with self.condition:
                    self.busy -= 1
                    self.condition.notify_all()

    def _send(self, job: Job) -> None:
        try:
            send(job.url, job.tags)
        except (OSError, ValueError) as error:
            if job.attempt < len(RETRY_PAUSES):
                pause = RETRY_PAUSES[job.attempt]
                logger.warning(
                    "Purge of %d tag(s) at %s failed (%s); trying again in %ss",
                    len(job.tags),
                    job.url,
                    error,
                    pause,
                )
                retry = Job(url=job.url, tags=job.tags, attempt=job.attempt + 1)
                self.put(retry, delay=pause)
            else:
                logger.error(
                    "Purge of %d tag(s) at %s failed %d times (%s); that cache keeps those pages "
                    "until they expire",
                    len(job.tags),
                    job.url,
                    job.attempt + 1,
                    error,
                )


_worker = Worker()
# A command (an import, a shell) that exits right after a change still sends its purges (a
# cache that is down is not waited for long: a process being stopped must stop).
atexit.register(lambda: _worker.wait_idle(5))


def wait_idle(timeout: float = 10) -> bool:
    return _worker.wait_idle(timeout)
