"""Sitemaps, the Google News sitemap and robots.txt, parsed as XML and checked element by element
against the sitemaps.org protocol and Google's News sitemap reference."""

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsroom.news import sitemaps
from newsroom.news.models import Article, Correction
from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db

# Queries without the page cache, whatever the number of stories (tests/test_pagecache.py
# covers the cache).
QUERY_BUDGET = 6


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SECTIONS = ["stories", "topics", "authors", "archive"]
# W3C Datetime, complete date plus time and a time-zone designator.
W3C_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def absolute(path: str) -> str:
    return f"http://testserver{path}"


def section_url(section: str) -> str:
    return reverse("news:sitemap_section", kwargs={"section": section})


def fetch_xml(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def w3c(text: str) -> datetime:
    assert W3C_DATETIME.fullmatch(text), text
    return datetime.fromisoformat(text)


def seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def url_entries(root: ET.Element) -> dict[str, ET.Element]:
    """The <url> elements of a urlset by their <loc>, after checking what every one needs."""
    assert root.tag == f"{SITEMAP}urlset"
    entries = {}
    for url in root:
        assert url.tag == f"{SITEMAP}url"
        loc = url.findtext(f"{SITEMAP}loc")
        assert loc.startswith("http://testserver/")
        entries[loc] = url
    return entries


def lastmods(client, section: str) -> dict[str, datetime]:
    entries = url_entries(fetch_xml(client, section_url(section)))
    return {loc: w3c(url.findtext(f"{SITEMAP}lastmod")) for loc, url in entries.items()}


def every_location(client) -> set[str]:
    return {loc for section in SECTIONS for loc in lastmods(client, section)} | set(
        url_entries(fetch_xml(client, reverse("news:news_sitemap")))
    )


def archive_month(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return reverse("news:archive_month", kwargs={"year": local.year, "month": local.month})


def test_the_index_lists_every_section_with_its_lastmod(client):
    story = make_article(authors=[make_author()], tags=["Defence"])

    root = fetch_xml(client, reverse("news:sitemap"))

    assert root.tag == f"{SITEMAP}sitemapindex"
    listed = {
        entry.findtext(f"{SITEMAP}loc"): w3c(entry.findtext(f"{SITEMAP}lastmod"))
        for entry in root.iter(f"{SITEMAP}sitemap")
    }
    assert listed == {
        absolute(section_url(section)): seconds(story.published_at) for section in SECTIONS
    }


def test_each_section_lists_its_pages_with_absolute_locations_and_lastmod(client):
    author = make_author()
    older = make_article(
        authors=[author], tags=["Defence"], published_at=timezone.now() - timedelta(days=40)
    )
    newer = make_article(
        authors=[author],
        tags=["Defence", "Japan"],
        published_at=timezone.now() - timedelta(hours=1),
    )

    assert lastmods(client, "stories") == {
        absolute(newer.get_absolute_url()): seconds(newer.published_at),
        absolute(older.get_absolute_url()): seconds(older.published_at),
    }
    assert lastmods(client, "topics") == {
        absolute(reverse("news:tag_detail", kwargs={"slug": "defence"})): seconds(
            newer.published_at
        ),
        absolute(reverse("news:tag_detail", kwargs={"slug": "japan"})): seconds(newer.published_at),
    }
    assert lastmods(client, "authors") == {
        absolute(author.get_absolute_url()): seconds(newer.published_at)
    }
    assert lastmods(client, "archive") == {
        absolute(archive_month(older.published_at)): seconds(older.published_at),
        absolute(archive_month(newer.published_at)): seconds(newer.published_at),
    }


def test_a_large_section_is_split_into_pages_the_index_lists(client, monkeypatch):
    monkeypatch.setattr(sitemaps.StorySitemap, "limit", 2)
    for _ in range(3):
        make_article()

    index = fetch_xml(client, reverse("news:sitemap"))
    page_two = section_url("stories") + "?p=2"

    assert absolute(page_two) in {loc.text for loc in index.iter(f"{SITEMAP}loc")}
    assert len(url_entries(fetch_xml(client, page_two))) == 1
    assert client.get(section_url("stories") + "?p=3").status_code == 404


def test_an_unknown_section_is_not_found(client):
    assert client.get(section_url("drafts")).status_code == 404


def test_no_sitemap_lists_a_story_readers_cannot_see_or_what_only_such_stories_fill(client):
    author = make_author()
    live = make_article(title="Live", authors=[author], tags=["Defence"])
    past = timezone.now() - timedelta(hours=12)
    long_ago = timezone.now() - timedelta(days=400)
    for status, published_at in [
        (Article.Status.DRAFT, past),
        (Article.Status.REVIEW, long_ago),
        (Article.Status.PUBLISHED, timezone.now() + timedelta(hours=1)),
        (Article.Status.PUBLISHED, timezone.now() + timedelta(days=60)),
        (Article.Status.UNPUBLISHED, past),
        (Article.Status.UNPUBLISHED, long_ago),
    ]:
        make_article(
            status=status,
            published_at=published_at,
            authors=[author, make_author()],
            tags=["Defence", "Secret"],
        )

    assert every_location(client) == {
        absolute(live.get_absolute_url()),
        absolute(reverse("news:tag_detail", kwargs={"slug": "defence"})),
        absolute(author.get_absolute_url()),
        absolute(archive_month(live.published_at)),
    }


def test_a_story_republished_from_elsewhere_is_left_to_its_canonical_address(client):
    ours = make_article(title="Ours")
    theirs = make_article(title="Theirs")
    Article.objects.filter(pk=theirs.pk).update(canonical_url="https://example.com/original")

    locations = every_location(client)

    assert absolute(ours.get_absolute_url()) in locations
    assert absolute(theirs.get_absolute_url()) not in locations


def test_story_lastmod_ignores_a_draft_save_and_follows_a_correction_note(client):
    story = make_article(published_at=timezone.now() - timedelta(days=3))
    loc = absolute(story.get_absolute_url())

    story.body = "<p>A draft of a later edit, saved but not announced.</p>"
    story.save()
    assert lastmods(client, "stories")[loc] == seconds(story.published_at)

    noted = timezone.now() - timedelta(hours=2)
    Correction.objects.create(article=story, text="The date was wrong.", noted_at=noted)
    Correction.objects.create(
        article=story,
        text="Scheduled, not yet shown.",
        noted_at=timezone.now() + timedelta(hours=1),
    )
    assert lastmods(client, "stories")[loc] == seconds(noted)


def test_news_sitemap_has_every_element_google_requires(client, settings):
    settings.NEWSROOM_SITE_NAME = "The Example Times"
    story = make_article(
        title='Merger talks: "A" & B', published_at=timezone.now() - timedelta(hours=5)
    )

    root = fetch_xml(client, reverse("news:news_sitemap"))

    (url,) = url_entries(root).values()
    assert url.findtext(f"{SITEMAP}loc") == absolute(story.get_absolute_url())
    (news,) = url.findall(f"{NEWS}news")
    (publication,) = news.findall(f"{NEWS}publication")
    assert publication.findtext(f"{NEWS}name") == "The Example Times"
    assert publication.findtext(f"{NEWS}language") == "en"
    published = w3c(news.findtext(f"{NEWS}publication_date"))
    assert published == seconds(story.published_at)
    assert news.findtext(f"{NEWS}title") == story.title


def test_news_sitemap_lists_only_stories_first_published_in_the_last_48_hours(client):
    now = timezone.now()
    recent = make_article(published_at=now - timedelta(hours=1))
    two_days = make_article(published_at=now - timedelta(hours=47, minutes=50))
    make_article(published_at=now - timedelta(hours=49))

    entries = url_entries(fetch_xml(client, reverse("news:news_sitemap")))

    assert list(entries) == [
        absolute(recent.get_absolute_url()),
        absolute(two_days.get_absolute_url()),
    ]


def test_news_sitemap_stops_at_its_cap_keeping_the_newest(client, monkeypatch):
    monkeypatch.setattr(sitemaps, "NEWS_LIMIT", 2)
    now = timezone.now()
    stories = [make_article(published_at=now - timedelta(hours=n)) for n in (1, 2, 3)]

    entries = url_entries(fetch_xml(client, reverse("news:news_sitemap")))

    assert list(entries) == [absolute(s.get_absolute_url()) for s in stories[:2]]


def test_news_sitemap_cap_is_googles_thousand():
    assert sitemaps.NEWS_LIMIT == 1000


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [
        ("en-gb", "en"),
        ("en", "en"),
        ("pt-BR", "pt"),
        ("fil", "fil"),
        ("zh-hans", "zh-cn"),
        ("zh-cn", "zh-cn"),
        ("zh-hant", "zh-tw"),
        ("zh-hk", "zh-tw"),
    ],
)
def test_news_language_is_the_iso_639_code_google_accepts(language_code, expected):
    assert sitemaps.news_language(language_code) == expected


def test_robots_txt_keeps_crawlers_out_of_admin_previews_and_search_and_names_both_sitemaps(
    client,
):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = {line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow:")}
    assert disallowed == {reverse("admin:index"), "/preview/", reverse("search:search")}
    assert reverse("desk:article_preview", kwargs={"token": "t"}).startswith("/preview/")
    named = [line.removeprefix("Sitemap: ") for line in lines if line.startswith("Sitemap:")]
    assert named == [absolute(reverse("news:sitemap")), absolute(reverse("news:news_sitemap"))]
    for url in named:
        assert client.get(url).status_code == 200


SITEMAP_URLS = [
    pytest.param(reverse_args, id=reverse_args[1].get("section", reverse_args[0]))
    for reverse_args in [
        ("news:sitemap", {}),
        ("news:news_sitemap", {}),
        *(("news:sitemap_section", {"section": section}) for section in SECTIONS),
    ]
]


@pytest.mark.parametrize("reverse_args", SITEMAP_URLS)
def test_sitemap_query_count_does_not_grow_with_the_stories(
    client, settings, django_assert_max_num_queries, reverse_args
):
    settings.NEWSROOM_PAGE_CACHE = False
    name, kwargs = reverse_args
    url = reverse(name, kwargs=kwargs)

    def add_stories(count: int, *, days_back: int) -> None:
        for n in range(count):
            published_at = timezone.now() - timedelta(days=days_back * n, hours=1)
            story = make_article(
                published_at=published_at,
                authors=[make_author(), make_author()],
                tags=[f"Topic {days_back}-{n}"],
            )
            Correction.objects.create(article=story, text="A fix.")

    add_stories(2, days_back=0)
    with CaptureQueriesContext(connection) as few:
        fetch_xml(client, url)
    assert len(few.captured_queries) <= QUERY_BUDGET
    add_stories(10, days_back=35)

    with django_assert_max_num_queries(len(few.captured_queries)):
        fetch_xml(client, url)
