"""What runs inside Django, one scenario per process: `python -m bench.jobs JOB ARGS.json OUT.json`.

Settings read the environment once, at import, so each database and each page-cache setting
gets a process of its own, started by bench/__main__.py with the environment it needs. A job
reads its arguments from a JSON file and writes its figures to another.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "seeds"
SLOW_PAGE_SECONDS = 0.25


def collectstatic(args: dict) -> dict:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    return {}


def migrate(args: dict) -> dict:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    if connection.vendor == "sqlite":
        # Everything into the main file, so a copy of that file alone is the whole database.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return {}


def page_queries(urls: list[str]) -> dict[str, dict]:
    """Status, bytes and SQL queries of each URL, fetched three times: the first request of a
    process also fills its own caches (content types, ...) and, with the page cache on, the
    page cache; the later ones are what a warm worker does."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    figures = {}
    for url in urls:
        counts, status, size = [], 0, 0
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            counts.append(len(queries))
            status, size = response.status_code, len(response.content)
        figures[url] = {"status": status, "bytes": size, "counts": counts}
    return figures


def readers_site(args: dict) -> dict:
    """The readers' database: the seed story, imported and published, plus generated stories."""
    from newsroom.ingest.importing import import_paths
    from newsroom.news.models import Article

    from .bulk import generate

    generate(args["stories"])
    report = import_paths([SEED_DIR], publish=True)
    slug = report.files[0].slug
    assert Article.objects.published().filter(slug=slug).exists()
    return {"story": f"/news/{slug}/", "home": "/"}


def queries(args: dict) -> dict:
    return page_queries(args["urls"])


def import_stories(args: dict) -> dict:
    """End-to-end import of a folder of generated files against bleach alone on their texts."""
    from newsroom.ingest.importing import import_paths
    from newsroom.markup.sanitize import bleach_defaults
    from newsroom.news.models import Article

    folder = Path(args["folder"])
    texts = [path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))]
    start = time.perf_counter()
    for text in texts:
        bleach_defaults(text)
    bleach_seconds = time.perf_counter() - start
    # Written now as well, so an import stopped for taking too long still reports the floor.
    Path(args["out"]).write_text(json.dumps({"bleach_seconds": bleach_seconds}), encoding="utf-8")

    profile = cProfile.Profile() if args.get("profile") else None
    start = time.perf_counter()
    if profile:
        profile.enable()
    report = import_paths([folder], publish=True)
    if profile:
        profile.disable()
    import_seconds = time.perf_counter() - start
    created = report.count("created")
    assert created == len(texts) == Article.objects.published().count(), (created, len(texts))
    result = {
        "stories": created,
        "import_seconds": import_seconds,
        "bleach_seconds": bleach_seconds,
    }
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(25)
        result["profile"] = out.getvalue()
    return result


def timed_import(args: dict) -> dict:
    """An import as `import_seeds` runs it, noting (wall clock, comparable across processes)
    when it starts, when its write transaction begins and when it returns."""
    from django.db import connection

    from newsroom.ingest.importing import import_paths

    began: list[tuple[float, float]] = []

    def note_begin(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        # After it returns: with IMMEDIATE transactions, that is when the lock is held.
        if not began and sql.lstrip().upper().startswith("BEGIN"):
            began.append((time.time(), time.process_time()))
        return result

    start = time.time()
    with connection.execute_wrapper(note_begin):
        report = import_paths([Path(args["folder"])], publish=True)
    end, cpu_end = time.time(), time.process_time()
    begin, cpu_begin = began[0]
    return {
        "created": report.count("created"),
        "start": start,
        # The atomic block is the last thing import_paths does: its return is the commit.
        "begin": begin,
        "end": end,
        # The importer's own CPU time in the transaction: what a busy machine does not inflate.
        "transaction_cpu": cpu_end - cpu_begin,
    }


def editor_wait(args: dict) -> dict:
    """An editor saving a story, over and over, while another process imports a folder.

    Each save is what the admin's is: a model save in its own transaction, from this
    process's own connection. On SQLite a write waits for the import's write lock.
    """
    import subprocess

    from django.db import transaction

    from newsroom.news.models import Article

    story = Article.objects.create(
        title="The editor's story", slug="the-editors-story", standfirst="Before the import."
    )

    def save(n: int) -> tuple[float, float]:
        begin = time.time()
        with transaction.atomic():
            story.standfirst = f"Save {n} during the import."
            story.save()
        return begin, time.time() - begin

    idle = [save(n)[1] for n in range(20)]
    out = Path(args["out"]).with_suffix(".import.json")
    args_path = out.with_suffix(".args.json")
    args_path.write_text(json.dumps({"folder": args["folder"]}), encoding="utf-8")
    importer = subprocess.Popen(
        [sys.executable, "-m", "bench.jobs", "timed_import", str(args_path), str(out)],
        cwd=ROOT,
    )
    saves = []
    while importer.poll() is None:
        saves.append(save(len(saves)))
        time.sleep(args["pause"])
    if importer.returncode != 0:
        raise RuntimeError(f"the import failed with exit code {importer.returncode}")
    timing = json.loads(out.read_text(encoding="utf-8"))
    during = [seconds for begin, seconds in saves if timing["start"] <= begin <= timing["end"]]
    return {
        **timing,
        "idle_ms": statistics.median(idle) * 1000,
        "waits_ms": [seconds * 1000 for seconds in during],
    }


def size_pages(args: dict) -> dict:
    """Generate up to each size in turn and time the public pages at each (page cache off)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from newsroom.news.models import Article

    from .bulk import ensure_people_and_topics, generate
    from .stories import TOPIC_WORD

    # A page that fails is reported with its status (500), not the end of the run.
    client = Client(raise_request_exception=False)
    results = []
    have = 0
    for size in args["sizes"]:
        start = time.perf_counter()
        generate(size - have)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        generated_seconds = time.perf_counter() - start
        have = size
        # Busy but not the busiest: about one story in twenty-five at any size.
        authors, topics = ensure_people_and_topics()
        tag, author = topics[10], authors[5]
        pages = {
            "home": "/",
            "tag": reverse("news:tag_detail", kwargs={"slug": tag.slug}),
            "author": author.get_absolute_url(),
            "search": f"/search/?q={TOPIC_WORD.lower()}",
            "RSS feed": "/feeds/latest.rss",
            "sitemap index": "/sitemap.xml",
            "sitemap of stories": "/sitemap-stories.xml",
        }
        figures = {}
        for name, url in pages.items():
            times, sql_times, counts, status = [], [], [], 0
            attempts = args["repeat"] + 1
            attempt = 0
            while attempt < attempts:
                with CaptureQueriesContext(connection) as captured:
                    begin = time.perf_counter()
                    response = client.get(url)
                    if getattr(response, "streaming", False):
                        b"".join(response.streaming_content)
                    elapsed = time.perf_counter() - begin
                status = response.status_code
                counts.append(len(captured))
                if attempt:  # the first request warms Python's and the database's caches
                    times.append(elapsed)
                    sql_times.append(sum(float(q["time"]) for q in captured.captured_queries))
                elif elapsed > SLOW_PAGE_SECONDS:
                    # A page of seconds varies little from one request to the next, and the
                    # run has ten minutes: two timed requests are enough.
                    attempts = min(attempts, 3)
                attempt += 1
            figures[name] = {
                "url": url,
                "status": status,
                # Warm requests, as a worker serves them: the first may also fill what the
                # process keeps whatever the size (the consent categories, content types).
                "queries": max(counts[1:]),
                "ms": statistics.median(times) * 1000,
                "sql_ms": statistics.median(sql_times) * 1000,
            }
        results.append(
            {
                "stories": Article.objects.published().count(),
                "generate_seconds": generated_seconds,
                "pages": figures,
            }
        )
    return {"vendor": connection.vendor, "sizes": results}


def story_paths(args: dict) -> dict:
    """Every live story's address, for readers spread over them."""
    from newsroom.news.models import Article

    slugs = Article.objects.published().values_list("slug", flat=True)
    return {"paths": [f"/news/{slug}/" for slug in slugs]}


def edit_story(args: dict) -> dict:
    """An editor at work during breaking news: one story saved through the model `per_second`
    times a second for `seconds`, each save a new body (so each retires the story's tags)."""
    from newsroom.news.models import Article

    story = Article.objects.get(slug=args["slug"])
    body, interval = story.body, 1 / args["per_second"]
    start, saves = time.monotonic(), 0
    while (elapsed := time.monotonic() - start) < args["seconds"]:
        story.body = f"{body}<p>Update {saves + 1}.</p>"
        story.save()
        saves += 1
        time.sleep(max(0.0, saves * interval - (time.monotonic() - start)))
    return {"saves": saves, "seconds": elapsed}


def live_site(args: dict) -> dict:
    """A live story with `updates` updates beside the seed story, posted as an editor would."""
    from datetime import timedelta

    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from newsroom.ingest.importing import import_paths
    from newsroom.news import writing
    from newsroom.news.models import Article

    import_paths([SEED_DIR], publish=True)
    editor = User.objects.create_user("bench-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    story = Article.objects.get()
    started = timezone.now() - timedelta(hours=2)
    writing.cover(story, user=editor, live_from=started, live_until=None, summary="Live")
    for n in range(args["updates"]):
        writing.post_update(
            story,
            user=editor,
            headline=f"Update {n}" if n % 3 == 0 else "",
            body=f"<p>What happened at step {n}, in a sentence or two.</p>",
            key_event=n % 10 == 0,
            shown_at=started + timedelta(minutes=n),
        )
    page = story.get_absolute_url()
    return {"slug": story.slug, "page": page, "fragment": f"{page}updates/"}


def post_updates(args: dict) -> dict:
    """A live desk at work: an update posted through news.writing every `every` seconds for
    `seconds`, the first at once."""
    from django.contrib.auth.models import User

    from newsroom.news import writing
    from newsroom.news.models import Article

    story = Article.objects.get(slug=args["slug"])
    editor = User.objects.get(username="bench-editor")
    start, posts = time.monotonic(), 0
    while (elapsed := time.monotonic() - start) < args["seconds"]:
        writing.post_update(story, user=editor, body=f"<p>Breaking, number {posts + 1}.</p>")
        posts += 1
        time.sleep(max(0.0, posts * args["every"] - (time.monotonic() - start)))
    return {"posts": posts, "seconds": elapsed}


JOBS = {
    "live_site": live_site,
    "post_updates": post_updates,
    "story_paths": story_paths,
    "edit_story": edit_story,
    "collectstatic": collectstatic,
    "migrate": migrate,
    "readers_site": readers_site,
    "queries": queries,
    "import_stories": import_stories,
    "timed_import": timed_import,
    "editor_wait": editor_wait,
    "size_pages": size_pages,
}


def main(argv: list[str]) -> int:
    name, args_path, out_path = argv
    django.setup()
    args = {**json.loads(Path(args_path).read_text(encoding="utf-8")), "out": out_path}
    result = JOBS[name](args)
    Path(out_path).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
