"""`make loadtest`: readers keep being served while an import and editors write.

For each database (SQLite in WAL mode; then PostgreSQL, on a scratch database this script
creates and drops, or a printed reason why not), a throwaway site is migrated, given a few
published stories and an editor account, and served by gunicorn. Then, at the same time:

- readers: CONNECTIONS keep-alive connections fetch the home page and story pages for
  DURATION seconds, as fast as the server answers (loopback only, a fixed duration), made by
  wrk when it is installed (its load costs the machine little CPU), else by a Python client;
- an import: the real `manage.py import_seeds --publish` of STORIES new files in a subprocess;
- editors: logged in through the admin login form, they open a story's change form and save it
  with a new standfirst (a real POST with the CSRF token and every field), over and over.

Then it prints requests served, requests/s, failed requests, "database is locked" errors (in
gunicorn's and the import's logs), stories lost (expected against present, duplicates too),
admin saves done, edits lost and stale pages (read afterwards, missing a save or the import),
and exits non-zero if any of those that must be zero is not.

Why gthread workers: readers hold keep-alive connections (a sync worker closes every connection
after one request), and on SQLite an admin save may wait for the import's write lock; with
threads that wait ties up one thread, not a whole worker process and the readers queued on it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
EDITOR = "loadtest-editor"
SEED_STORIES = 24
LOCKED = re.compile(r"database is locked", re.IGNORECASE)
# The last line of a traceback in a log: "package.module.SomeError: message".
EXCEPTION = re.compile(r"^[\w.]*(Error|Exception|Timeout)\b.*:")


class SetupFailed(Exception):
    """The test site could not be prepared; the message says which step and why."""


@dataclass(kw_only=True)
class Plan:
    duration: float
    connections: int
    stories: int
    editors: int
    workers: int
    threads: int
    client: str = "python"
    settings: str | None = None


@dataclass(kw_only=True)
class Result:
    engine: str
    requests: int = 0
    failures: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    slowest: tuple[float, str, float] = (0.0, "", 0.0)  # seconds, path, when (into the run)
    import_seconds: float = 0.0
    import_status: int | None = None
    import_error: str = ""
    locked: int = 0
    locked_context: list[str] = field(default_factory=list)
    server_errors: Counter = field(default_factory=Counter)
    latency_summary: str = ""  # wrk's, when wrk made the load
    expected: int = 0
    present: int = 0
    lost: int = 0
    duplicates: int = 0
    saves: int = 0
    save_failures: Counter = field(default_factory=Counter)
    edits_lost: int = 0
    stale_pages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            sum(self.failures.values())
            or self.import_status != 0
            or self.locked
            or self.lost
            or self.duplicates
            or sum(self.save_failures.values())
            or self.edits_lost
            or self.stale_pages
            or not self.saves
            or not self.requests
        )


# The site


def site_env(workdir: Path, database_url: str, settings: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    if settings:
        env["DJANGO_SETTINGS_MODULE"] = settings
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        NEWSROOM_MEDIA_ROOT=str(workdir / "media"),
        PYTHONUNBUFFERED="1",
    )
    static = Path(env.get("NEWSROOM_STATIC_ROOT") or workdir / "static")
    env["NEWSROOM_STATIC_ROOT"] = str(static)
    return env


def shell_json(env: dict[str, str], code: str):
    """Run `code` in `manage.py shell`; the JSON it prints last."""
    return json.loads(manage(env, "shell", "-v0", "-c", code).strip().splitlines()[-1])


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise SetupFailed(f"manage.py {args[0]} failed: {last}")
    return result.stdout


def write_stories(directory: Path, count: int, *, prefix: str) -> list[str]:
    """`count` scraped-style files; their names, which are the stories' import keys."""
    directory.mkdir(parents=True, exist_ok=True)
    names = []
    for n in range(count):
        name = f"{prefix}-{n:04d}.txt"
        paragraphs = "\n\n".join(
            f"Paragraph {p} of {prefix} story {n}: the council met on Tuesday to discuss the "
            f"harbour, the budget and the new railway line, and residents asked questions."
            for p in range(8)
        )
        (directory / name).write_text(
            f"Separator\n\n{prefix.capitalize()} story {n}: the harbour council meets\n\n"
            f"img\n\nA standfirst for story {n}.\n\n{paragraphs}\n\n"
            f"Also Read: {prefix.capitalize()} story {n + 1}: the harbour council meets\n\n"
            "Separator\n",
            encoding="utf-8",
        )
        names.append(name)
    return names


SITE_FACTS = """
import json
from django.contrib.auth.models import Group, User
from django.urls import reverse
from newsroom.news.models import Article
user = User.objects.create_user({username!r}, password={password!r}, is_staff=True)
user.groups.add(Group.objects.get(name="Editor"))
print(json.dumps({{
    "admin": reverse("admin:index"),
    "articles": [[a.pk, a.get_absolute_url()] for a in Article.objects.published()],
}}))
"""

STORIES_PRESENT = """
import json
from newsroom.news.models import Article
print(json.dumps({
    "names": list(Article.objects.values_list("source_name", flat=True)),
    "standfirsts": dict(Article.objects.values_list("pk", "standfirst")),
}))
"""


def prepare(env: dict[str, str], workdir: Path, password: str) -> dict:
    """Migrate, collect static files if needed, import the first stories, add the editor."""
    manage(env, "migrate", "--noinput", "-v0")
    static = Path(env["NEWSROOM_STATIC_ROOT"])
    if not (static / "staticfiles.json").exists():
        manage(env, "collectstatic", "--noinput", "-v0")
    write_stories(workdir / "first", SEED_STORIES, prefix="first")
    manage(env, "import_seeds", "--publish", str(workdir / "first"))
    facts = shell_json(env, SITE_FACTS.format(username=EDITOR, password=password))
    if len(facts["articles"]) != SEED_STORIES:
        raise SetupFailed(f"expected {SEED_STORIES} published stories, found {facts['articles']}")
    return facts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], plan: Plan, log: Path) -> Iterator[int]:
    port = free_port()
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "newsroom.wsgi:application",
                f"--bind={HOST}:{port}",
                "--worker-class=gthread",
                f"--workers={plan.workers}",
                f"--threads={plan.threads}",
                # Longer than the run, so the server never drops a reader's idle connection.
                "--keep-alive=120",
                "--timeout=120",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with socket.create_connection((HOST, port), timeout=1):
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SetupFailed(f"gunicorn did not start (see {log})") from None
                    time.sleep(0.1)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


# HTTP clients


class Client:
    """One keep-alive connection with its own cookies, like one browser tab."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(self, method: str, path: str, form: dict | list | None = None) -> tuple[int, str]:
        headers = {"Accept-Encoding": "identity", "Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def reconnect(self) -> None:
        """A new connection after a broken one; the cookies (the login) stay."""
        self.connection.close()
        self.connection = http.client.HTTPConnection(HOST, self.port, timeout=60)

    def close(self) -> None:
        self.connection.close()


def read_pages(
    port: int, paths: list[str], began: float, deadline: float, result: Result, lock
) -> None:
    client = Client(port)
    served, latencies, failures = 0, [], Counter()
    slowest = (0.0, "", 0.0)
    n = secrets.randbelow(len(paths))
    try:
        while time.monotonic() < deadline:
            path = paths[n % len(paths)]
            n += 1
            started = time.monotonic()
            try:
                status, _ = client.request("GET", path)
            except (OSError, http.client.HTTPException) as exc:
                failures[f"GET {path}: {type(exc).__name__}"] += 1
                client.reconnect()
                continue
            took = time.monotonic() - started
            latencies.append(took)
            slowest = max(slowest, (took, path, started - began))
            if status == 200:
                served += 1
            else:
                failures[f"GET {path}: HTTP {status}"] += 1
    finally:
        client.close()
    with lock:
        result.requests += served
        result.latencies.extend(latencies)
        result.slowest = max(result.slowest, slowest)
        result.failures.update(failures)


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def read_with_wrk(
    port: int, paths: list[str], plan: Plan, workdir: Path, result: Result, lock
) -> None:
    """The same reading done by wrk (C, so the load costs the machine far less CPU)."""
    script = workdir / "paths.lua"
    script.write_text(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    threads = min(4, plan.connections)
    output = subprocess.run(
        [
            "wrk",
            f"--threads={threads}",
            f"--connections={plan.connections}",
            f"--duration={plan.duration:g}s",
            "--timeout=60s",
            "--latency",
            f"--script={script}",
            f"http://{HOST}:{port}/",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    out = output.stdout
    completed = re.search(r"(\d+) requests in", out)
    if output.returncode != 0 or completed is None:
        with lock:
            result.failures[f"wrk failed: {(output.stderr or out).strip()[:200]}"] += 1
        return
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.MULTILINE))
    maximum = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out)
    with lock:
        result.requests += int(completed[1]) - (int(bad[1]) if bad else 0)
        if bad and int(bad[1]):
            result.failures["wrk: non-2xx/3xx responses"] += int(bad[1])
        if sockets:
            kinds = ("connect", "read", "write", "timeout")
            for kind, count in zip(kinds, sockets.groups(), strict=True):
                if int(count):
                    result.failures[f"wrk: socket {kind} errors"] += int(count)
        result.latency_summary = (
            f"p50 {percentiles.get('50', '?')}, p99 {percentiles.get('99', '?')}, "
            f"max {maximum[1] if maximum else '?'} (wrk)"
        )


class _FormFields(HTMLParser):
    """The fields a browser would submit from the form with id `form_id`, in order."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: tuple[str, list[str]] | None = None
        self._select: tuple[str, list[str], list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        if self._textarea is not None:
            # A textarea's content is text, even where it looks like a tag.
            self._textarea[1].append(self.get_starttag_text() or "")
            return
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if tag == "option" and self._select is not None and self.inside:
            value = a.get("value", "")
            self._select[2].append(value)
            if "selected" in a:
                self._select[1].append(value)
            return
        if not self.inside or "disabled" in a or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = (name, [])
        elif tag == "select":
            self._select = (name, [], [])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if self._textarea is not None and tag != "textarea":
            self._textarea[1].append(f"</{tag}>")
        elif tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            # A browser drops the one newline that may follow <textarea>.
            self.fields.append((name, "".join(parts).removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, selected, first = self._select
            for value in selected or first[:1]:
                self.fields.append((name, value))
            self._select = None


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    parser = _FormFields(form_id)
    parser.feed(html)
    parser.close()
    return parser.fields


def _error_summary(html: str) -> str:
    errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", " ".join(errors) or html[:200])
    return re.sub(r"\s+", " ", text).strip()[:160]


def log_in(port: int, admin: str, password: str) -> Client:
    """An editor's session, through the admin login form with its CSRF token."""
    client = Client(port)
    status, page = client.request("GET", f"{admin}login/")
    token = dict(form_fields(page, "login-form")).get("csrfmiddlewaretoken", "")
    status, page = client.request(
        "POST",
        f"{admin}login/?next={admin}",
        {"username": EDITOR, "password": password, "csrfmiddlewaretoken": token},
    )
    if status != 302:
        raise SetupFailed(f"the editor could not log in: HTTP {status} {_error_summary(page)}")
    return client


def edit_stories(
    client: Client,
    admin: str,
    articles: list[int],
    deadline: float,
    result: Result,
    saved: dict[int, str],
    lock,
) -> None:
    """Open and save the editor's stories in turn until the deadline."""
    try:
        n = 0
        while time.monotonic() < deadline:
            pk = articles[n % len(articles)]
            n += 1
            change = f"{admin}news/article/{pk}/change/"
            try:
                status, page = client.request("GET", change)
                if status != 200:
                    raise RuntimeError(f"GET change form: HTTP {status}")
                fields = [(k, v) for k, v in form_fields(page, "article_form") if k != "standfirst"]
                standfirst = f"Edited under load: save {n} of story {pk} at {time.time():.3f}."
                fields += [("standfirst", standfirst), ("_save", "Save")]
                status, page = client.request("POST", change, fields)
                if status != 302:
                    raise RuntimeError(f"POST change form: HTTP {status} {_error_summary(page)}")
            except (OSError, http.client.HTTPException, RuntimeError) as exc:
                with lock:
                    result.save_failures[str(exc)[:200]] += 1
                client.reconnect()
                continue
            with lock:
                result.saves += 1
                saved[pk] = standfirst
            time.sleep(0.2)
    finally:
        client.close()


def stale_pages(port: int, facts: dict, saved: dict[int, str], imported: int) -> list[str]:
    """Pages a reader gets afterwards that miss what was written: each edited story's last
    standfirst, and the imported stories on the home page (the newest are imported ones)."""
    urls = dict(facts["articles"])
    client = Client(port)
    stale = []
    try:
        for pk, standfirst in sorted(saved.items()):
            status, page = client.request("GET", urls[pk])
            if status != 200 or standfirst not in page:
                stale.append(urls[pk])
        status, page = client.request("GET", "/")
        if imported and (status != 200 or "Incoming story" not in page):
            stale.append("/")
    finally:
        client.close()
    return stale


# One run


def run_import(env: dict[str, str], directory: Path, log: Path, result: Result) -> None:
    started = time.monotonic()
    with log.open("w") as output:
        status = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "import_seeds", "--publish", str(directory)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
    result.import_seconds = time.monotonic() - started
    result.import_status = status
    if status != 0:
        result.import_error = (log.read_text().strip().splitlines() or ["no output"])[-1]


def run(engine: str, database_url: str, plan: Plan, workdir: Path) -> Result:
    result = Result(engine=engine)
    password = secrets.token_urlsafe(16)
    env = site_env(workdir, database_url, plan.settings)
    facts = prepare(env, workdir, password)
    names = write_stories(workdir / "incoming", plan.stories, prefix="incoming")
    articles = [pk for pk, _ in facts["articles"]]
    pages = ["/"] + [url for _, url in facts["articles"]]
    # Every fourth request is the home page, the rest story pages.
    paths = [p for url in pages[1:] for p in ("/", url, url, url)]
    lock = threading.Lock()
    saved: dict[int, str] = {}
    gunicorn_log, import_log = workdir / "gunicorn.log", workdir / "import.log"

    with gunicorn(env, plan, gunicorn_log) as port:
        # Editors were at their desks before the import began: logging in is not under test.
        sessions = [log_in(port, facts["admin"], password) for _ in range(plan.editors)]
        started = time.monotonic()
        deadline = started + plan.duration
        if plan.client == "wrk":
            readers = [
                threading.Thread(
                    target=read_with_wrk, args=(port, paths, plan, workdir, result, lock)
                )
            ]
        else:
            readers = [
                threading.Thread(
                    target=read_pages, args=(port, paths, started, deadline, result, lock)
                )
                for _ in range(plan.connections)
            ]
        # Each editor works on stories of their own, as a desk does: saves on the same story
        # by two people are refused by design (no lost edits), which is not what this measures.
        editors = [
            threading.Thread(
                target=edit_stories,
                args=(
                    sessions[e],
                    facts["admin"],
                    articles[e :: plan.editors],
                    deadline,
                    result,
                    saved,
                    lock,
                ),
            )
            for e in range(plan.editors)
        ]
        importer = threading.Thread(
            target=run_import, args=(env, workdir / "incoming", import_log, result)
        )
        for thread in [*readers, *editors, importer]:
            thread.start()
        for thread in [*readers, *editors]:
            thread.join()
        result.seconds = time.monotonic() - started
        importer.join()
        result.stale_pages = stale_pages(port, facts, saved, plan.stories)

    present = shell_json(env, STORIES_PRESENT)
    expected = set(names) | {f"first-{n:04d}.txt" for n in range(SEED_STORIES)}
    result.expected = len(expected)
    result.present = len(set(present["names"]) & expected)
    result.lost = len(expected - set(present["names"]))
    result.duplicates = len(present["names"]) - len(set(present["names"]))
    standfirsts = {int(pk): text for pk, text in present["standfirsts"].items()}
    result.edits_lost = sum(1 for pk, text in saved.items() if standfirsts.get(pk) != text)
    for log in (gunicorn_log, import_log):
        lines = log.read_text(errors="replace").splitlines()
        result.server_errors.update(line.strip() for line in lines if EXCEPTION.match(line))
        hits = [i for i, line in enumerate(lines) if LOCKED.search(line)]
        result.locked += len(hits)
        if hits and not result.locked_context:
            # Where it happened: the request and the frames of our code above the error.
            result.locked_context = [
                line
                for line in lines[max(0, hits[0] - 80) : hits[0] + 1]
                if "newsroom" in line or "Internal Server Error" in line or LOCKED.search(line)
            ][-12:]
    return result


# PostgreSQL scratch database


@contextmanager
def scratch_postgresql(url: str) -> Iterator[str]:
    """Create the database named in `url` (dropping a leftover first); drop it afterwards."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SetupFailed(f"the scratch database name {name!r} must be letters, digits and _")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield url
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgresql_unavailable(url: str) -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    server = urlsplit(url)._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(server, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return (
            f"PostgreSQL at {urlsplit(url).hostname}:{urlsplit(url).port or 5432} does not "
            f"answer ({str(exc).strip().splitlines()[0] if str(exc).strip() else exc})"
        )


# Report


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(result: Result, plan: Plan) -> list[str]:
    rate = result.requests / result.seconds if result.seconds else 0.0
    failures = sum(result.failures.values())
    save_failures = sum(result.save_failures.values())
    lines = [
        f"== {result.engine}: {plan.connections} connections ({plan.client}) for "
        f"{plan.duration:g} s, gunicorn gthread {plan.workers} workers x {plan.threads} threads",
        f"requests served   {result.requests} in {result.seconds:.1f} s ({rate:.1f} requests/s)",
        "latency           "
        + (
            result.latency_summary
            or f"p50 {percentile(result.latencies, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(result.latencies, 0.95) * 1000:.0f} ms, "
            f"max {result.slowest[0] * 1000:.0f} ms ({result.slowest[1]} at "
            f"{result.slowest[2]:.1f} s)"
        ),
        f"failed requests   {failures}",
        f"import            {plan.stories} stories in {result.import_seconds:.1f} s, exit status "
        f"{result.import_status}" + (f" ({result.import_error})" if result.import_error else ""),
        f"admin saves       {result.saves} done, {save_failures} failed, "
        f"{result.edits_lost} edits lost",
        f"stale pages       {len(result.stale_pages)} (pages read afterwards that miss a save "
        "or the import)" + (f": {', '.join(result.stale_pages[:5])}" if result.stale_pages else ""),
        f"database locked   {result.locked} errors",
        f"stories lost      {result.lost} (expected {result.expected}, present "
        f"{result.present}, duplicates {result.duplicates})",
    ]
    for what, count in [*result.failures.most_common(5), *result.save_failures.most_common(5)]:
        lines.append(f"  failure x{count}: {what}")
    lines.extend(f"  log: {line.strip()}" for line in result.locked_context)
    for error, count in result.server_errors.most_common(5):
        lines.append(f"  logged x{count}: {error[:200]}")
    lines.append("PASS" if result.ok else "FAIL")
    return lines


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.loadtest", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of reading (30)")
    parser.add_argument("--connections", type=int, default=32, help="reader connections (32)")
    parser.add_argument("--stories", type=int, default=500, help="stories imported (500)")
    parser.add_argument("--editors", type=int, default=2, help="editors saving stories (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (8)")
    parser.add_argument(
        "--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "NEWSROOM_LOADTEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/loadtest"
        ),
        help="scratch database, created and dropped by the run "
        "(default: NEWSROOM_LOADTEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/loadtest)",
    )
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="what makes the reading load: wrk when installed (auto), or the Python client",
    )
    parser.add_argument(
        "--settings",
        metavar="MODULE",
        help="a settings module for the site under test, to try a change (default: the project's)",
    )
    parser.add_argument(
        "--require-postgresql",
        action="store_true",
        help="fail instead of skipping when PostgreSQL does not answer",
    )
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not engines or set(engines) - {"sqlite", "postgresql"}:
        parser.error(f"--engines takes sqlite and/or postgresql, not {args.engines!r}")
    for name in ("duration", "connections", "stories", "editors", "workers", "threads"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name} must be more than 0")
    args.engines = engines
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "python"
    elif args.client == "wrk" and not shutil.which("wrk"):
        parser.error("--client wrk: wrk is not installed (apt-get install wrk)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    plan = Plan(
        duration=args.duration,
        connections=args.connections,
        stories=args.stories,
        editors=args.editors,
        workers=args.workers,
        threads=args.threads,
        client=args.client,
        settings=args.settings,
    )
    failed = False
    for engine in args.engines:
        with tempfile.TemporaryDirectory(prefix=f"newsroom-loadtest-{engine}-") as temporary:
            workdir = Path(temporary)
            try:
                if engine == "sqlite":
                    db = workdir / "site.sqlite3"
                    result = run("SQLite (WAL)", f"sqlite:///{db}", plan, workdir)
                else:
                    if reason := postgresql_unavailable(args.postgres_url):
                        print(f"== PostgreSQL: skipped, {reason}", flush=True)
                        failed = failed or args.require_postgresql
                        continue
                    with scratch_postgresql(args.postgres_url) as url:
                        result = run("PostgreSQL", url, plan, workdir)
            except SetupFailed as exc:
                print(f"== {engine}: could not run: {exc}", flush=True)
                failed = True
                continue
            print("\n".join(report(result, plan)), flush=True)
            failed = failed or not result.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
