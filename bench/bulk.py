"""Fill a database with published stories fast: bulk inserts, not the importer.

The importer cleans every paragraph with bleach and writes a dozen rows per story, which is what
the import benchmark measures; 100,000 stories that way would take the whole budget. Here rows
go in as plain SQL in batches of 5,000 (COPY on PostgreSQL; Django's `bulk_create` spends more
time building model instances than the database spends storing them): stories (already clean
HTML, so nothing is skipped that a save would have done to them), bylines, topics, and on SQLite
the rows of the FTS5 search table that the first search would otherwise make (from the same
plain text it would extract). On PostgreSQL the search index is an expression index, kept by
the server as rows arrive.

Needs Django set up; call `generate` on an empty or already generated database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from newsroom.news.models import Article, Author, Byline
from newsroom.search.query import FTS_TABLE, PENDING_TABLE, search_articles

from .stories import Story, paragraph_pool, pooled_story

AUTHORS = 60
TOPICS = 150
BATCH = 5000
# Stories are spaced this far apart, newest now, so a big database spans years of archive.
SPACING = timedelta(minutes=10)
FIRST_NAMES = ("Ada", "Ben", "Chloe", "Dev", "Elif", "Femi", "Gita", "Hugo", "Ines", "Jun", "Kemal")
LAST_NAMES = ("Okafor", "Tanaka", "Silva", "Novak", "Haddad", "Berg", "Rossi")


@dataclass(frozen=True, kw_only=True)
class Generated:
    stories: int
    bylines: int
    taggings: int


def ensure_people_and_topics() -> tuple[list[Author], list[Tag]]:
    """The desk's authors and topics, made once; later batches reuse them."""
    names = [f"{f} {last}" for last in LAST_NAMES for f in FIRST_NAMES][:AUTHORS]
    Author.objects.bulk_create(
        [Author(name=n, slug=f"bench-{n.lower().replace(' ', '-')}") for n in names],
        ignore_conflicts=True,
    )
    Tag.objects.bulk_create(
        [Tag(name=f"Topic {n}", slug=f"topic-{n}") for n in range(TOPICS)], ignore_conflicts=True
    )
    authors = list(Author.objects.filter(slug__startswith="bench-").order_by("pk"))
    topics = list(Tag.objects.filter(slug__startswith="topic-").order_by("pk"))
    return authors, topics


def _busy_first(size: int, *, offset: int) -> list[float]:
    """Cumulative weights 1/(i + offset): a few topics and authors carry much of the news
    (the busiest topic is on about one story in six, the quietest on one in two hundred)."""
    total, weights = 0.0, []
    for i in range(size):
        total += 1 / (i + offset)
        weights.append(total)
    return weights


def _insert(model, fields: list[str], rows: list[tuple]) -> None:
    """Plain INSERTs for the link tables: a model instance per row would cost more than the
    stories themselves."""
    _write(model._meta.db_table, [model._meta.get_field(f).column for f in fields], rows)


def _write(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Rows into a table: COPY on PostgreSQL (several times faster), else executemany."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",
                rows,
            )


def _insert_stories(stories: list[Story], *, now: datetime) -> list[int]:
    """Insert published stories; their primary keys, in order.

    Every column gets its model default (so a field added later needs no change here) except
    those a story sets; values are prepared for the database once per column, not per row.
    """
    fields = [f for f in Article._meta.concrete_fields if not f.primary_key]
    fixed = {}
    for f in fields:
        default = (
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default()
        )
        fixed[f.attname] = f.get_db_prep_save(default, connection)
    published_at = Article._meta.get_field("published_at")
    fixed["status"] = Article.Status.PUBLISHED.value
    fixed["version"] = 1
    varying = ["title", "slug", "standfirst", "body", "published_at", "source_name"]
    names = [f.attname for f in fields]
    rows = []
    for s in stories:
        values = {
            "title": s.headline,
            "slug": f"bench-story-{s.number}",
            "standfirst": s.standfirst,
            "body": s.body_html,
            "published_at": published_at.get_db_prep_save(
                now - SPACING * (s.number + 1), connection
            ),
            "source_name": f"bench-{s.number}.txt",
        }
        rows.append(tuple(values[n] if n in varying else fixed[n] for n in names))
    last = Article.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _write(Article._meta.db_table, [f.column for f in fields], rows)
    by_slug = dict(Article.objects.filter(pk__gt=last).values_list("slug", "pk"))
    return [by_slug[f"bench-story-{s.number}"] for s in stories]


def generate(count: int, *, seed: int = 2026, now: datetime | None = None) -> Generated:
    """Add `count` published stories after those already generated (numbers continue)."""
    now = now or timezone.now()
    rng = random.Random(seed)
    pool = paragraph_pool(rng)
    authors, topics = ensure_people_and_topics()
    author_ids, topic_ids = [a.pk for a in authors], [t.pk for t in topics]
    author_weights, topic_weights = (
        _busy_first(len(authors), offset=3),
        _busy_first(len(topics), offset=5),
    )
    content_type = ContentType.objects.get_for_model(Article)
    if connection.vendor == "sqlite":
        # Installs the search table's triggers now, so the rows added below are taken as
        # indexed and the first real search does not index 100,000 stories first.
        list(search_articles("bench"))
        with connection.cursor() as cursor:
            # A quarter of a gigabyte of page cache for this connection: the indexes of a
            # growing table stay in memory instead of being written and read back per batch.
            cursor.execute("PRAGMA cache_size = -262144")
    start = Article.objects.filter(source_name__startswith="bench-").count()
    bylines = taggings = 0
    for first in range(start, start + count, BATCH):
        numbers = range(first, min(first + BATCH, start + count))
        stories = [pooled_story(rng, n, pool) for n in numbers]
        with transaction.atomic():
            pks = _insert_stories(stories, now=now)
            byline_rows, tag_rows = [], []
            for pk in pks:
                chosen = dict.fromkeys(
                    rng.choices(author_ids, cum_weights=author_weights, k=rng.randint(1, 2))
                )
                byline_rows += [(pk, a, i) for i, a in enumerate(chosen)]
                picked = set(rng.choices(topic_ids, cum_weights=topic_weights, k=3))
                tag_rows += [(pk, content_type.pk, t) for t in picked]
            _insert(Byline, ["article", "author", "position"], byline_rows)
            _insert(TaggedItem, ["object_id", "content_type", "tag"], tag_rows)
            bylines, taggings = bylines + len(byline_rows), taggings + len(tag_rows)
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {FTS_TABLE} (rowid, title, standfirst, body) "
                        "VALUES (%s, %s, %s, %s)",
                        [
                            (pk, s.headline, s.standfirst, s.body_text)
                            for pk, s in zip(pks, stories, strict=True)
                        ],
                    )
                    # The insert triggers queued these stories for indexing; they are indexed
                    # just above, so the queue would only slow the first search down.
                    cursor.execute(f"DELETE FROM {PENDING_TABLE}")
    return Generated(stories=count, bylines=bylines, taggings=taggings)
