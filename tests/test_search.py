"""Search: what it finds, in what order, what it shows, and that no input breaks it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom.news.models import Article
from newsroom.search.query import (
    MAX_QUERY_LENGTH,
    fts5_query,
    read_query,
    search_articles,
    snippet_html,
)
from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's search table")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index")

HOSTILE_QUERIES = [
    '"',
    '"Shirahama',
    "'",
    "*",
    "Shira*",
    "NEAR(drones ankara)",
    "NEAR",
    "AND",
    "drones AND",
    "OR OR",
    "NOT",
    "-",
    "((drones",
    "drones))",
    "title:drones",
    "^drones",
    ":*",
    "!",
    "&",
    "|",
    "\\",
    "%",
    "<script>alert(1)</script>",
    "'); DROP TABLE news_article; --",
    "\x00",
    "Shira\x00hama",
    "\u202e\ufeff\ue000\ue001",
    # Long, but within the address limit the site answers (see tests/test_limits.py).
    "drones " * 500,
]


def titles(query: str) -> list[str]:
    return [article.title for article in search_articles(query)]


def results_page(client, **params) -> str:
    response = client.get("/search/", params)
    assert response.status_code == 200, params
    return response.content.decode()


def test_finds_the_seed_story_by_a_word_only_in_its_body(client, seed_article):
    assert "Shirahama" in seed_article.body
    assert "Shirahama" not in seed_article.title + seed_article.standfirst
    assert titles("Shirahama") == [seed_article.title]
    assert seed_article.get_absolute_url() in results_page(client, q="shirahama")


def test_finds_a_story_by_a_headline_word_and_by_a_standfirst_word():
    story = make_article(
        title="Lighthouse keepers strike", standfirst="Lamps go dark on the coast."
    )
    make_article(title="Something else entirely")
    assert titles("lighthouse") == [story.title]
    assert titles("lamps") == [story.title]


def test_all_words_must_match():
    make_article(title="Harbour fish market", body="<p>Tuna at dawn.</p>")
    assert titles("harbour tuna") == ["Harbour fish market"]
    assert titles("harbour salmon") == []


def test_a_headline_match_ranks_above_a_standfirst_match_above_a_body_match():
    now = timezone.now()
    # Newest first would give the opposite order: only the weights can put the headline first.
    make_article(
        title="Old news",
        standfirst="Nothing here.",
        published_at=now - timedelta(days=3),
        body="<p>Nothing.</p>",
    )
    make_article(title="Body", body="<p>A typhoon passed by.</p>", published_at=now)
    make_article(
        title="Standfirst",
        standfirst="A typhoon is coming.",
        body="<p>Rain.</p>",
        published_at=now - timedelta(hours=1),
    )
    make_article(title="Typhoon warning", body="<p>Wind.</p>", published_at=now - timedelta(days=2))
    assert titles("typhoon") == ["Typhoon warning", "Standfirst", "Body"]


def test_never_finds_drafts_stories_in_review_scheduled_or_unpublished_stories(client):
    for status in (Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.UNPUBLISHED):
        make_article(title=f"Walrus {status}", status=status)
    make_article(title="Walrus tomorrow", published_at=timezone.now() + timedelta(days=1))
    make_article(title="Walrus today")
    pulled = make_article(title="Walrus pulled")
    assert sorted(titles("walrus")) == ["Walrus pulled", "Walrus today"]
    # Unpublished after the search indexed it: still never shown.
    pulled.status = Article.Status.UNPUBLISHED
    pulled.save()
    assert titles("walrus") == ["Walrus today"]
    html = results_page(client, q="walrus")
    assert "Walrus today" in html
    hidden = ("draft", "review", "unpublished", "tomorrow", "pulled")
    assert [word for word in hidden if f"Walrus {word}" in html] == []


def test_an_edited_story_is_found_by_its_new_words_and_not_its_old_ones():
    story = make_article(title="Penguin parade", body="<p>Seen at the zoo.</p>")
    assert titles("zoo") == [story.title]
    story.title = "Puffin parade"
    story.body = "<p>Seen at the aquarium.</p>"
    story.save()
    assert titles("zoo") == []
    assert titles("penguin") == []
    assert titles("aquarium puffin") == ["Puffin parade"]


def test_a_deleted_story_is_no_longer_found():
    story = make_article(title="Albatross sighting")
    assert titles("albatross") == [story.title]
    story.delete()
    assert titles("albatross") == []


def test_words_inside_tags_and_links_are_not_searched():
    make_article(
        title="Linked",
        body='<p><strong>Bold</strong> claim, <a href="https://example.com/quokka">source</a>.</p>',
    )
    assert titles("strong") == []
    assert titles("quokka") == []
    assert titles("bold source") == ["Linked"]


def test_snippet_marks_the_matched_words_and_escapes_everything_else():
    make_article(
        title="Markup in the text",
        # The stored body is HTML: real tags, and text that merely looks like markup.
        body="<p>The narwhal ate fish &amp; chips near a <b>bold</b> sign that read "
        "&lt;script&gt;alert(1)&lt;/script&gt; all day.</p>",
    )
    [article] = search_articles("narwhal")
    assert "<mark>narwhal</mark>" in article.snippet
    assert "fish &amp; chips" in article.snippet
    assert "&lt;script&gt;alert(1)" in article.snippet
    assert "near a bold sign" in article.snippet  # the tags gone, their words kept
    assert "<b>" not in article.snippet and "<script>" not in article.snippet
    assert article.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_snippet_html_escapes_text_and_decodes_entities_only_when_told():
    marked = "a <b> & \ue000word\ue001 &amp; \ue001stray"
    assert snippet_html(marked, source_is_html=False) == (
        "a &lt;b&gt; &amp; <mark>word</mark> &amp;amp; stray"
    )
    assert snippet_html(marked, source_is_html=True) == (
        "a &lt;b&gt; &amp; <mark>word</mark> &amp; stray"
    )


def test_results_page_shows_the_count_the_cards_and_highlighted_snippets(client, seed_article):
    make_article(title="Shirahama beach reopens", authors=[make_author(name="Ann Lee")])
    html = results_page(client, q="Shirahama")
    assert "2 stories match <q>Shirahama</q>" in html
    assert "<mark>Shirahama</mark>" in html
    assert "Ann Lee" in html
    assert 'value="Shirahama"' in html  # the masthead box shows what was searched
    assert "1 story matches" in results_page(client, q="Shirahama beach")


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_get_a_page_never_an_error(client, seed_article, query):
    html = results_page(client, q=query)
    assert '<h1 class="page-title">Search</h1>' in html


def test_the_query_is_shown_escaped(client):
    html = results_page(client, q='<script>alert(1)</script>"><b>')
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;b&gt;" in html
    assert "<script>alert" not in html


@pytest.mark.parametrize("query", ['"Shirahama', "Shirahama*", "(Shirahama)", "Shirahama ^\x00"])
def test_a_real_word_wrapped_in_stray_syntax_is_still_found(seed_article, query):
    assert titles(query) == [seed_article.title]


def test_fts5_query_makes_every_word_a_quoted_string():
    assert fts5_query('NEAR(a b) AND "c d" e* "" ^ "unbalanced') == (
        '"NEAR(a" "b)" "AND" "c d" "e*" "unbalanced"'
    )
    assert fts5_query("* ^ ( ) : -") == ""


@on_sqlite
def test_sqlite_searches_query_syntax_as_plain_words():
    make_article(title="Near the harbour", body="<p>Boats and nets.</p>")
    assert titles("NEAR") == ["Near the harbour"]
    assert titles("boats AND nets") == ["Near the harbour"]
    assert titles("harbour NOT") == []


def test_an_empty_query_prompts_for_words_and_lists_nothing(client, seed_article):
    for params in ({}, {"q": ""}, {"q": "   "}, {"q": "\x00"}):
        html = results_page(client, **params)
        assert "Type a few words" in html
        assert 'class="card"' not in html


def test_a_query_with_no_match_says_so(client, seed_article):
    assert "No stories match <q>zzyzx</q>" in results_page(client, q="zzyzx")


def test_a_long_query_is_trimmed_at_a_space_with_a_note(client, seed_article):
    query = read_query("Shirahama " + "lorem " * 100)
    assert query.trimmed
    assert len(query.text) <= MAX_QUERY_LENGTH
    assert query.text.endswith("lorem")
    assert read_query("x" * 10_000) == read_query("x" * MAX_QUERY_LENGTH + " y")
    assert read_query("  a\x00b\n c ") == read_query("a b c")
    html = results_page(client, q="Shirahama " + "x" * 3000)
    assert "Your search was too long" in html
    assert "Your search was too long" not in results_page(client, q="Shirahama")


@pytest.mark.parametrize("page", ["abc", "999", "0", "-1", "1.5", "9" * 30, "\x00", ""])
def test_any_page_number_gets_a_page(client, page):
    for n in range(3):
        make_article(title=f"Otter story {n}")
    html = results_page(client, q="otter", page=page)
    assert html.count('class="card"') == 3


def test_results_are_paginated_and_the_links_keep_the_query(client):
    for n in range(25):
        make_article(title=f"Heron story {n:02}")
    first = results_page(client, q="heron story")
    assert first.count('class="card"') == 20
    assert '<a href="?q=heron%20story&amp;page=2" rel="next">' in first
    second = results_page(client, q="heron story", page=2)
    assert second.count('class="card"') == 5
    assert '<a href="?q=heron%20story&amp;page=1" rel="prev">' in second


def test_results_page_is_noindex_in_meta_and_header(client, seed_article):
    for params in ({"q": "Shirahama"}, {}, {"q": "zzyzx"}):
        response = client.get("/search/", params)
        assert response["X-Robots-Tag"] == "noindex"
        html = response.content.decode()
        assert '<meta name="robots" content="noindex">' in html
        assert "max-image-preview" not in html


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_results(client, django_assert_max_num_queries):
    for _ in range(3):
        make_article(title="Pelican report", authors=[make_author()], tags=["Birds"])
    _queries_for(client, "/search/?q=pelican")  # index the new stories, warm content types
    few = _queries_for(client, "/search/?q=pelican")
    for _ in range(22):
        make_article(
            title="Pelican report", authors=[make_author(), make_author()], tags=["A", "B"]
        )
    _queries_for(client, "/search/?q=pelican")
    assert _queries_for(client, "/search/?q=pelican") == few
    with django_assert_max_num_queries(5):
        client.get("/search/?q=pelican")


@on_sqlite
def test_sqlite_search_reinstalls_lost_triggers_and_reindexes():
    story = make_article(title="Gannet colony")
    assert titles("gannet") == [story.title]
    # What a table rebuild by a later migration does to triggers on SQLite.
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER news_article_fts_changed")
        cursor.execute("DROP TRIGGER news_article_fts_deleted")
    story.title = "Cormorant colony"
    story.save()
    assert titles("gannet") == []
    assert titles("cormorant") == [story.title]


def test_stories_written_without_save_are_found_by_their_new_words():
    story = make_article(title="Heron count")
    assert titles("heron") == [story.title]
    Article.objects.filter(pk=story.pk).update(title="Osprey count")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE news_article SET standfirst = %s WHERE id = %s", ["Egrets too", story.pk]
        )
    assert titles("heron") == []
    assert titles("osprey") == ["Osprey count"]
    assert titles("egrets") == ["Osprey count"]


@on_postgresql
def test_postgresql_search_uses_the_gin_index():
    # Enough stories that reading each one's text costs more than the index, as in production.
    for n in range(300):
        make_article(title=f"Gull {n}")
    make_article(title="Kingfisher")
    with connection.cursor() as cursor:
        # What autovacuum does in production: new entries merged into the index, fresh stats.
        cursor.execute("SELECT gin_clean_pending_list('news_article_search'::regclass)")
        cursor.execute("ANALYZE news_article")
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search_articles("kingfisher").explain()
    assert "news_article_search" in plan, plan
