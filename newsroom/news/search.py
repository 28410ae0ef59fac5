"""Search across headline, standfirst and body: one function, two databases, and the page.

PostgreSQL: a weighted tsvector (headline A, standfirst B, body C), indexed with GIN by the
0006 migration; `websearch_to_tsquery` reads anything a reader types without a syntax error;
`ts_rank` orders and `ts_headline` picks the snippet. The body goes in as stored HTML: the
default parser reads each tag, attributes and all, as one "tag" token, which the english config
never indexes and ts_headline leaves out (tests pin this for tags, links and entities), so
stripping tags in SQL would cost every row a regexp for nothing.

SQLite: an FTS5 table (rowid = story id) ranked by bm25 with the same weights. The body is
HTML and triggers can only run SQL, so the table is filled from Python with the body's text:
triggers on news_article merely drop a story's row when its words change, and each search first
indexes the published stories that have no row. Django rebuilds a table on SQLite for many
schema changes and the rebuild drops its triggers, so the search reinstalls them (and reindexes
everything) whenever they are missing. Keeping the upkeep here needs no hook in models or apps.

Snippets: both databases return the excerpt with private-use characters around the matched
words; Python escapes all of it and only then turns those characters into <mark>. ts_headline's
own output is not HTML-safe (its docs say so), and a body may hold "<b>" or "&" as text.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.paginator import Paginator
from django.db import OperationalError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import ExpressionWrapper, F, FloatField, Func, Value
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import cache_control

from .models import Article, ArticleQuerySet
from .sanitize import html_to_text
from .views import PAGE_SIZE

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
# English stemming on PostgreSQL ("ships" finds "ship"); the GIN index is built for this config,
# so changing it needs a migration that rebuilds the index.
CONFIG = "english"
FTS_TABLE = "news_article_fts"
# Headline over standfirst over body, in the same proportions on both databases (PostgreSQL's
# default weights for A, B and C are 1.0, 0.4 and 0.2).
FTS_WEIGHTS = "5.0, 2.0, 1.0"

_START, _STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{_START}(.*?){_STOP}", re.DOTALL)
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


def search_articles(query: str) -> ArticleQuerySet:
    """Published stories matching `query`, best first, each with `rank` (higher is better) and
    `snippet` (safe HTML from the body's text). Any string is accepted; one with nothing to
    search for gives no stories. On SQLite this first brings the search table up to date."""
    text = read_query(query).text
    published = Article.objects.published()
    if not text:
        return published.none()
    connection = connections[published.db]
    if connection.vendor == "postgresql":
        return _search_postgresql(published, text)
    return _search_sqlite(published, text, connection=connection)


def search_vector() -> SearchVector:
    """The document searched on PostgreSQL. The GIN index of the 0006 migration is built on
    this exact expression: change one and the other must follow, in a new migration."""
    return (
        SearchVector("title", config=CONFIG, weight="A")
        + SearchVector("standfirst", config=CONFIG, weight="B")
        + SearchVector("body", config=CONFIG, weight="C")
    )


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
        published.alias(document=search_vector())
        .filter(document=query)
        .annotate(
            rank=SearchRank(F("document"), query),
            snippet=ExpressionWrapper(headline, output_field=SnippetField(source_is_html=True)),
        )
        .order_by("-rank", "-published_at", "-pk")
    )


class _FromFTS(Func):
    """One value computed by FTS5 for the story in hand (its bm25 score, its snippet)."""

    def __init__(self, select: str, match: str, *, output_field):
        super().__init__(Value(match), F("pk"), output_field=output_field)
        self.select = select

    def as_sql(self, compiler, connection, **extra_context):
        (match, match_params), (pk, pk_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        sql = (
            f"(SELECT {self.select} FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH {match} AND rowid = {pk})"
        )
        return sql, (*match_params, *pk_params)


def _search_sqlite(
    published: ArticleQuerySet, text: str, *, connection: BaseDatabaseWrapper
) -> ArticleQuerySet:
    match = fts5_query(text)
    if not match:
        return published.none()
    _refresh_sqlite_index(connection)
    return (
        published.filter(
            pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (match,))
        )
        .annotate(
            # bm25 is lower for better matches; negated so `rank` reads as on PostgreSQL.
            rank=_FromFTS(f"-bm25({FTS_TABLE}, {FTS_WEIGHTS})", match, output_field=FloatField()),
            snippet=_FromFTS(
                f"snippet({FTS_TABLE}, 2, char({ord(_START)}), char({ord(_STOP)}), ' … ', 30)",
                match,
                output_field=SnippetField(),
            ),
        )
        .order_by("-rank", "-published_at", "-pk")
    )


# Invalidation only: a story whose words change, or that is deleted, loses its row, and the
# next search indexes it again from Python.
_TRIGGERS = {
    "news_article_fts_changed": f"""
        CREATE TRIGGER news_article_fts_changed AFTER UPDATE OF title, standfirst, body
        ON news_article
        WHEN old.title IS NOT new.title OR old.standfirst IS NOT new.standfirst
            OR old.body IS NOT new.body
        BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END
    """,
    "news_article_fts_deleted": f"""
        CREATE TRIGGER news_article_fts_deleted AFTER DELETE ON news_article
        BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END
    """,
}


def _refresh_sqlite_index(connection: BaseDatabaseWrapper) -> None:
    """Index published stories that have no row yet; one query when there are none."""
    names = list(_TRIGGERS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
            f"({', '.join(['%s'] * len(names))})), EXISTS (SELECT 1 FROM news_article a "
            f"WHERE a.status = %s AND NOT EXISTS (SELECT 1 FROM {FTS_TABLE} f "
            "WHERE f.rowid = a.id))",
            [*names, Article.Status.PUBLISHED],
        )
        triggers, missing = cursor.fetchone()
    if triggers == len(names) and not missing:
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if triggers != len(names):
                for name, sql in _TRIGGERS.items():
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(sql)
                cursor.execute(f"DELETE FROM {FTS_TABLE}")
            stories = (
                Article.objects.using(connection.alias)
                .filter(status=Article.Status.PUBLISHED)
                .exclude(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE}", ()))
                .values_list("pk", "title", "standfirst", "body")
            )
            cursor.executemany(
                f"INSERT OR REPLACE INTO {FTS_TABLE} (rowid, title, standfirst, body) "
                "VALUES (%s, %s, %s, %s)",
                [
                    (pk, title, standfirst, html_to_text(body))
                    for pk, title, standfirst, body in stories
                ],
            )
    except OperationalError:
        # A writer held the database past the timeout: search what is indexed, catch up later.
        logger.warning("Search index not brought up to date", exc_info=True)


@cache_control(public=True, max_age=60)
def search_view(request: HttpRequest) -> HttpResponse:
    """The results page: never indexed by search engines, any input answered with a page."""
    query = read_query(request.GET.get("q", ""))
    results = search_articles(query.text).with_bylines()
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(
        request,
        "news/search.html",
        {
            "search_query": query.text,
            "query": query,
            "page_obj": page,
            "paginator": page.paginator,
            "articles": page.object_list,
            "is_paginated": page.has_other_pages(),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response
