"""Readers' pages."""

import ast
import calendar
import re
from datetime import datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import html5lib
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.views.defaults import permission_denied

from newsroom.desk import preview
from newsroom.news import views
from newsroom.news.models import Article, Correction
from newsroom.publisher.models import Policy
from newsroom.search import views as search_views
from tests.factories import (
    make_article,
    make_author,
    make_fact_check,
    make_policy,
    make_related_link,
    make_update,
)

pytestmark = pytest.mark.django_db

# The SQL budget of a page without the page cache (tests/test_pagecache.py covers it on).
STORY_PAGE_QUERIES = 4
LISTING_PAGE_QUERIES = 6


@pytest.fixture
def uncached(settings):
    settings.NEWSROOM_PAGE_CACHE = False


HEADLINE = "Japan's Defence Minister Visits Turkey for Defence Cooperation, Drones"
ESCAPED_HEADLINE = HEADLINE.replace("'", "&#x27;")


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_home_lists_the_seed_story(client, seed_article):
    html = page(client, "/")
    assert ESCAPED_HEADLINE in html
    assert seed_article.get_absolute_url() in html


def test_home_lists_newest_first_and_hides_drafts_and_scheduled(client):
    make_article(title="Older", published_at=timezone.now() - timedelta(days=2))
    make_article(title="Newer", published_at=timezone.now() - timedelta(hours=1))
    make_article(title="A draft", status=Article.Status.DRAFT)
    make_article(title="Tomorrow", published_at=timezone.now() + timedelta(days=1))
    html = page(client, "/")
    assert html.index("Newer") < html.index("Older")
    assert "A draft" not in html
    assert "Tomorrow" not in html


def test_home_is_paginated_with_rel_links(client):
    for n in range(25):
        make_article(title=f"Paged story {n:02}")
    first = page(client, "/")
    assert '<link rel="next" href="?page=2">' in first
    second = page(client, "/?page=2")
    assert '<link rel="prev" href="?page=1">' in second
    assert client.get("/?page=9").status_code == 404
    assert client.get("/?page=abc").status_code == 404


def test_deep_listings_count_only_a_few_pages_ahead_and_end_in_a_404(client, monkeypatch):
    from newsroom.news import views

    monkeypatch.setattr(views, "COUNT_AHEAD_PAGES", 1)
    monkeypatch.setattr(views.TagDetailView, "paginate_by", 2)
    for n in range(7):
        make_article(title=f"Counted story {n}", tags=["Counting"])
    first = page(client, "/tags/counting/")
    # Four stories counted and more beyond: no total to show, but the next page is linked.
    assert "Page 1</span>" in first
    assert '<link rel="next" href="?page=2">' in first
    last = page(client, "/tags/counting/?page=4")
    assert "Page 4 of 4" in last
    assert 'rel="next"' not in last
    assert client.get("/tags/counting/?page=5").status_code == 404


def test_article_page_shows_the_seed_story_cleanly(client, seed_article):
    html = page(client, seed_article.get_absolute_url())
    assert f'<h1 class="story__title">{ESCAPED_HEADLINE}</h1>' in html
    text = unescape(html)
    paragraphs = [
        "Gen. Nakatani, Japan's defense minister",
        "Turkey, a NATO member eager",
        "Japan is evaluating Turkey",
        "Nakatani plans to visit a Turkish navy shipyard",
        "The ministry stated that the visit",
        "Turkey has become well-known for its drone technologies",
        "The meetings in Ankara",
        "Turkey's military sector",
        "Japan's interest in drones",
        "Drones are becoming increasingly important",
    ]
    positions = [text.index(p, text.index("<main")) for p in paragraphs]
    assert positions == sorted(positions)
    assert all(text.count(p) == 1 for p in paragraphs[1:])
    # Both links have their place in the story (see the next test), so no list under it.
    assert text.count('<aside class="also-read"') == 2
    assert '<aside class="related"' not in text
    for junk in (
        "Separator",
        "Also Read:",
        "Current Issue",
        "Do you like Cookies?",
        "We use cookies to ensure you get the best experience",
    ):
        assert junk not in text
    assert ">img<" not in text
    assert "\nimg\n" not in text


def scraped_story(path: Path) -> list[str]:
    """The scraped file's story, line by line as its source showed it: each paragraph (the
    first is the standfirst) and "Also read: <headline>" where an "Also Read" line stood."""
    lines = [" ".join(line.split()) for line in path.read_text(encoding="utf-8").splitlines()]
    story = lines[lines.index(HEADLINE) + 1 : lines.index("Current Issue")]
    return [
        re.sub(r"^Also Read:\s*", "Also read: ", line)
        for line in story
        if line and line not in ("Separator", "img")
    ]


def story_as_read(html: str) -> list[str]:
    """The story page as a reader reads it: the standfirst, then the body's paragraphs and
    "Also read" asides in page order."""
    root = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)

    def text(element) -> str:
        return " ".join("".join(element.itertext()).split())

    standfirst = root.find(".//p[@class='story__standfirst']")
    body = root.find(".//div[@class='story__body']")
    return [text(standfirst)] + [
        text(child) for child in body if child.tag == "p" or child.get("class") == "also-read"
    ]


def test_seed_story_shows_each_also_read_where_the_scraped_text_had_it(
    client, seed_article, seed_path
):
    expected = scraped_story(seed_path)
    assert [line for line in expected if line.startswith("Also read: ")] == [
        "Also read: 5 Surprising Business Leaders Who Attended Trump's Inauguration",
        "Also read: Advice from 5 CFOs Germinating Growth and Innovation in 2025",
    ]
    assert story_as_read(page(client, seed_article.get_absolute_url())) == expected


def test_an_also_read_aside_is_labelled_by_its_own_words_and_links_when_it_can(client):
    ours = make_article(title="Drones Over The Strait")
    story = make_article(body="<p>One.</p><p>Two.</p>")
    theirs = make_related_link(
        article=story, title="<b>Theirs</b>", url="https://example.com/t", after_paragraph=1
    )
    namesake = make_related_link(article=story, title="drones over the strait", after_paragraph=2)
    unknown = make_related_link(article=story, title="Nowhere to be found", after_paragraph=2)
    html = page(client, story.get_absolute_url())
    body = html[html.index('<div class="story__body">') : html.index("</article>")]
    assert body.index("One.") < body.index("Theirs") < body.index("Two.") < body.index("drones")
    assert body.index("drones over the strait") < body.index("Nowhere to be found")
    for link, shown in (
        (theirs, '<a href="https://example.com/t">&lt;b&gt;Theirs&lt;/b&gt;</a>'),
        (namesake, f'<a href="{ours.get_absolute_url()}">drones over the strait</a>'),
        (unknown, "Nowhere to be found</p>"),
    ):
        label = f"also-read-{link.pk}"
        assert f'<aside class="also-read" aria-labelledby="{label}">' in body
        assert f'<p id="{label}"><span class="also-read__label">Also read:</span> {shown}' in body
    assert '<aside class="related"' not in html


def test_links_without_a_place_stay_under_the_story(client):
    story = make_article(body="<p>One.</p>", related=[("Listed", "https://example.com/l")])
    make_related_link(article=story, title="Placed", url="https://example.com/p", after_paragraph=1)
    html = page(client, story.get_absolute_url())
    related = html[html.index('<aside class="related"') :]
    assert "Listed" in related and "Placed" not in related
    assert html.count('<aside class="also-read"') == 1


def test_article_page_has_semantic_structure(client):
    author = make_author(name="Ayşe Demir")
    article = make_article(title="Structured", authors=[author], tags=["Defence"])
    html = page(client, article.get_absolute_url())
    assert '<html lang="en-gb">' in html
    assert "<article" in html and "<header" in html
    assert f'<a href="/authors/{author.slug}/" rel="author">Ayşe Demir</a>' in html
    stamp = timezone.localtime(article.published_at).isoformat(timespec="seconds")
    assert f'<time datetime="{stamp}">' in html
    assert '<a href="/tags/defence/" rel="tag">Defence</a>' in html
    assert '<meta name="description" content="A short summary of the story.">' in html
    assert "<title>Structured · Newsroom</title>" in html


def test_byline_keeps_the_desk_order(client):
    first, second, third = (make_author(name=n) for n in ("Zed", "Amy", "Max"))
    article = make_article(authors=[first, second, third])
    html = page(client, article.get_absolute_url())
    assert html.index(">Zed<") < html.index(">Amy<") < html.index(">Max<")


@pytest.mark.parametrize(
    ("language", "names", "byline"),
    [
        ("en-gb", ["Zed"], "By Zed"),
        ("en-gb", ["Zed", "Amy", "Max"], "By Zed, Amy and Max"),
        ("fr", ["Zed", "Amy"], "Par Zed et Amy"),
        ("fr", ["Zed", "Amy", "Max"], "Par Zed, Amy et Max"),
    ],
)
def test_byline_is_joined_in_the_readers_language(client, language, names, byline):
    article = make_article(authors=[make_author(name=n) for n in names])
    html = client.get(article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    found = re.search(r'<p class="byline"[^>]*>(.*?)</p>', html)
    assert re.sub(r"<[^>]+>", "", found[1]) == byline


@pytest.mark.parametrize(
    ("language", "day", "published"),
    [
        ("en-gb", 3, "Published 3 December 2025, 09:30 UTC"),
        ("en-gb", 1, "Published 1 December 2025, 09:30 UTC"),
        ("fr", 3, "Publié le 3 décembre 2025 à 09:30 UTC"),
        ("fr", 1, "Publié le 1er décembre 2025 à 09:30 UTC"),
    ],
)
def test_story_dates_are_written_the_readers_way(client, language, day, published):
    when = timezone.make_aware(datetime(2025, 12, day, 9, 30))
    article = make_article(published_at=when)
    html = client.get(article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert published in re.sub(r"<[^>]+>", "", html)


def test_lead_image_is_shown_in_a_figure_with_caption_and_credit(client, settings):
    from django.core.files.base import ContentFile

    article = make_article(title="Pictured")
    article.lead_image.save("drone.gif", ContentFile(TINY_GIF), save=False)
    article.lead_image_alt = "A drone on a runway"
    article.lead_image_caption = "A TB2 at an air show."
    article.lead_image_credit = "Photo: Wire"
    article.save()
    html = page(client, article.get_absolute_url())
    assert '<figure class="story__figure">' in html
    assert 'alt="A drone on a runway"' in html
    assert "A TB2 at an air show." in html and "Photo: Wire" in html
    image = client.get(article.lead_image.url)
    assert image.status_code == 200
    assert b"".join(image.streaming_content) == TINY_GIF
    image.close()


TINY_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@pytest.mark.parametrize(
    "status_and_time",
    [
        (Article.Status.DRAFT, None),
        (Article.Status.PUBLISHED, timedelta(hours=2)),
    ],
)
def test_drafts_and_scheduled_stories_are_404(client, status_and_time):
    status, ahead = status_and_time
    article = make_article(status=status, published_at=timezone.now() + ahead if ahead else None)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 404
    assert "We can't find that page" in response.content.decode()


def test_scheduled_story_goes_live_when_its_time_comes(client):
    article = make_article(published_at=timezone.now() + timedelta(minutes=5))
    assert client.get(article.get_absolute_url()).status_code == 404
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert client.get(article.get_absolute_url()).status_code == 200


def test_unknown_slug_gets_the_friendly_404(client):
    response = client.get("/news/no-such-story/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We can't find that page" in html
    assert '<meta name="robots" content="noindex">' in html


def test_server_error_page_is_friendly_and_has_no_traceback(client, monkeypatch):
    from newsroom.news import views

    def explode(self):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(views.ArticleListView, "get_queryset", explode)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "database on fire" not in html
    assert "Traceback" not in html
    assert "<title>Something went wrong · Newsroom</title>" in html


def _queries_for(client, url: str) -> int:
    """The queries a page runs for its own content. The consent banner's are left out: they are
    the consent app's budget, measured in its own tests."""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len([q for q in ctx.captured_queries if '"consent_' not in q["sql"]])


def test_article_page_query_count_does_not_grow_with_authors_tags_links_and_notes(client, uncached):
    make_article(title="Our namesake story")
    small = make_article(
        authors=[make_author()], tags=["One"], related=[("Elsewhere", "https://example.com/")]
    )
    big = make_article(
        body="".join(f"<p>Paragraph {n}.</p>" for n in range(8)),
        authors=[make_author() for _ in range(8)],
        tags=[f"Tag {n}" for n in range(8)],
        related=[
            *((f"Link {n}", f"https://example.com/{n}") for n in range(8)),
            *((f"Our namesake story {n}", "") for n in range(4)),
            ("OUR NAMESAKE STORY", ""),
        ],
    )
    for n in range(8):  # "Also read" asides in the story, two of them finding our story
        title = "Our namesake story" if n < 2 else f"Placed {n}"
        make_related_link(article=big, title=title, after_paragraph=n)
    for n in range(5):
        Correction.objects.create(article=big, text=f"Fix {n}.")
    _queries_for(client, "/")  # warm anything process-wide (content types)
    assert _queries_for(client, small.get_absolute_url()) <= STORY_PAGE_QUERIES
    assert _queries_for(client, big.get_absolute_url()) <= STORY_PAGE_QUERIES


def test_related_headline_links_to_our_live_story_of_that_name_ignoring_case(client):
    ours = make_article(title="Drones Over The Strait")
    make_article(title="A draft of ours", status=Article.Status.DRAFT)
    story = make_article(
        related=[
            ("drones over the strait", ""),
            ("A draft of ours", ""),
            ("Somebody else's", "https://example.com/theirs"),
        ]
    )
    html = page(client, story.get_absolute_url())
    aside = html[html.index('<aside class="related"') :]
    assert f'<a href="{ours.get_absolute_url()}">drones over the strait</a>' in aside
    assert "<li>A draft of ours</li>" in aside
    assert '<a href="https://example.com/theirs">' in aside
    assert aside.index("drones over") < aside.index("A draft") < aside.index("Somebody")


def test_listing_query_count_does_not_grow_with_stories(client, uncached):
    for _ in range(3):
        make_article(authors=[make_author()], tags=["A", "B"])
    _queries_for(client, "/")
    few = _queries_for(client, "/")
    for _ in range(12):
        make_article(authors=[make_author(), make_author()], tags=["C", "D", "E"])
    assert _queries_for(client, "/") == few <= LISTING_PAGE_QUERIES


def test_tag_page_lists_only_published_stories_with_that_tag(client):
    make_article(title="Tagged live", tags=["Drones"])
    make_article(title="Tagged draft", tags=["Drones"], status=Article.Status.DRAFT)
    make_article(title="Other topic", tags=["Elections"])
    html = page(client, reverse("news:tag_detail", args=["drones"]))
    assert "Tagged live" in html
    assert "Tagged draft" not in html and "Other topic" not in html


def test_tag_with_only_drafts_and_unknown_tag_are_404(client):
    make_article(tags=["Secret"], status=Article.Status.DRAFT)
    assert client.get("/tags/secret/").status_code == 404
    assert client.get("/tags/never-used/").status_code == 404


def test_topics_page_counts_published_stories_only(client):
    make_article(tags=["Drones"])
    make_article(tags=["Drones"])
    make_article(tags=["Secret"], status=Article.Status.DRAFT)
    html = page(client, "/tags/")
    assert "Drones" in html and "(2 stories)" in html
    assert "Secret" not in html


def test_author_page_shows_bio_and_their_published_stories(client):
    author = make_author(name="Kenji Sato", bio="Covers defence from Tokyo.")
    make_article(title="Kenji's story", authors=[author])
    make_article(title="Kenji's draft", authors=[author], status=Article.Status.DRAFT)
    make_article(title="Someone else's")
    html = page(client, author.get_absolute_url())
    assert "Covers defence from Tokyo." in html
    assert "Kenji&#x27;s story" in html
    assert "draft" not in html and "Someone else" not in html


def test_author_without_stories_is_shown_but_not_indexed(client):
    author = make_author(name="New Hire")
    html = page(client, author.get_absolute_url())
    assert '<meta name="robots" content="noindex">' in html
    assert client.get("/authors/nobody/").status_code == 404


def test_plain_text_fields_are_escaped(client):
    author = make_author(name="<b>Bold</b> Name", bio="<script>x()</script>")
    article = make_article(
        title="<i>Italic</i> headline", standfirst="<script>s()</script>", authors=[author]
    )
    html = page(client, article.get_absolute_url())
    assert "&lt;i&gt;Italic&lt;/i&gt; headline" in html
    assert "<script>s()" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; Name" in html


def test_bad_host_gets_the_friendly_400(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "We couldn't understand that request" in response.content.decode()


def test_expired_form_gets_the_friendly_csrf_page():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/admin/login/", {"username": "x", "password": "y"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "That form has expired" in html
    assert "nothing was changed" in html
    assert "<title>Form expired · Newsroom</title>" in html


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/favicon.")


def test_archive_lists_months_and_each_month_its_published_stories(client):
    make_article(title="August story", published_at=timezone.make_aware(datetime(2025, 8, 20, 9)))
    make_article(title="Another August", published_at=timezone.make_aware(datetime(2025, 8, 2, 9)))
    make_article(title="July story", published_at=timezone.make_aware(datetime(2025, 7, 1, 9)))
    make_article(
        title="August draft",
        status=Article.Status.DRAFT,
        published_at=timezone.make_aware(datetime(2025, 8, 3, 9)),
    )
    index = page(client, "/archive/")
    assert "August 2025" in index and "(2 stories)" in index and "(1 story)" in index
    august = page(client, "/archive/2025/08/")
    assert august.index("August story") < august.index("Another August")
    assert "July story" not in august and "August draft" not in august
    assert '<a href="/archive/2025/07/">July 2025</a>' in august
    assert client.get("/archive/2025/09/").status_code == 404
    assert client.get("/archive/2025/13/").status_code == 404


def test_public_pages_can_be_cached_briefly_and_revalidated(client, seed_article):
    response = client.get(seed_article.get_absolute_url())
    assert response["Cache-Control"] == "public, max-age=60, s-maxage=600"
    assert response["ETag"]
    # No Last-Modified: a byline or a related story can change the page without the story
    # changing, and only the ETag (a hash of the page) sees that.
    assert "Last-Modified" not in response
    again = client.get(seed_article.get_absolute_url(), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    seed_article.title = "Changed"
    seed_article.save()
    changed = client.get(seed_article.get_absolute_url(), HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200
    assert client.get("/")["Cache-Control"] == "public, max-age=60, s-maxage=600"


def test_error_preview_and_consent_pages_are_not_publicly_cached(client):
    from newsroom.desk import preview

    assert "public" not in client.get("/news/nope/").get("Cache-Control", "")
    draft = make_article(status=Article.Status.DRAFT)
    assert "no-store" in client.get(preview.preview_url(draft))["Cache-Control"]
    assert "public" not in client.get("/consent/").get("Cache-Control", "")


@pytest.mark.parametrize("name", ["Türkiye", "日本", "!!!", "Ελλάδα"])
def test_topics_in_any_script_or_only_punctuation_have_working_pages(client, name):
    article = make_article(title="Tagged", tags=[name])
    story = page(client, article.get_absolute_url())
    tag = article.tags.get()
    assert tag.slug
    assert page(client, reverse("news:tag_detail", args=[tag.slug])).count("Tagged") >= 1
    assert name in page(client, "/tags/")
    assert reverse("news:tag_detail", args=[tag.slug]) in unescape(story) or tag.slug in story


def test_an_author_in_any_script_gets_a_page(client, tmp_path):
    from django.core.management import call_command

    seed = tmp_path / "story.txt"
    seed.write_text("Headline\n\nBody.", encoding="utf-8")
    call_command("import_seeds", "--publish", "--author", "山田太郎", str(seed), stdout=StringIO())
    article = Article.objects.get()
    author = article.byline[0]
    assert author.slug == "山田太郎"
    assert "山田太郎" in page(client, author.get_absolute_url())


# (address, stories before, stories after): the number shown goes from a few to a full page.
LISTINGS = [
    ("/", 2, 20),
    ("/?page=2", 21, 40),
    ("/tags/", 2, 20),
    ("/tags/drones/", 2, 20),
    ("/authors/ann-lee/", 2, 20),
    ("/archive/", 2, 20),
    ("/archive/2025/08/", 2, 20),
    ("/search/?q=drones", 2, 20),
    ("/feeds/latest.rss", 2, 20),
    ("/tags/drones/feed.atom", 2, 20),
    ("/authors/ann-lee/feed.rss", 2, 20),
]


def _publish_listing_stories(count: int, author) -> None:
    for n in range(count):
        make_article(
            title=f"Drones story {n}",
            standfirst="Drones over the strait.",
            authors=[author, make_author()],
            tags=["Drones", f"Extra {n}"],
            published_at=timezone.make_aware(datetime(2025, 8, 1 + n % 28, 9, n % 60)),
        )


@pytest.mark.parametrize(("url", "before", "after"), LISTINGS)
def test_every_listing_page_runs_the_same_queries_for_few_or_many_stories(
    client, uncached, url, before, after
):
    author = make_author(name="Ann Lee", slug="ann-lee")
    _publish_listing_stories(before, author)
    client.get(url)  # warm what is cached per process (content types, the search index)
    few = _queries_for(client, url)
    _publish_listing_stories(after - before, author)
    client.get(url)
    assert _queries_for(client, url) == few <= LISTING_PAGE_QUERIES


# French readers: everything around the stories is French, the stories stay as written

CATALOGUE = Path(__file__).resolve().parent.parent / "newsroom/locale/fr/LC_MESSAGES/django.po"
# Chrome the French pages once showed in English, so this test fails without the catalogue's
# entries; the catalogue itself adds every English phrase it translates.
ENGLISH_CHROME = {
    *calendar.month_name[1:],
    "By",
    "and",
    "Published",
    "Updated",
    "Latest news",
    "More stories",
    "Related stories",
    "Corrections and updates",
    "Search",
    "stories match",
    "No stories match",
    "Older stories",
    "Stories by",
    "Topic",
    "Archive",
    "latest stories",
    "Page not found",
    "We can't find that page",
    "Something went wrong",
    "That form has expired",
    "This preview link has expired",
}


def _catalogue(path: Path = CATALOGUE) -> list[tuple[str, str, list[str]]]:
    """(context, msgid, msgstrs) of each entry of a French catalogue (one line each): the
    project's unless `path` names another."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, list[str]] = {}
        for line in block.splitlines():
            keyword, _, quoted = line.partition(" ")
            if keyword.startswith(("msgctxt", "msgid", "msgstr")):
                fields.setdefault(keyword.split("[")[0], []).append(ast.literal_eval(quoted))
        if fields.get("msgid", [""])[0]:
            entries.append((fields.get("msgctxt", [""])[0], fields["msgid"][0], fields["msgstr"]))
    return entries


def _says(text: str, phrase: str, *, flags: int = 0) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, flags) is not None


def english_chrome() -> set[str]:
    """Every English phrase the catalogue translates into something else: each msgid's words
    between its placeholders and tags ("Published", "story matches", "of"), less any the
    French keeps ("Page", "cookies"). Date formats ("j F Y") are not words."""
    phrases = set(ENGLISH_CHROME)
    for context, msgid, msgstrs in _catalogue():
        if "format" in context:
            continue
        for part in re.split(r"%\(\w+\)s|<[^>]*>", msgid):
            phrase = part.strip(" .,;:()·?!\u201c\u201d")
            if re.search(r"[A-Za-z]{2}", phrase) and not any(
                _says(s, phrase, flags=re.IGNORECASE) for s in msgstrs
            ):
                phrases.add(phrase)
    return phrases


class _ReaderText(HTMLParser):
    """What a reader meets on a page: its text outside scripts, and the attributes browsers
    show or speak (titles of the page, its feeds and links, labels, the description)."""

    SHOWN = {"title", "aria-label", "placeholder", "alt"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.in_script = tag in {"script", "style"}
        shown = [value for name, value in attrs.items() if name in self.SHOWN and value]
        if tag == "meta" and attrs.get("name") == "description":
            shown.append(attrs.get("content") or "")
        self.parts += [f"\n{value}\n" for value in shown]

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if not self.in_script:
            self.parts.append(data)


def reader_text(html: str) -> str:
    parser = _ReaderText()
    parser.feed(html)
    return "".join(parser.parts)


@pytest.fixture
def french_pages(client, monkeypatch, settings) -> dict[str, str]:
    """Every kind of public page as a French reader gets it, by name, each with a few stories
    whose own words (headlines, names, topics) are not English, so any English is chrome."""
    for view in (views.ArticleListView, views.TagDetailView, views.AuthorDetailView):
        monkeypatch.setattr(view, "paginate_by", 2)
    monkeypatch.setattr(views.ArchiveMonthView, "paginate_by", 2)
    monkeypatch.setattr(search_views, "PAGE_SIZE", 2)
    lee = make_author(name="Ann Lee", slug="ann-lee")
    first = timezone.make_aware(datetime(2025, 12, 1, 9, 30))
    words = {"standfirst": "Drones, Ankara.", "body": "<p>Drones.</p>", "tags": ["Drones"]}
    for n in range(1, 4):
        make_article(title=f"Drones {n}", authors=[lee], published_at=first - timedelta(n), **words)
    # Live coverage, going on and ended: its label, key events, updates and end in French too.
    ended = Article.objects.get(title="Drones 1")
    ended.live_from, ended.live_until = ended.published_at, first - timedelta(hours=1)
    ended.save()
    story = make_article(
        title="Drones à Ankara",
        authors=[lee, make_author(name="Kenji Sato"), make_author(name="Ayşe Demir")],
        related=[("Drones 1", ""), ("Ankara", "https://example.com/")],
        published_at=first,
        # Breaking news, so every page with a request shows the banner.
        breaking_until=timezone.now() + timedelta(hours=2),
        live_from=first,
        **words,
    )
    make_related_link(article=story, title="Drones 2", after_paragraph=1)
    make_update(article=story, headline="Ankara", key_event=True, shown_at=first)
    make_update(article=story, pinned=True, body="<p>Ankara.</p>", shown_at=first)
    Correction.objects.create(article=story, text="Ankara.", kind=Correction.Kind.UPDATE)
    Correction.objects.create(article=story, text="Ankara.", kind=Correction.Kind.CORRECTION)
    scheduled = make_article(title="Drones", published_at=timezone.now() + timedelta(1), **words)
    draft = make_article(title="Drones", status=Article.Status.DRAFT, **words)
    urls = {
        "home": ("/", 200),
        "home-page-2": ("/?page=2", 200),
        "story": (story.get_absolute_url(), 200),
        "story-updates": (story.get_absolute_url() + "updates/", 200),
        "story-ended": (ended.get_absolute_url(), 200),
        "preview-scheduled": (preview.preview_url(scheduled), 200),
        "preview-draft": (preview.preview_url(draft), 200),
        "topics": ("/tags/", 200),
        "topic": ("/tags/drones/", 200),
        "author": ("/authors/ann-lee/", 200),
        "author-without-stories": (make_author(name="Léa Roux").get_absolute_url(), 200),
        "archive": ("/archive/", 200),
        "archive-month": ("/archive/2025/11/", 200),
        "search": ("/search/?q=drones", 200),
        "search-page-2": ("/search/?q=drones&page=2", 200),
        "search-trimmed": ("/search/?q=" + "drones+" * 40, 200),
        "search-no-results": ("/search/?q=zzzz", 200),
        "search-no-query": ("/search/", 200),
        "not-found": ("/news/no-such-story/", 404),
    }
    fr = {"HTTP_ACCEPT_LANGUAGE": "fr"}
    responses = {name: client.get(url, **fr) for name, (url, _) in urls.items()}
    settings.NEWSROOM_PREVIEW_MAX_AGE = -1
    responses["preview-expired"] = client.get(preview.preview_url(draft), **fr)
    responses["bad-request"] = client.get("/", HTTP_HOST="evil.example", **fr)
    responses["address-too-long"] = client.get("/search/?q=" + "a" * 5000, **fr)
    responses["form-expired"] = Client(enforce_csrf_checks=True).post("/admin/login/", **fr)
    with translation.override("fr"):
        responses["forbidden"] = permission_denied(RequestFactory().get("/"), PermissionDenied())
    monkeypatch.setattr(views.ArticleListView, "get_queryset", lambda self: 1 / 0)
    client.raise_request_exception = False
    responses["server-error"] = client.get("/", **fr)
    statuses = {"preview-expired": 410, "bad-request": 400, "address-too-long": 400}
    expected = {
        **{name: status for name, (_, status) in urls.items()},
        **statuses,
        "form-expired": 403,
        "forbidden": 403,
        "server-error": 500,
    }
    assert {n: r.status_code for n, r in responses.items()} == expected
    return {name: response.content.decode() for name, response in responses.items()}


def test_french_pages_keep_no_english_chrome(french_pages, settings):
    chrome = english_chrome()
    assert {"Published", "Page not found", "story matches", "of"} <= chrome  # read as meant
    left = {}
    for name, html in french_pages.items():
        # The site's description is its own words, like the stories: it stays as written.
        text = reader_text(html).replace(settings.NEWSROOM_SITE_DESCRIPTION, "")
        left[name] = sorted(phrase for phrase in chrome if _says(text, phrase))
    assert left == {name: [] for name in french_pages}


# A few phrases each page must say in French (the test above checks for what it must not say).
FRENCH = {
    "home": [
        "Dernières nouvelles",
        "En direct Drones à Ankara",
        "Autres articles",
        "Page 1 sur 2",
        "Articles plus anciens",
    ],
    "home-page-2": ["Dernières nouvelles, page 2", "Articles plus récents"],
    "story": [
        "Par Ann Lee, Kenji Sato et Ayşe Demir",
        "Publié le 1er décembre 2025 à 09:30 UTC",
        "Mis à jour le",
        "Corrections et mises à jour",
        "Mise à jour",
        "À lire aussi",
        "Drones. À lire aussi : Drones 2",
        "En direct",
        "Le direct",
        "En direct depuis le 1er décembre 2025 à 09:30 UTC, les plus récentes en premier.",
        "Moments clés",
        "Moment clé",
        "Épinglé",
        "Lien vers cette mise à jour :",
    ],
    "story-updates": ["Lien vers cette mise à jour :", "Moment clé"],
    "story-ended": ["Le direct s\u2019est terminé le 1er décembre 2025 à 08:30 UTC."],
    "preview-scheduled": ["Aperçu.", "Cet article sera en ligne le"],
    "preview-draft": ["Les lecteurs ne peuvent pas encore voir cet article (brouillon)."],
    "topics": ["Thèmes", "(4 articles)"],
    "topic": ["Thème", "Articles sur le thème Drones", "Newsroom : Drones (RSS)"],
    "author": ["Articles signés Ann Lee", "30 novembre 2025"],
    "author-without-stories": ["Aucun article publié pour le moment."],
    "archive": ["Archives", "Décembre 2025", "(1 article)", "(3 articles)", "Novembre 2025"],
    "archive-month": ["Novembre 2025", "Décembre 2025", "29 novembre 2025"],
    "search": [
        "Recherche : drones",
        "4 articles correspondent à drones ; page 1 sur 2.",
        "Autres résultats",
    ],
    "search-page-2": ["Résultats plus pertinents"],
    "search-trimmed": ["Votre recherche était trop longue", "premiers caractères ont été utilisés"],
    "search-no-results": ["Aucun article ne correspond à zzzz."],
    "search-no-query": ["Tapez quelques mots"],
    "not-found": ["Page introuvable", "Nous ne trouvons pas cette page"],
    "preview-expired": ["Ce lien d\u2019aperçu a expiré"],
    "bad-request": ["Requête incorrecte"],
    "address-too-long": ["Cette adresse est trop longue (plus de 4 096 caractères"],
    "form-expired": ["Ce formulaire a expiré"],
    "forbidden": ["Vous ne pouvez pas faire cela ici"],
    "server-error": ["Une erreur est survenue de notre côté"],
}


def test_french_pages_show_the_breaking_news_banner_in_french(french_pages):
    # The server-error and expired-form pages are rendered without a request, so no banner;
    # the live updates fragment is part of a page, not a page.
    without = {"server-error", "form-expired", "story-updates"}
    shown = {
        name
        for name, html in french_pages.items()
        if "Dernière minute : Drones à Ankara" in " ".join(reader_text(html).split())
    }
    assert shown == set(french_pages) - without
    assert 'aria-label="Dernière minute" lang="fr">' in french_pages["home"]


def test_french_pages_say_it_in_french_and_mark_it_so(french_pages):
    missing = {
        name: [p for p in FRENCH[name] if p not in " ".join(reader_text(html).split())]
        for name, html in french_pages.items()
    }
    assert missing == {name: [] for name in french_pages}
    story = french_pages["story"]
    # The story's language names the page; the French around it is marked (WCAG 3.1.2).
    assert '<html lang="en-gb">' in story
    assert '<p class="byline" lang="fr">' in story
    assert '<span class="also-read__label" lang="fr">À lire aussi :</span> ' in story
    assert '<p class="story__dates" lang="fr">' in story
    assert "<title>Drones à Ankara · Newsroom</title>" in story
    assert '<title lang="fr">Page introuvable · Newsroom</title>' in french_pages["not-found"]


# Story types and AI-use labels


def test_a_story_shows_its_type_who_paid_and_its_ai_label_with_the_note(client):
    article = make_article(
        title="Save with Acme",
        article_type=Article.Type.SPONSORED,
        sponsor_name="Acme <Bank>",
        ai_use=Article.AIUse.ASSISTED,
        ai_note="Translated with an AI tool & checked.",
    )
    html = page(client, article.get_absolute_url())
    start = html.index('<header class="story__header">')
    header = html[start : html.index("</header>", start)]
    assert '<span class="kind-label">Sponsored</span>' in header
    assert "<span>Paid for by</span> Acme &lt;Bank&gt;" in header
    assert (
        '<p class="ai-label"><strong class="ai-label__kind">AI-assisted</strong>: '
        "Translated with an AI tool &amp; checked.</p>"
    ) in header


def test_plain_news_made_without_ai_carries_no_label(client):
    html = page(client, make_article().get_absolute_url())
    assert "kind-label" not in html and "ai-label" not in html


def test_the_ai_label_links_to_the_policy_once_there_is_one(client):
    article = make_article(ai_use=Article.AIUse.GENERATED)
    assert "How we use AI" not in page(client, article.get_absolute_url())

    make_policy(kind=Policy.Kind.AI_USE)

    html = page(client, article.get_absolute_url())
    assert '<a href="/about/ai-use/">How we use AI</a>' in html


def test_a_fact_check_shows_the_claim_and_the_verdict(client):
    article = make_fact_check(claim="Drones <low>.", claim_author="A. Minister", verdict="False")
    html = page(client, article.get_absolute_url())
    assert '<span class="kind-label">Fact check</span>' in html
    assert '<blockquote class="fact-check__claim"><p>Drones &lt;low&gt;.</p></blockquote>' in html
    assert "<span>Claim made by</span> A. Minister" in html
    assert "<strong>False</strong>" in html
    assert "(1 on a scale from 1, false, to 5, true)" in html


def test_listings_label_each_story_with_its_type_and_ai_use(client):
    make_article(title="Why drones", article_type=Article.Type.OPINION)
    make_article(title="Robot report", ai_use=Article.AIUse.GENERATED)
    make_article(title="Plain news")
    cards = {
        re.search(r'<a href="[^"]+">([^<]+)</a>', card).group(1): card
        for card in re.findall(r'<article class="card.*?</article>', page(client, "/"), re.S)
    }
    assert '<span class="kind-label">Opinion</span>' in cards["Why drones"]
    assert '<span class="kind-label kind-label--ai">AI-generated</span>' in cards["Robot report"]
    assert "kind-label" not in cards["Plain news"]


def test_french_readers_get_the_labels_in_french(client):
    opinion = make_article(
        article_type=Article.Type.SPONSORED, sponsor_name="Acme", ai_use=Article.AIUse.GENERATED
    )
    fact = make_fact_check(verdict="Faux", verdict_score=1)
    fr = {"HTTP_ACCEPT_LANGUAGE": "fr"}
    story = client.get(opinion.get_absolute_url(), **fr).content.decode()
    assert '<span class="kind-label" lang="fr">Contenu sponsorisé</span>' in story
    assert '<span lang="fr">Payé par</span> Acme' in story
    assert '<strong class="ai-label__kind" lang="fr">Généré par IA</strong>' in story
    checked = client.get(fact.get_absolute_url(), **fr).content.decode()
    checked = " ".join(reader_text(checked).split())
    assert "Vérification des faits" in checked
    assert "L\u2019affirmation vérifiée" in checked
    assert "Notre verdict : Faux (1 sur une échelle de 1, faux, à 5, vrai)" in checked
    home = " ".join(reader_text(client.get("/", **fr).content.decode()).split())
    assert "Contenu sponsorisé" in home and "Généré par IA" in home


def test_a_fact_check_with_an_ai_label_stays_within_the_story_page_budget(client, uncached):
    editor = User.objects.create_user("ed")
    article = make_fact_check(
        authors=[make_author()], ai_use=Article.AIUse.GENERATED, reviewed_by=editor, tags=["A"]
    )
    _queries_for(client, "/")  # warm anything process-wide (content types)
    assert _queries_for(client, article.get_absolute_url()) <= STORY_PAGE_QUERIES
