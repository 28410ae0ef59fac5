"""Breaking news: readers spread over every story while an editor saves one, and Varnish in front.

Two figures of issue 11, each a ratio within one run. The long tail: readers pick a story page
at random among all of them (wrk with bench/spread.lua), 10 s while nobody edits, 10 s while one
story is saved twice a second through the model (a child process, as the admin would), then
10 s quiet again; editing over the mean of the quiet phases, with the in-process cache and with
Redis. Through Varnish: the story page served by Varnish (deploy/varnish/newsroom.vcl in front
of gunicorn, every request a hit) against nginx serving the very same bytes as a static file.
"""

from __future__ import annotations

import os
import statistics
import threading
import urllib.request
from dataclasses import dataclass

from . import load
from .results import Check, Section, table

LONG_TAIL_TARGET = 0.8
VARNISH_TARGET = 0.5
SAVES_PER_SECOND = 2
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
HEADER = [
    "cache",
    "quiet req/s (before / after)",
    "editing req/s",
    "editing vs quiet",
    "saves",
    "non-2xx + errors",
]


def sections(run) -> list[Section]:
    from .scenarios import say

    plan = run.plan
    database = run.fresh_sqlite("breaking")
    say(f"breaking news: a site of the seed story and {plan.reader_stories} generated stories")
    site = run.job("readers_site", {"stories": plan.reader_stories}, DATABASE_URL=database)
    paths = run.job("story_paths", DATABASE_URL=database)["paths"]
    paths_file = run.folder / "story-paths.txt"
    paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    env = {**run.env, "DATABASE_URL": database, "NEWSROOM_PAGE_CACHE": "1"}
    return [
        long_tail(run, env=env, paths=paths, paths_file=paths_file),
        through_varnish(run, env=env, path=site["story"]),
    ]


def _redis(url: str) -> str | None:
    """Empty the bench's Redis database; why it cannot be used, or None."""
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=3).flushdb()
    except Exception as error:
        return f"Redis at {url} did not answer ({error})"
    return None


def long_tail(run, *, env: dict[str, str], paths: list[str], paths_file) -> Section:
    from .scenarios import say

    plan = run.plan
    phase = plan.seconds * 2
    edited = paths[len(paths) // 2].strip("/").split("/")[-1]
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    backends = {"in-process cache": {}, "Redis": {"REDIS_URL": redis_url}}
    rows, checks = [], []
    for name, extra in backends.items():
        why_not = None if load.load_tool() == "wrk" else "wrk is not installed"
        if why_not is None and "REDIS_URL" in extra:
            why_not = _redis(redis_url)
        if why_not:
            rows.append([name, "-", "-", "-", "-", f"not measured: {why_not}"])
            checks.append(_check(f"long tail while editing, {name}", float("nan")))
            continue
        say(f"long tail, {name}: {len(paths)} story pages, {phase:g} s per phase")
        logs = run.folder / "gunicorn.log"
        app = "newsroom.wsgi:application"
        with load.Server(f"site, {name}", app, env={**env, **extra}, log=logs) as server:
            server.wait_until_serving(paths[0])
            args = {"slug": edited, "seconds": phase + 3, "per_second": SAVES_PER_SECOND}
            editor = BackgroundJob(run, "edit_story", args, env={**env, **extra})
            phases = quiet_busy_quiet(
                server.url(""), paths_file, seconds=phase, warmup=plan.warmup, job=editor
            )
        quiet, editing, ratio, faults = phases.quiet, phases.busy, phases.ratio, phases.faults
        saves = {"saves": 0, "seconds": 0.0, **phases.result}
        rows.append(
            [
                name,
                f"{quiet[0].per_second:,.0f} / {quiet[1].per_second:,.0f}",
                f"{editing.per_second:,.0f}",
                f"{ratio:.2f}x",
                f"{saves['saves']} in {saves['seconds']:.1f} s",
                str(faults),
            ]
        )
        checks.append(_check(f"long tail while editing, {name}", ratio))
    return Section(
        title="Breaking news: readers over every story while an editor saves one",
        text=[
            f"gunicorn, {load.WORKERS} sync workers, page cache on, SQLite; readers pick one of "
            f"{len(paths)} story pages at random for every request (wrk, {load.CONNECTIONS} "
            f"connections, bench/spread.lua). {phase:g} s quiet, {phase:g} s while one story "
            f"is saved {SAVES_PER_SECOND} times a second through the model by another process, "
            f"{phase:g} s quiet again. A save retires only the pages that show the story.",
            table(
                [
                    "cache",
                    "quiet req/s (before / after)",
                    "editing req/s",
                    "editing vs quiet",
                    "saves",
                    "non-2xx + errors",
                ],
                rows,
            ),
        ],
        checks=checks,
    )


def _check(name: str, value: float) -> Check:
    return Check(name=name, value=value, op=">=", target=LONG_TAIL_TARGET, unit="x")


@dataclass(frozen=True, kw_only=True)
class Phases:
    """Readers' rates while nobody writes (before and after) and while a job writes."""

    quiet: list[load.Load]
    busy: load.Load
    result: dict

    @property
    def ratio(self) -> float:
        """The busy rate over the mean of the quiet ones."""
        mean_quiet = statistics.mean(q.per_second for q in self.quiet)
        return self.busy.per_second / mean_quiet if mean_quiet else 0.0

    @property
    def faults(self) -> int:
        return sum(r.non_2xx + r.errors for r in (*self.quiet, self.busy))


def quiet_busy_quiet(
    base: str, paths_file, *, seconds: float, warmup: float, job: BackgroundJob
) -> Phases:
    """Readers spread over `paths_file` for `seconds` while nobody writes, as long again while
    `job` writes, and as long quiet again (after a warm-up that stores every page in both
    workers)."""
    load.run_spread_load(base, paths_file, seconds=max(warmup, 3))
    quiet = [load.run_spread_load(base, paths_file, seconds=seconds)]
    job.start()
    job.wait_ready()
    busy = load.run_spread_load(base, paths_file, seconds=seconds)
    result = job.finish()
    quiet.append(load.run_spread_load(base, paths_file, seconds=seconds))
    return Phases(quiet=quiet, busy=busy, result=result)


class BackgroundJob(threading.Thread):
    """A job of bench/jobs.py in a child process, on a thread of this one, while readers load."""

    def __init__(self, run, name: str, args: dict, *, env: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.run_, self.name_, self.args, self.env = run, name, args, env
        self.result: dict | None = None
        self.error: Exception | None = None
        self.ready = threading.Event()

    def run(self) -> None:
        # The child takes about a second to start Django; the readers' phase starts after.
        threading.Timer(1.5, self.ready.set).start()
        try:
            self.result = self.run_.job(self.name_, self.args, **self.env)
        except Exception as error:
            self.error = error

    def wait_ready(self) -> None:
        self.ready.wait()

    def finish(self) -> dict:
        self.join()
        if self.error:
            raise self.error
        return self.result or {}


def through_varnish(run, *, env: dict[str, str], path: str) -> Section:
    from .scenarios import say

    plan = run.plan
    why_not = load.varnish_missing() or load.nginx_missing()
    if load.load_tool() != "wrk":
        why_not = why_not or "wrk is not installed"
    if why_not:
        return Section(
            title="Through Varnish: the story page against nginx serving the same bytes",
            text=[f"Not measured: {why_not}."],
            checks=[_varnish_check(float("nan"))],
        )
    say(f"through Varnish: {path} against nginx, {plan.rounds} rounds of {plan.seconds:g} s")
    logs = run.folder / "gunicorn.log"
    rates: dict[str, list[float]] = {"varnish": [], "nginx": []}
    with load.Server("site, cache on", "newsroom.wsgi:application", env=env, log=logs) as server:
        server.wait_until_serving(path)
        with load.Varnish(run.folder / "varnish", backend_port=server.port) as varnish:
            with urllib.request.urlopen(varnish.url(path), timeout=30) as response:
                body = response.read()
            root = run.folder / "nginx-root"
            target = root / path.strip("/") / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            with load.Nginx(run.folder / "nginx", root=root) as nginx:
                urls = {"varnish": varnish.url(path), "nginx": nginx.url(path)}
                for url in urls.values():
                    load.run_load(url, seconds=plan.warmup)
                for _ in range(plan.rounds):
                    for key, url in urls.items():
                        rates[key].append(load.run_load(url, seconds=plan.seconds).per_second)
            with urllib.request.urlopen(varnish.url(path), timeout=30) as response:
                hit = response.headers.get("X-Cache")
    ratio = statistics.median(v / n for v, n in zip(rates["varnish"], rates["nginx"], strict=True))
    rows = [
        [name, " / ".join(f"{r:,.0f}" for r in rates[key]), f"{statistics.median(rates[key]):,.0f}"]
        for name, key in (("Varnish (newsroom.vcl)", "varnish"), ("nginx, static file", "nginx"))
    ]
    return Section(
        title="Through Varnish: the story page against nginx serving the same bytes",
        text=[
            f"varnishd -s malloc,64m with deploy/varnish/newsroom.vcl in front of gunicorn "
            f"(page cache on); nginx with {load.WORKERS} workers serving the {len(body):,} bytes "
            f"Varnish returned, as a file. {plan.rounds} interleaved rounds of {plan.seconds:g} s "
            f"(wrk, {load.CONNECTIONS} connections). Varnish's answer after the load: {hit}.",
            table(["server", "req/s per round", "median req/s"], rows),
        ],
        checks=[_varnish_check(ratio)],
    )


def _varnish_check(value: float) -> Check:
    return Check(
        name="story through Varnish vs nginx", value=value, op=">=", target=VARNISH_TARGET, unit="x"
    )
