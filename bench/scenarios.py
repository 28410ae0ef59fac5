"""The four benchmarks of issue 6, each a function that returns its report section.

Everything Django does happens in child processes (bench/jobs.py, gunicorn), each with the
environment of its scenario: the database URL, the page-cache switch, DEBUG off. This process
only prepares folders, starts and loads servers, and does the arithmetic.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import load
from .results import Check, Section, table
from .stories import story_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/bench"


class BenchError(Exception):
    """A step that could not run; the message says which and shows the child's last words."""


@dataclass(kw_only=True)
class Plan:
    """How much of everything one run does: the full run, or --quick for a smoke test."""

    rounds: int = 3
    seconds: float = 5.0
    warmup: float = 2.0
    reader_stories: int = 300
    import_sizes: tuple[int, int] = (1_000, 10_000)
    editor_wait_stories: int = 1_000
    sizes: tuple[int, int] = (1_000, 100_000)
    repeat: int = 5
    profile_import: bool = False

    @classmethod
    def quick(cls) -> Plan:
        return cls(
            rounds=2,
            seconds=1.0,
            warmup=1.0,
            reader_stories=50,
            import_sizes=(100, 1_000),
            editor_wait_stories=200,
            sizes=(500, 5_000),
            repeat=2,
        )


@dataclass(kw_only=True)
class Run:
    """The temporary folder of one run and the environment every child starts from."""

    folder: Path
    plan: Plan
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        inherited = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        self.env = {
            **inherited,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
            # The test client's host, beside loopback.
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "NEWSROOM_STATIC_ROOT": str(self.folder / "static"),
            "NEWSROOM_MEDIA_ROOT": str(self.folder / "media"),
            "NEWSROOM_PAGE_CACHE": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.template = self.folder / "template.sqlite3"

    def sqlite_url(self, path: Path) -> str:
        return f"sqlite:///{path}"

    def job(
        self, name: str, args: dict | None = None, *, timeout: float | None = None, **env: str
    ) -> dict:
        """Run one job of bench/jobs.py in a child with this run's environment plus `env`.

        A job still running after `timeout` seconds is killed; what it had written so far
        comes back with "stopped_after" set.
        """
        stem = self.folder / f"job-{name}-{time.monotonic_ns()}"
        args_path, out_path = stem.with_suffix(".args.json"), stem.with_suffix(".out.json")
        args_path.write_text(json.dumps(args or {}), encoding="utf-8")
        try:
            result = subprocess.run(
                [sys.executable, "-m", "bench.jobs", name, str(args_path), str(out_path)],
                cwd=ROOT,
                env={**self.env, **env},
                capture_output=True,
                text=True,
                check=False,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            partial = json.loads(out_path.read_text(encoding="utf-8")) if out_path.exists() else {}
            return {**partial, "stopped_after": timeout}
        if result.returncode != 0 or not out_path.exists():
            raise BenchError(f"job {name} failed:\n{(result.stderr or result.stdout)[-4000:]}")
        return json.loads(out_path.read_text(encoding="utf-8"))

    def prepare(self) -> None:
        """Static files once (pages name hashed files), and a migrated SQLite file to copy."""
        self.job("collectstatic")
        self.job("migrate", DATABASE_URL=self.sqlite_url(self.template))

    def fresh_sqlite(self, name: str) -> str:
        path = self.folder / f"{name}.sqlite3"
        shutil.copyfile(self.template, path)
        return self.sqlite_url(path)


def say(text: str) -> None:
    print(text, flush=True)


# Readers --------------------------------------------------------------------------------------

STORY_CACHED, STORY_FLOOR, STORY_QUERIES = 0.8, 0.13, 4
PEAK_RSS_MIB, RSS_GROWTH_MIB = 120.0, 2.0


def readers(run: Run) -> tuple[Section, Section]:
    """Story and home page under load, cache off and on, against the floor; workers' memory."""
    plan = run.plan
    database = run.fresh_sqlite("readers")
    say(f"readers: a site of the seed story and {plan.reader_stories} generated stories")
    site = run.job("readers_site", {"stories": plan.reader_stories}, DATABASE_URL=database)
    urls = [site["story"], site["home"]]
    queries = {
        cache: run.job("queries", {"urls": urls}, DATABASE_URL=database, NEWSROOM_PAGE_CACHE=cache)
        for cache in ("0", "1")
    }
    logs = run.folder / "gunicorn.log"
    servers = {
        "floor": load.Server("floor", "bench.floor:application", env=run.env, log=logs),
        "off": load.Server(
            "site, cache off",
            "newsroom.wsgi:application",
            env={**run.env, "DATABASE_URL": database, "NEWSROOM_PAGE_CACHE": "0"},
            log=logs,
        ),
        "on": load.Server(
            "site, cache on",
            "newsroom.wsgi:application",
            env={**run.env, "DATABASE_URL": database, "NEWSROOM_PAGE_CACHE": "1"},
            log=logs,
        ),
    }
    targets = [
        ("floor", "floor", "/"),
        ("story, cache off", "off", site["story"]),
        ("story, cache on", "on", site["story"]),
        ("home, cache off", "off", site["home"]),
        ("home, cache on", "on", site["home"]),
    ]
    rates: dict[str, list[float]] = {name: [] for name, _, _ in targets}
    faults: dict[str, list[int]] = {name: [0, 0] for name, _, _ in targets}
    memory: dict[str, list[float]] = {key: [] for key in servers}
    with servers["floor"], servers["off"], servers["on"]:
        for name, key, path in targets:
            status, _ = servers[key].wait_until_serving(path)
            if status != 200:
                raise BenchError(f"{name}: {path} answered {status}, not 200")
            load.run_load(servers[key].url(path), seconds=plan.warmup)
        say(f"readers: {plan.rounds} rounds of {plan.seconds:g} s per page, interleaved")
        for round_number in range(1, plan.rounds + 1):
            for name, key, path in targets:
                result = load.run_load(servers[key].url(path), seconds=plan.seconds)
                rates[name].append(result.per_second)
                faults[name][0] += result.non_2xx
                faults[name][1] += result.errors
            for key, server in servers.items():
                peaks = server.peak_rss_mib()
                memory[key].append(max(peaks.values(), default=0.0))
            say(
                f"  round {round_number}: "
                + ", ".join(f"{name} {rates[name][-1]:,.0f}/s" for name, _, _ in targets)
            )

    def vs_floor(name: str) -> float:
        # Each round's rate against the floor's rate in the same round, then the median: a
        # burst of other work on the machine hits one round of every page alike, so the
        # per-round ratios stay steady where the per-page medians would not.
        return statistics.median(r / f for r, f in zip(rates[name], rates["floor"], strict=True))

    rows = []
    for name, key, path in targets:
        median = statistics.median(rates[name])
        counted = queries["1" if key == "on" else "0"].get(path) if key != "floor" else None
        sql = "0 (no database)" if counted is None else _queries_cell(counted, cached=key == "on")
        rows.append(
            [
                name,
                " / ".join(f"{r:,.0f}" for r in rates[name]),
                f"{median:,.0f}",
                f"{vs_floor(name):.2f}x",
                str(faults[name][0]),
                str(faults[name][1]),
                sql,
            ]
        )
    story_off_queries = queries["0"][site["story"]]["counts"][-1]
    readers_section = Section(
        title="Readers: requests per second against the Django floor",
        text=[
            f"gunicorn, {load.WORKERS} sync workers, DJANGO_DEBUG=0, SQLite; the seed story and "
            f"{plan.reader_stories} generated stories. Load: {load.describe_load_tool()}; "
            f"{plan.warmup:g} s warm-up, then {plan.rounds} interleaved rounds of "
            f"{plan.seconds:g} s per page. Floor: bench/floor.py, a bare Django view returning "
            "a fixed 10 KB page, served the same way.",
            table(
                [
                    "page",
                    "req/s per round",
                    "median req/s",
                    "vs floor (median of rounds)",
                    "non-2xx",
                    "socket errors",
                    "SQL queries",
                ],
                rows,
            ),
        ],
        checks=[
            Check(
                name="story, cache on, vs floor",
                value=vs_floor("story, cache on"),
                op=">=",
                target=STORY_CACHED,
                unit="x",
            ),
            Check(
                name="story, cache off, vs floor",
                value=vs_floor("story, cache off"),
                op=">=",
                target=STORY_FLOOR,
                unit="x",
            ),
            Check(
                name="story, cache off, SQL queries",
                value=story_off_queries,
                op="<=",
                target=STORY_QUERIES,
            ),
        ],
    )
    memory_section = _memory_section(servers, memory)
    return readers_section, memory_section


def _queries_cell(counted: dict, *, cached: bool) -> str:
    first, *_, warm = counted["counts"]
    if cached:
        return f"{first} filling the cache, {warm} from it"
    return str(warm) + (f" ({first} on a worker's first request)" if first != warm else "")


def _memory_section(servers: dict, memory: dict[str, list[float]]) -> Section:
    rows, checks = [], []
    for key, peaks in memory.items():
        growth = peaks[-1] - peaks[0]
        rows.append([servers[key].name, " / ".join(f"{p:.1f}" for p in peaks), f"{growth:+.1f}"])
        if key == "floor":
            continue
        checks.append(
            Check(
                name=f"worker peak RSS, {servers[key].name}",
                value=max(peaks),
                op="<",
                target=PEAK_RSS_MIB,
                unit=" MiB",
            )
        )
        checks.append(
            Check(
                name=f"peak RSS growth, first to last round, {servers[key].name}",
                value=growth,
                op="<=",
                target=RSS_GROWTH_MIB,
                unit=" MiB",
            )
        )
    return Section(
        title="Memory: peak RSS per gunicorn worker",
        text=[
            "VmHWM from /proc/<pid>/status of each worker after each reader round (the larger "
            "of the two workers). Flat means it grows by at most "
            f"{RSS_GROWTH_MIB:g} MiB from the first round to the last.",
            table(["server", "peak RSS per round (MiB)", "growth (MiB)"], rows),
        ],
        checks=checks,
    )


# Import ---------------------------------------------------------------------------------------

IMPORT_SHARE, IMPORT_SCALING = 0.5, 11.0
IMPORT_MAX_SECONDS = 240
IMPORT_MIN_CAP_SECONDS = 60


def write_stories(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    rng = random.Random(6)
    for number_ in range(count):
        (folder / f"story-{number_:06d}.txt").write_text(story_text(rng, number_), encoding="utf-8")


def imports(run: Run) -> Section:
    """import_paths end to end against bleach.clean alone on the same texts."""
    plan = run.plan
    small, big = plan.import_sizes
    allowed = IMPORT_SCALING * big / small / 10
    results = {}
    for size in plan.import_sizes:
        folder = run.folder / f"import-{size}"
        write_stories(folder, size)
        say(f"import: {size:,} generated stories")
        profile = plan.profile_import and size == small
        timeout = None
        if size == big:
            # Past the target the figure is a MISS whatever it is: stop a slow import there,
            # so the run keeps to its ten minutes. The job's own start-up (Django, a fresh
            # database, bleach's timing) is not in the import's seconds, so a fast import gets
            # at least a minute rather than being cut off by its fixed costs.
            timeout = min(
                IMPORT_MAX_SECONDS,
                max(IMPORT_MIN_CAP_SECONDS, (allowed + 1) * results[small]["import_seconds"]),
            )
        results[size] = run.job(
            "import_stories",
            {"folder": str(folder), "profile": profile},
            timeout=timeout,
            DATABASE_URL=run.fresh_sqlite(f"import-{size}"),
        )
        shutil.rmtree(folder)
    rows, checks, notes = [], [], []
    for size, result in results.items():
        stopped = result.get("stopped_after")
        seconds = stopped or result["import_seconds"]
        imported = size / seconds
        cleaned = size / result["bleach_seconds"] if "bleach_seconds" in result else None
        share = imported / cleaned if cleaned else None
        bound = "< " if stopped else ""
        rows.append(
            [
                f"{size:,}",
                f"> {seconds:.0f} s (stopped)" if stopped else f"{seconds:.1f} s",
                f"{bound}{imported:,.0f}",
                f"{result['bleach_seconds']:.1f} s" if cleaned else "-",
                f"{cleaned:,.0f}" if cleaned else "-",
                f"{bound}{share:.0%}" if share else "-",
            ]
        )
        if stopped:
            notes.append(
                f"The {size:,}-story import was stopped after {stopped:.0f} s, past "
                f"{allowed:g}x the {small:,}-story time: its figures are bounds."
            )
        if share is not None and (not stopped or share < IMPORT_SHARE):
            checks.append(
                Check(
                    name=f"import of {size:,}, share of bleach-alone throughput"
                    + (" (at most)" if stopped else ""),
                    value=100 * share,
                    op=">=",
                    target=100 * IMPORT_SHARE,
                    unit=" %",
                )
            )
    stopped = results[big].get("stopped_after")
    scaling = (stopped or results[big]["import_seconds"]) / results[small]["import_seconds"]
    if stopped and scaling <= allowed:
        notes.append(
            f"The {big:,}/{small:,} time ratio is not measured: the run's cap of "
            f"{IMPORT_MAX_SECONDS} s came first (at least {scaling:.1f}x)."
        )
    else:
        checks.append(
            Check(
                name=f"import time, {big:,} / {small:,} stories"
                + (" (at least)" if stopped else ""),
                value=scaling,
                op="<=",
                target=allowed,
                unit="x",
            )
        )
    text = [
        "`newsroom.ingest.importing.import_paths(..., publish=True)` on generated seed-like "
        'files (headline, Separator and img lines, paragraphs, two "Also Read" links, the '
        "cookie blurb; about 2.8 KB each) into a fresh, migrated SQLite database, against "
        "`bleach.clean` with its defaults (`sanitize.bleach_defaults`) on the same texts in "
        "the same process.",
        table(
            [
                "stories",
                "import time",
                "imported/s",
                "bleach time",
                "bleached/s",
                "import vs bleach",
            ],
            rows,
        ),
        *notes,
    ]
    profiled = next((r["profile"] for r in results.values() if "profile" in r), None)
    if profiled:
        text.append(f"Profile of the {small:,}-story import (cProfile, cumulative):")
        text.append("```\n" + _trim_profile(profiled) + "\n```")
    return Section(title="Import: stories per second", text=text, checks=checks)


EDITOR_SAVE_PAUSE = 0.01


def editor_wait(run: Run) -> Section:
    """How long an editor's save waits while an import writes, on SQLite."""
    size = run.plan.editor_wait_stories
    say(f"import: an editor's saves during an import of {size:,} generated stories")
    return editor_wait_section(size, measure_editor_wait(run, size))


def measure_editor_wait(run: Run, size: int) -> dict:
    folder = run.folder / "editor-wait"
    write_stories(folder, size)
    try:
        return run.job(
            "editor_wait",
            {"folder": str(folder), "pause": EDITOR_SAVE_PAUSE},
            DATABASE_URL=run.fresh_sqlite("editor-wait"),
        )
    finally:
        shutil.rmtree(folder)


def editor_wait_section(size: int, result: dict) -> Section:
    waits = result["waits_ms"]
    import_seconds = result["end"] - result["start"]
    locked_seconds = result["end"] - result["begin"]
    rows = [
        [
            f"{size:,}",
            f"{import_seconds:.1f} s",
            f"{locked_seconds:.2f} s ({locked_seconds / import_seconds:.0%})",
            f"{result['transaction_cpu']:.2f} s",
            f"{len(waits):,}",
            f"{statistics.median(waits):.1f} ms" if waits else "-",
            f"{max(waits):,.0f} ms" if waits else "-",
            f"{result['idle_ms']:.1f} ms",
        ]
    ]
    text = [
        f"`import_paths(..., publish=True)` of {size:,} generated files in one process, on a "
        "fresh SQLite file (WAL, IMMEDIATE transactions); in another process, with its own "
        "connection, an editor's save as the admin makes it (`Article.save()` in its own "
        f"transaction) again and again, {EDITOR_SAVE_PAUSE * 1000:.0f} ms apart, for as long "
        "as the import runs. The write transaction runs from its BEGIN to the import's return; "
        "a save that comes while it is open waits for its commit, and a little past it: "
        "SQLite's busy handler retries with growing sleeps, of up to 100 ms.",
        table(
            [
                "stories",
                "import time",
                "write transaction (share of the import)",
                "importer's CPU in it",
                "saves during the import",
                "median save",
                "longest save",
                "save, no import",
            ],
            rows,
        ),
    ]
    return Section(title="Import: an editor's save while an import writes", text=text)


def _trim_profile(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(lines[start : start + 26])


# Size -----------------------------------------------------------------------------------------

SIZE_TIME_RATIO = 2.0


def postgres_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def postgres_version() -> tuple[str, str | None]:
    """The server's version, or (None, why) when it does not answer."""
    try:
        import psycopg
    except ImportError:
        return "", "psycopg is not installed"
    try:
        with psycopg.connect(_maintenance_url(), connect_timeout=3) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            return row[0], None
    except psycopg.Error as exc:
        return "", f"PostgreSQL does not answer at {_maintenance_url()}: {str(exc).strip()}"


def _maintenance_url() -> str:
    base, _, _ = postgres_url().rpartition("/")
    return f"{base}/postgres"


def _recreate_postgres_database() -> None:
    import psycopg
    from psycopg import sql

    name = postgres_url().rpartition("/")[2].split("?")[0]
    with psycopg.connect(_maintenance_url(), autocommit=True, connect_timeout=5) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def sizes(run: Run, *, postgres: bool) -> Section:
    """The public pages at the small and the big size, on SQLite and PostgreSQL."""
    plan = run.plan
    engines: list[tuple[str, str]] = [("SQLite", "sqlite")]
    text = []
    if postgres:
        _, why_not = postgres_version()
        if why_not:
            say(f"size: PostgreSQL skipped: {why_not}")
            text.append(f"PostgreSQL skipped: {why_not}.")
        else:
            engines.append(("PostgreSQL", "postgres"))
    else:
        text.append("PostgreSQL skipped: --no-postgres.")
    args = {"sizes": list(plan.sizes), "repeat": plan.repeat}
    small, big = plan.sizes
    rows, checks = [], []
    generation = []
    for label, engine in engines:
        say(f"size: {label}, {small:,} then {big:,} stories")
        if engine == "sqlite":
            url = run.fresh_sqlite("size")
        else:
            _recreate_postgres_database()
            url = postgres_url()
            run.job("migrate", DATABASE_URL=url)
        result = run.job("size_pages", args, DATABASE_URL=url)
        at_small, at_big = result["sizes"]
        generation.append(
            f"{label}: {at_big['stories']:,} stories generated in "
            f"{at_small['generate_seconds'] + at_big['generate_seconds']:.0f} s"
        )
        for page, one in at_small["pages"].items():
            other = at_big["pages"][page]
            ratio = other["ms"] / one["ms"]
            failed = {one["status"], other["status"]} - {200}
            rows.append(
                [
                    label,
                    page + (f" (HTTP {', '.join(map(str, sorted(failed)))})" if failed else ""),
                    f"`{other['url']}`",
                    f"{one['queries']} / {other['queries']}",
                    f"{one['ms']:.1f} / {other['ms']:.1f}",
                    f"{one['sql_ms']:.1f} / {other['sql_ms']:.1f}",
                    f"{ratio:.2f}x",
                ]
            )
            checks.append(
                Check(
                    name=f"{label} {page}: queries at {big:,}",
                    value=other["queries"],
                    op="==",
                    target=one["queries"],
                )
            )
            checks.append(
                Check(
                    name=f"{label} {page}: time {big:,} / {small:,}",
                    value=ratio,
                    op="<=",
                    target=SIZE_TIME_RATIO,
                    unit="x",
                )
            )
    text = [
        f"Published stories bulk-generated (bylines, topics and the search index filled) to "
        f"{small:,} and then {big:,}; each page fetched in-process with Django's test client, "
        f"page cache off, median of {plan.repeat} after one warm-up request (of 2 for a page "
        "slower than a quarter of a second). The topic and "
        "author shown are busy ones (about one story in twenty-five); search looks for a word "
        "in one story in a hundred. " + "; ".join(generation) + ".",
        *text,
        table(
            [
                "database",
                "page",
                "address",
                f"SQL queries {small:,} / {big:,}",
                f"ms {small:,} / {big:,}",
                f"of which SQL (1 ms steps), ms {small:,} / {big:,}",
                "time ratio",
            ],
            rows,
        ),
    ]
    return Section(title=f"Size: {small:,} and {big:,} stories", text=text, checks=checks)
