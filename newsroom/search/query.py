"""Search across headline, standfirst and body: one function, two databases.

PostgreSQL: a weighted tsvector (headline A, standfirst B, body C), stored in a generated
column and indexed with GIN by the 0010 migration; `websearch_to_tsquery` reads anything a
reader types without a syntax error; `ts_rank` orders from the stored vector and `ts_headline`
picks the snippet. The body goes in as stored HTML: the default parser reads each tag,
attributes and all, as one "tag" token, which the english config never indexes and ts_headline
leaves out (tests pin this for tags, links and entities), so stripping tags in SQL would cost
every row a regexp for nothing.

SQLite: an FTS5 table (rowid = story id) joined to the stories and ranked by bm25 with the same
weights. The body is HTML and triggers can only run SQL, so the table is filled from Python with
the body's text: triggers on news_article queue every story written (and drop a story's row
when its words change), and each search first indexes what is queued, one look at an empty
table when nothing is. Django rebuilds a table on SQLite for many schema changes and the
rebuild drops its triggers, so the search reinstalls them (and reindexes everything) whenever
they are missing. Keeping the upkeep here needs no hook in models, apps or the importer.

Snippets: both databases return the excerpt with private-use characters around the matched
words; Python escapes all of it and only then turns those characters into <mark>. ts_headline's
own output is not HTML-safe (its docs say so), and a body may hold "<b>" or "&" as text.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import OperationalError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import ExpressionWrapper, F, FloatField
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from newsroom.markup.sanitize import html_to_text
from newsroom.news.models import Article, ArticleQuerySet

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
# English stemming on PostgreSQL ("ships" finds "ship"); the GIN index is built for this config,
# so changing it needs a migration that rebuilds the index.
CONFIG = "english"
FTS_TABLE = "news_article_fts"
# Stories written since the last search, waiting to be indexed (SQLite only; see 0010).
PENDING_TABLE = "news_article_fts_pending"
# Headline over standfirst over body, in the same proportions on both databases (PostgreSQL's
# default weights for A, B and C are 1.0, 0.4 and 0.2).
FTS_WEIGHTS = "5.0, 2.0, 1.0"

_START, _STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{_START}(.*?){_STOP}", re.DOTALL)
# SQLite's excerpt of the body, with the same markers.
_SQLITE_SNIPPET = f"snippet({FTS_TABLE}, 2, char({ord(_START)}), char({ord(_STOP)}), ' … ', 30)"
# Control characters (NUL among them: PostgreSQL refuses it in text) and our own markers.
_UNWANTED = re.compile(f"[\x00-\x1f\x7f-\x9f{_START}{_STOP}]")
# A "quoted phrase" or a run of anything else but spaces and quotes.
_TERM = re.compile(r'"([^"]*)"|([^\s"]+)')
_WORD = re.compile(r"\w")


@dataclass(frozen=True, kw_only=True)
class Query:
    text: str
    trimmed: bool = False


def read_query(raw: str) -> Query:
    """What a reader typed, made safe to search for: control characters gone, spaces collapsed,
    cut to MAX_QUERY_LENGTH characters (at a space when there is one)."""
    text = " ".join(_UNWANTED.sub(" ", raw).split())
    if len(text) <= MAX_QUERY_LENGTH:
        return Query(text=text)
    cut = text[:MAX_QUERY_LENGTH]
    if text[MAX_QUERY_LENGTH] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return Query(text=cut.rstrip(), trimmed=True)


def fts5_query(text: str) -> str:
    """Words as an FTS5 query that can never be a syntax error: each word, or "quoted phrase",
    becomes an FTS5 string, so AND, NEAR, *, ^, : and parentheses are words or nothing, and
    every one must match. Empty when nothing searchable is left."""
    phrases = (phrase or word for phrase, word in _TERM.findall(text))
    return " ".join(f'"{p}"' for p in phrases if _WORD.search(p))


def snippet_html(marked: str, *, source_is_html: bool) -> SafeString:
    """A database's excerpt, with markers around the matched words, as HTML: every character of
    the story escaped, matched words in <mark>. `source_is_html` for an excerpt of the stored
    HTML (ts_headline leaves its tags out but keeps entities such as "&amp;"): entities are
    decoded first, so they are shown once, as the characters they stand for."""
    text = html.unescape(marked) if source_is_html else marked
    escaped = html.escape(" ".join(text.split()), quote=False)
    highlighted = _MARKED.sub(r"<mark>\1</mark>", escaped).replace(_START, "").replace(_STOP, "")
    # Safe: the story's text was escaped above; the only markup is the <mark> added here.
    return mark_safe(highlighted)


class SnippetField(models.TextField):
    """The output type of a snippet expression: turns the excerpt into safe HTML as it is read,
    so every row of `search_articles()` carries a ready `snippet`."""

    def __init__(self, *args, source_is_html: bool = False, **kwargs):
        self.source_is_html = source_is_html
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return snippet_html(value or "", source_is_html=self.source_is_html)


def search_articles(query: str, *, snippets: bool = True) -> ArticleQuerySet:
    """Published stories matching `query`, best first, each with `rank` (higher is better) and
    `snippet` (safe HTML from the body's text). Any string is accepted; one with nothing to
    search for gives no stories. On SQLite this first brings the search table up to date.

    `snippets=False` leaves `snippet` out on SQLite, for a caller that shows a page of the
    results and then calls `add_snippets()` on that page alone: SQLite makes the snippet of
    every match before sorting them, PostgreSQL only of the rows it returns."""
    text = read_query(query).text
    published = Article.objects.published()
    if not text:
        return published.none()
    connection = connections[published.db]
    if connection.vendor == "postgresql":
        return _search_postgresql(published, text)
    return _search_sqlite(published, text, connection=connection, snippets=snippets)


def add_snippets(stories: list[Article], query: str) -> None:
    """Give each of `stories` (results of `search_articles(query, snippets=False)`) its
    `snippet`, in one query on SQLite; nothing to do on PostgreSQL, which made them."""
    missing = [story for story in stories if not hasattr(story, "snippet")]
    match = fts5_query(read_query(query).text)
    if not missing or not match:
        return
    ids = [story.pk for story in missing]
    with connections[Article.objects.db].cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, {_SQLITE_SNIPPET} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
            f"AND rowid IN ({', '.join(['%s'] * len(ids))})",
            [match, *ids],
        )
        found = dict(cursor.fetchall())
    for story in missing:
        story.snippet = snippet_html(found.get(story.pk) or "", source_is_html=False)


def search_vector() -> SearchVector:
    """The document searched on PostgreSQL, as an expression. The stored column of the 0010
    migration (`DOCUMENT_COLUMN`, GIN-indexed) is computed by the database from this same
    expression: change one and the other must follow, in a new migration."""
    return (
        SearchVector("title", config=CONFIG, weight="A")
        + SearchVector("standfirst", config=CONFIG, weight="B")
        + SearchVector("body", config=CONFIG, weight="C")
    )


# A generated column that PostgreSQL keeps itself on every write (bulk, raw SQL and restores
# included), so rank reads the stored vector instead of parsing each matching body again. It is
# not a model field: only PostgreSQL has it, and Django's inserts must never name it.
DOCUMENT_COLUMN = "search_document"


def _stored_document() -> RawSQL:
    table = Article._meta.db_table
    return RawSQL(f'"{table}"."{DOCUMENT_COLUMN}"', [], output_field=SearchVectorField())


def _search_postgresql(published: ArticleQuerySet, text: str) -> ArticleQuerySet:
    query = SearchQuery(text, config=CONFIG, search_type="websearch")
    headline = SearchHeadline(
        "body",
        query,
        config=CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    return (
        published.alias(document=_stored_document())
        .filter(document=query)
        .annotate(
            rank=SearchRank(F("document"), query),
            snippet=ExpressionWrapper(headline, output_field=SnippetField(source_is_html=True)),
        )
        .order_by("-rank", "-published_at", "-pk")
    )


def _search_sqlite(
    published: ArticleQuerySet, text: str, *, connection: BaseDatabaseWrapper, snippets: bool
) -> ArticleQuerySet:
    match = fts5_query(text)
    if not match:
        return published.none()
    _refresh_sqlite_index(connection)
    # The FTS table joined in once: the match and its bm25 score come from the same
    # full-text scan, where a subquery per story ran the match again for each. The
    # unary + keeps SQLite from looking stories up in the FTS table one by one (each a new
    # full-text query): the matches lead, and each finds its story by primary key.
    story_table = Article._meta.db_table
    found = published.extra(
        tables=[FTS_TABLE],
        where=[f"{FTS_TABLE} MATCH %s", f'"{story_table}"."id" = +{FTS_TABLE}.rowid'],
        params=[match],
    ).annotate(
        # bm25 is lower for better matches; negated so `rank` reads as on PostgreSQL.
        rank=RawSQL(f"-bm25({FTS_TABLE}, {FTS_WEIGHTS})", (), output_field=FloatField())
    )
    if snippets:
        found = found.annotate(snippet=RawSQL(_SQLITE_SNIPPET, (), output_field=SnippetField()))
    return found.order_by("-rank", "-published_at", "-pk")


# Every story written in any way (save, bulk insert, raw SQL, restore) is queued by a trigger;
# a story whose words change or that is deleted also loses its row at once. The next search
# indexes what is queued from Python, so a search costs one look at a small table, not a
# comparison of every story with the index.
_TRIGGERS = {
    "news_article_fts_added": f"""
        CREATE TRIGGER news_article_fts_added AFTER INSERT ON news_article
        BEGIN INSERT OR IGNORE INTO {PENDING_TABLE} (id) VALUES (new.id); END
    """,
    "news_article_fts_changed": f"""
        CREATE TRIGGER news_article_fts_changed AFTER UPDATE OF title, standfirst, body
        ON news_article
        WHEN old.title IS NOT new.title OR old.standfirst IS NOT new.standfirst
            OR old.body IS NOT new.body
        BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
            INSERT OR IGNORE INTO {PENDING_TABLE} (id) VALUES (new.id);
        END
    """,
    "news_article_fts_deleted": f"""
        CREATE TRIGGER news_article_fts_deleted AFTER DELETE ON news_article
        BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
            DELETE FROM {PENDING_TABLE} WHERE id = old.id;
        END
    """,
}


def _refresh_sqlite_index(connection: BaseDatabaseWrapper) -> None:
    """Index the queued stories (all of them, drafts too: the search itself keeps to what
    readers may see, so publishing needs no reindexing). One query when nothing is queued."""
    names = list(_TRIGGERS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
            f"({', '.join(['%s'] * len(names))})), EXISTS (SELECT 1 FROM {PENDING_TABLE})",
            names,
        )
        triggers, queued = cursor.fetchone()
    if triggers == len(names) and not queued:
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if triggers != len(names):
                # Lost with a table rebuild: writes since then went unseen, so start over.
                for name, sql in _TRIGGERS.items():
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(sql)
                cursor.execute(f"DELETE FROM {FTS_TABLE}")
                cursor.execute(
                    f"INSERT OR IGNORE INTO {PENDING_TABLE} (id) SELECT id FROM news_article"
                )
            cursor.execute(f"SELECT id FROM {PENDING_TABLE}")
            queued_ids = [row[0] for row in cursor.fetchall()]
            # A queued story that already has a row was indexed by whoever queued it (a bulk
            # loader writing both); a changed story lost its row when it changed.
            cursor.execute(
                "SELECT id, title, standfirst, body FROM news_article a "
                f"WHERE a.id IN (SELECT id FROM {PENDING_TABLE}) "
                f"AND NOT EXISTS (SELECT 1 FROM {FTS_TABLE} f WHERE f.rowid = a.id)"
            )
            cursor.executemany(
                f"INSERT OR REPLACE INTO {FTS_TABLE} (rowid, title, standfirst, body) "
                "VALUES (%s, %s, %s, %s)",
                [
                    (pk, title, standfirst, html_to_text(body))
                    for pk, title, standfirst, body in cursor.fetchall()
                ],
            )
            cursor.executemany(
                f"DELETE FROM {PENDING_TABLE} WHERE id = %s", [(pk,) for pk in queued_ids]
            )
    except OperationalError:
        # A writer held the database past the timeout: search what is indexed, catch up later.
        logger.warning("Search index not brought up to date", exc_info=True)
