"""The story page's one query: a live story with its bylines, topics, notes, related links and,
for live coverage, the updates readers see with their authors.

Everything the page shows comes back in one row, the child rows as JSON arrays (JSONList).
Django spends far longer building that query than the database spends answering it (about
5 ms against 0.2 ms on SQLite), so its SQL is compiled once per database connection, with
stand-ins for the slug and the time, and each page only swaps in its own two values. Its
parameters are named (`%(p0)s`), not positional (`%s`): Django's SQLite cursor turns the 3.5 KB
of positional SQL into its own form with a regular expression on every execute (about 40 us),
named ones with one `%` formatting (about 7 us).

The rule for what readers see is still `Article.objects.published()`; the story comes back as
an `Article`, with `listed_bylines`, `page_topics`, `page_notes`, `page_updates` and
`related_json` filled in (the model's `byline`, `topics`, `notes`, `live_updates` and
`related_for_page()` read them).
"""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.signals import setting_changed
from django.db import connections, router
from django.db.models import F, OuterRef, Subquery, TextField
from django.db.models.functions import JSONObject
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from .models import (
    Article,
    Author,
    Byline,
    Correction,
    JSONList,
    LiveUpdate,
    related_links_json,
)

# Stand-ins compiled into the SQL, found again among its parameters: values no page asks for.
_SLUG = "\x00newsroom-story-page-slug\x00"
_NOW = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
# A positional placeholder, not one escaped as `%%s` (the pattern Django's SQLite cursor uses).
_PLACEHOLDER = re.compile(r"(?<!%)%s")


def _json_rows(queryset, group: str, **fields) -> Subquery:
    """The rows of `queryset` for the outer story (by `group`) as one JSON array of `fields`."""
    rows = (
        queryset.filter(**{group: OuterRef("pk")})
        .order_by()
        .values(group)
        .annotate(data=JSONList(JSONObject(**fields)))
        .values("data")
    )
    return Subquery(rows, output_field=TextField())


def _author_rows(queryset, group: str, **fields) -> Subquery:
    """Rows naming an author (a byline, an update's author), each with the author's name and
    page address."""
    return _json_rows(
        queryset,
        group,
        id=F("id"),
        author=F("author_id"),
        name=F("author__name"),
        slug=F("author__slug"),
        **fields,
    )


def _queryset():
    bylines = _author_rows(Byline.objects.all(), "article", position=F("position"))
    topics = _json_rows(
        TaggedItem.objects.filter(content_type__app_label="news", content_type__model="article"),
        "object_id",
        id=F("tag_id"),
        name=F("tag__name"),
        slug=F("tag__slug"),
    )
    notes = _json_rows(
        Correction.objects.all(),
        "article",
        id=F("id"),
        kind=F("kind"),
        text=F("text"),
        noted_at=F("noted_at"),
    )
    update_authors = _author_rows(LiveUpdate.authors.through.objects.all(), "liveupdate")
    updates = _json_rows(
        LiveUpdate.objects.for_readers(),
        "article",
        id=F("id"),
        shown_at=F("shown_at"),
        headline=F("headline"),
        body=F("body"),
        key_event=F("key_event"),
        pinned=F("pinned"),
        authors=update_authors,
    )
    return (
        Article.objects.published(at=_NOW)
        .filter(slug=_SLUG)
        .order_by()
        .annotate(
            bylines_json=bylines,
            topics_json=topics,
            notes_json=notes,
            updates_json=updates,
            related_json=related_links_json(at=_NOW),
        )
    )


@dataclass(frozen=True)
class _Compiled:
    """One connection's SQL for the page, where its slug and time go, and how to read a row."""

    sql: str
    params: dict[str, object]
    slug_at: tuple[str, ...]
    now_at: tuple[str, ...]
    fields: list[str]
    annotations: dict[str, int]
    converters: list


# Keyed on the connection object (one per database alias and thread), whose backend compiled
# the SQL and whose converters read the row.
_compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _compile(connection) -> _Compiled:
    compiler = _queryset().query.get_compiler(connection=connection)
    positional_sql, positional = compiler.as_sql()
    if len(_PLACEHOLDER.findall(positional_sql)) != len(positional):
        raise RuntimeError("The story page's query has not one placeholder per parameter.")
    names = iter(range(len(positional)))
    sql = _PLACEHOLDER.sub(lambda _: f"%(p{next(names)})s", positional_sql)
    params = {f"p{i}": value for i, value in enumerate(positional)}
    now = connection.ops.adapt_datetimefield_value(_NOW)
    slug_at = tuple(name for name, p in params.items() if p == _SLUG)
    now_at = tuple(name for name, p in params.items() if p == now)
    if len(slug_at) != 1 or len(now_at) != 2:
        raise RuntimeError("The story page's query no longer has one slug and two times.")
    info = compiler.klass_info
    start, end = info["select_fields"][0], info["select_fields"][-1] + 1
    expressions = [column[0] for column in compiler.select[: compiler.col_count]]
    return _Compiled(
        sql=sql,
        params=params,
        slug_at=slug_at,
        now_at=now_at,
        fields=[column[0].target.attname for column in compiler.select[start:end]],
        annotations=dict(compiler.annotation_col_map),
        converters=list(compiler.get_converters(expressions).items()),
    )


def live_story(slug: str) -> Article | None:
    """The published story at `slug` with everything its page shows, or None: one query."""
    alias = router.db_for_read(Article)
    connection = connections[alias]
    compiled = _compiled.get(connection)
    if compiled is None:
        compiled = _compiled[connection] = _compile(connection)
    params = dict(compiled.params)
    for name in compiled.slug_at:
        params[name] = slug
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for name in compiled.now_at:
        params[name] = now
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for position, (converters, expression) in compiled.converters:
        for converter in converters:
            row[position] = converter(row[position], expression, connection)
    article = Article.from_db(alias, compiled.fields, row[: len(compiled.fields)])
    values = {name: row[position] for name, position in compiled.annotations.items()}
    article.related_json = values["related_json"]
    article.listed_bylines = _bylines(article, values["bylines_json"])
    article.page_topics = [
        Tag(id=t["id"], name=t["name"], slug=t["slug"])
        for t in sorted(_rows(values["topics_json"]), key=lambda t: t["id"])
    ]
    article.page_notes = sorted(
        (
            Correction(
                id=n["id"],
                article_id=article.pk,
                kind=n["kind"],
                text=n["text"],
                noted_at=_moment(n["noted_at"]),
            )
            for n in _rows(values["notes_json"])
        ),
        key=lambda note: (note.noted_at, note.id),
    )
    article.page_updates = _updates(article, values["updates_json"])
    return article


def _updates(article: Article, data: str | None) -> list[LiveUpdate]:
    """The updates readers see, newest first, each with `page_authors`."""
    updates = []
    for u in _rows(data):
        update = LiveUpdate(
            id=u["id"],
            article=article,
            shown_at=_moment(u["shown_at"]),
            headline=u["headline"],
            body=u["body"],
            key_event=bool(u["key_event"]),
            pinned=bool(u["pinned"]),
            status=LiveUpdate.Status.APPROVED,
        )
        update.page_authors = [
            _author(a) for a in sorted(_rows(u["authors"]), key=lambda a: a["id"])
        ]
        updates.append(update)
    updates.sort(key=lambda update: (update.shown_at, update.id), reverse=True)
    return updates


def _bylines(article: Article, data: str | None) -> list[Byline]:
    bylines = []
    for b in sorted(_rows(data), key=lambda b: (b["position"], b["id"])):
        byline = Byline(id=b["id"], article_id=article.pk, author_id=b["author"])
        byline.position = b["position"]
        byline.author = _author(b)
        bylines.append(byline)
    return bylines


def _author(row: dict) -> Author:
    return Author(id=row["author"], name=row["name"], slug=row["slug"])


def _rows(data: str | list | None) -> list[dict]:
    """A JSON array as text, or already read: nested arrays arrive as text on SQLite (a
    subquery's result loses its JSON type) and as JSON on PostgreSQL."""
    if isinstance(data, str):
        return json.loads(data)
    return data or []


def _moment(text: str) -> datetime:
    """A time as JSON carries it: ISO 8601 with an offset (PostgreSQL), or UTC without one
    (SQLite's stored text)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _forget(**kwargs) -> None:
    """A changed setting (a test's time zone, say) may change the SQL or how rows read."""
    _compiled.clear()


setting_changed.connect(_forget, dispatch_uid="newsroom-story-page-sql")
