"""RSS and Atom feeds, read back with feedparser as a feed reader would."""

import re
from calendar import timegm
from datetime import timedelta
from html import unescape

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsroom.news import feeds
from newsroom.news.models import Article, Correction
from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db

# Queries without the page cache, whatever the number of stories (tests/test_pagecache.py
# covers the cache).
QUERY_BUDGET = 6


FORMATS = ["rss", "atom"]


def latest(fmt: str, **_) -> str:
    return reverse(f"news:feed_{fmt}")


def tagged(fmt: str, *, tag: str = "defence", **_) -> str:
    return reverse(f"news:tag_feed_{fmt}", kwargs={"slug": tag})


def by_author(fmt: str, *, author, **_) -> str:
    return reverse(f"news:author_feed_{fmt}", kwargs={"slug": author.slug})


EVERY_FEED = [
    pytest.param(kind, fmt, id=f"{kind.__name__}-{fmt}")
    for kind in (latest, tagged, by_author)
    for fmt in FORMATS
]


def read(client, url: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def titles(parsed) -> list[str]:
    return [entry.title for entry in parsed.entries]


@pytest.mark.parametrize(("kind", "fmt"), EVERY_FEED)
def test_every_feed_parses_cleanly_and_items_carry_every_field(client, kind, fmt):
    first, second = make_author(name="Zoë Ames"), make_author(name="Ben O'Hara & Co")
    story = make_article(
        title='Drones & "allies" <at> sea',
        # Plain text that would change if read as HTML: a tag and an entity, written out.
        standfirst='Ankara talks: less < more, "<em>" & AT&amp;T are text.',
        authors=[first, second],
        tags=["Defence", "Japan"],
    )

    parsed = read(client, kind(fmt, author=first))

    (entry,) = parsed.entries
    url = f"http://testserver{story.get_absolute_url()}"
    assert entry.title == story.title
    assert entry.link == url
    assert entry.id == url
    assert unescape(entry.summary) == story.standfirst
    assert timegm(entry.published_parsed) == int(story.published_at.timestamp())
    assert [author.name for author in entry.authors] == ["Zoë Ames", "Ben O'Hara & Co"]
    assert sorted(tag.term for tag in entry.tags) == ["Defence", "Japan"]
    assert parsed.feed.language == "en-gb"
    assert parsed.feed.title.startswith("Newsroom: ")
    assert parsed.feed.link.startswith("http://testserver/")


def test_rss_marks_the_guid_as_the_permalink_and_names_authors_in_dublin_core(client):
    author = make_author(name="Ann Lee")
    story = make_article(authors=[author])

    xml = client.get(latest("rss")).content.decode()

    url = f"http://testserver{story.get_absolute_url()}"
    assert f'<guid isPermaLink="true">{url}</guid>' in xml
    assert 'xmlns:dc="http://purl.org/dc/elements/1.1/"' in xml
    assert "<dc:creator>Ann Lee</dc:creator>" in xml
    # RSS's own <author> must be an e-mail address; we have none to give.
    assert "<author>" not in xml


def test_atom_authors_link_to_their_pages(client):
    first, second = make_author(), make_author()
    make_article(authors=[first, second])

    (entry,) = read(client, latest("atom")).entries

    assert [a.href for a in entry.authors] == [
        f"http://testserver{first.get_absolute_url()}",
        f"http://testserver{second.get_absolute_url()}",
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_story_without_a_byline_is_credited_to_the_desk(client, settings, fmt):
    settings.NEWSROOM_DESK_BYLINE = "The Desk"
    make_article(authors=[])

    (entry,) = read(client, latest(fmt)).entries

    assert [a.name for a in entry.authors] == ["The Desk"]


def test_atom_updated_is_the_latest_note_else_the_publication_time(client):
    published = timezone.now() - timedelta(days=2)
    noted = timezone.now() - timedelta(hours=3)
    corrected = make_article(title="Corrected", published_at=published)
    make_article(title="Untouched", published_at=published - timedelta(hours=1))
    Correction.objects.create(article=corrected, text="A name was misspelt.", noted_at=noted)
    # A note scheduled for later is not yet visible, so it is not the update time.
    Correction.objects.create(
        article=corrected, text="Not yet.", noted_at=timezone.now() + timedelta(days=1)
    )

    updated = {e.title: timegm(e.updated_parsed) for e in read(client, latest("atom")).entries}

    assert updated == {
        "Corrected": int(noted.timestamp()),
        "Untouched": int((published - timedelta(hours=1)).timestamp()),
    }


@pytest.mark.parametrize(("kind", "fmt"), EVERY_FEED)
def test_only_live_published_stories_appear_in_any_feed(client, kind, fmt):
    author = make_author()
    past = timezone.now() - timedelta(days=1)
    make_article(title="Live", authors=[author], tags=["Defence"])
    for title, status, published_at in [
        ("Draft", Article.Status.DRAFT, past),
        ("In review", Article.Status.REVIEW, past),
        ("Scheduled", Article.Status.PUBLISHED, timezone.now() + timedelta(hours=1)),
        ("Unpublished", Article.Status.UNPUBLISHED, past),
    ]:
        make_article(
            title=title,
            status=status,
            published_at=published_at,
            authors=[author],
            tags=["Defence"],
        )

    assert titles(read(client, kind(fmt, author=author))) == ["Live"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_tag_and_author_feeds_hold_only_their_own_stories(client, fmt):
    ours, theirs = make_author(), make_author()
    make_article(title="Ours on defence", authors=[ours], tags=["Defence"])
    make_article(title="Theirs on trade", authors=[theirs], tags=["Trade"])

    assert titles(read(client, tagged(fmt, tag="defence"))) == ["Ours on defence"]
    assert titles(read(client, by_author(fmt, author=theirs))) == ["Theirs on trade"]


def test_a_feed_holds_the_latest_fifty_stories_newest_first(client):
    now = timezone.now()
    for n in range(feeds.FEED_LENGTH + 1):
        make_article(title=f"Story {n:02}", published_at=now - timedelta(minutes=n))

    shown = titles(read(client, latest("rss")))

    assert shown == [f"Story {n:02}" for n in range(50)]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["tags", "authors"])
def test_an_unknown_tag_or_author_has_no_feed(client, kind, fmt):
    assert client.get(f"/{kind}/no-such-slug/feed.{fmt}").status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_tag_with_no_live_story_has_no_feed(client, fmt):
    make_article(status=Article.Status.DRAFT, tags=["Secret"])
    make_article(published_at=timezone.now() + timedelta(hours=1), tags=["Secret"])

    assert client.get(tagged(fmt, tag="secret")).status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_author_with_no_live_story_has_an_empty_feed(client, fmt):
    author = make_author()
    make_article(status=Article.Status.DRAFT, authors=[author])

    assert read(client, by_author(fmt, author=author)).entries == []


@pytest.mark.parametrize(("kind", "fmt"), EVERY_FEED)
def test_feed_query_count_does_not_grow_with_the_stories(
    client, settings, django_assert_max_num_queries, kind, fmt
):
    settings.NEWSROOM_PAGE_CACHE = False
    author = make_author()

    def add_stories(count: int) -> None:
        for _ in range(count):
            story = make_article(authors=[author, make_author()], tags=["Defence", "Japan"])
            Correction.objects.create(article=story, text="Fixed a date.")

    add_stories(2)
    with CaptureQueriesContext(connection) as few:
        read(client, kind(fmt, author=author))
    assert len(few.captured_queries) <= QUERY_BUDGET
    add_stories(10)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(read(client, kind(fmt, author=author)).entries) == 12


def test_tag_and_author_pages_link_to_their_feeds(client):
    author = make_author()
    make_article(authors=[author], tags=["Defence"])

    tag_page = client.get(reverse("news:tag_detail", kwargs={"slug": "defence"})).content.decode()
    author_page = client.get(author.get_absolute_url()).content.decode()

    for html, own in [(tag_page, tagged), (author_page, by_author)]:
        for fmt in FORMATS:
            for url in (latest(fmt), own(fmt, author=author)):
                link = rf'<link rel="alternate" type="application/{fmt}\+xml" title="[^"]+" '
                assert re.search(link + f'href="{re.escape(url)}">', html), (url, html)


@pytest.mark.parametrize("fmt", FORMATS)
def test_items_carry_the_story_type_and_the_ai_disclosure(client, fmt):
    make_article(
        title="Why drones",
        standfirst="An argument.",
        article_type=Article.Type.OPINION,
        ai_use=Article.AIUse.GENERATED,
        ai_note="Drafted by a model, checked by Ann Lee",
        tags=["Defence"],
    )
    make_article(
        title="Bank offer",
        standfirst="Save more.",
        article_type=Article.Type.SPONSORED,
        sponsor_name="Acme Bank",
    )
    make_article(title="Plain", standfirst="Just news.", ai_use=Article.AIUse.ASSISTED)
    entries = {entry.title: entry for entry in read(client, latest(fmt)).entries}
    opinion, sponsored, plain = entries["Why drones"], entries["Bank offer"], entries["Plain"]
    assert [tag.term for tag in opinion.tags] == ["Opinion", "Defence"]
    assert unescape(opinion.summary) == (
        "AI-generated: Drafted by a model, checked by Ann Lee. An argument."
    )
    assert [tag.term for tag in sponsored.tags] == ["Sponsored"]
    assert unescape(sponsored.summary) == "Sponsored content, paid for by Acme Bank. Save more."
    assert "tags" not in plain
    assert unescape(plain.summary) == "AI-assisted. Just news."
