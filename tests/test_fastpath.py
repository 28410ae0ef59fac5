"""The fast path of a reader's page: query totals including the consent app, and cache hits
answered by PageCacheMiddleware before URL resolution, with the same headers as a miss."""

from datetime import timedelta

import pytest
from csp.utils import build_policy
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.urls.resolvers import URLResolver
from django.utils import timezone

from newsroom.consent import policy
from newsroom.consent.models import Category, Cookie
from newsroom.news import views
from newsroom.news.models import Article
from newsroom.pagecache import middleware, versions
from newsroom.publisher.models import Policy
from tests import test_pagecache
from tests.factories import make_article, make_author, make_policy

pytestmark = pytest.mark.django_db
# The page cache's own fixture: the in-process cache, or the real Redis (where no stamp file
# helps, so the cache alone must carry a change).
backend = test_pagecache.backend

# Every query of the page, the consent banner's included.
STORY_PAGE_QUERIES = 4
LISTING_PAGE_QUERIES = 6


def decided(*, days_ago: float = 1, **granted: bool) -> str:
    return policy.serialise(
        policy.Decision(
            consent_id="Vn3kq0w2ZC1pd1FhWlJmQQ",
            version="1",
            granted=frozenset(key for key, on in granted.items() if on),
            decided_at=(timezone.now() - timedelta(days=days_ago)).replace(microsecond=0),
        )
    )


def queries(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, headers=headers).status_code == 200, url
    return len(ctx.captured_queries)


READERS = {
    "undecided": ({}, {}),
    "decided": ({policy.COOKIE_NAME: decided(analytics=True)}, {}),
    "gpc": ({}, {"Sec-GPC": "1"}),
}


@pytest.fixture
def uncached(settings):
    settings.NEWSROOM_PAGE_CACHE = False


@pytest.mark.parametrize("reader", READERS)
def test_story_page_uncached_costs_at_most_four_queries_in_total(client, uncached, reader):
    cookies, headers = READERS[reader]
    client.cookies.load(cookies)
    story = make_article(authors=[make_author()], tags=["Drones"], related=[("A", "")])
    queries(client, "/")  # process-wide look-ups (content types), once per worker
    assert queries(client, story.get_absolute_url(), **headers) <= STORY_PAGE_QUERIES


def test_listings_uncached_cost_at_most_six_queries_in_total(client, uncached):
    author = make_author(name="Ann Lee", slug="ann-lee")
    story = make_article(authors=[author], tags=["Drones"])
    local = timezone.localtime(story.published_at)
    queries(client, "/")
    month = reverse("news:archive_month", kwargs={"year": local.year, "month": local.month})
    for url in ("/", "/tags/drones/", "/authors/ann-lee/", "/archive/", month):
        assert queries(client, url) <= LISTING_PAGE_QUERIES, url


def banner_changed(story) -> None:
    """Move a breaking story's end by a minute: every process reads the banner again."""
    ends = story.breaking_until = story.breaking_until + timedelta(minutes=1)
    Article.objects.filter(pk=story.pk).update(breaking_until=ends)


@pytest.mark.parametrize("reader", READERS)
def test_story_page_with_the_breaking_banner_read_afresh_stays_within_four_queries(
    client, uncached, reader
):
    cookies, headers = READERS[reader]
    client.cookies.load(cookies)
    story = make_article(
        authors=[make_author()],
        tags=["Drones"],
        related=[("A", "")],
        breaking_until=timezone.now() + timedelta(hours=2),
    )
    queries(client, "/")
    banner_changed(story)
    assert queries(client, story.get_absolute_url(), **headers) <= STORY_PAGE_QUERIES
    assert b'class="breaking-banner"' in client.get(story.get_absolute_url()).content


@pytest.mark.parametrize("reader", READERS)
def test_story_page_with_the_policies_read_afresh_stays_within_four_queries(
    client, uncached, reader
):
    """The footer's policy links and the publisher's data are read once per policy change
    (one query, whichever page comes first)."""
    cookies, headers = READERS[reader]
    client.cookies.load(cookies)
    story = make_article(authors=[make_author()], tags=["Drones"], related=[("A", "")])
    make_policy(kind=Policy.Kind.ETHICS)
    queries(client, "/")
    make_policy(kind=Policy.Kind.MASTHEAD)
    assert queries(client, story.get_absolute_url(), **headers) <= STORY_PAGE_QUERIES
    assert b'href="/about/masthead/"' in client.get(story.get_absolute_url()).content


def test_listings_with_the_breaking_banner_up_stay_within_six_queries(client, uncached):
    """The banner is read once per change (two queries, whichever page comes first), then
    kept: a listing pays nothing for it."""
    author = make_author(name="Ann Lee", slug="ann-lee")
    story = make_article(
        authors=[author], tags=["Drones"], breaking_until=timezone.now() + timedelta(hours=2)
    )
    local = timezone.localtime(story.published_at)
    queries(client, "/")
    month = reverse("news:archive_month", kwargs={"year": local.year, "month": local.month})
    for url in ("/", "/tags/drones/", "/authors/ann-lee/", "/archive/", month):
        assert queries(client, url) <= LISTING_PAGE_QUERIES, url
        assert b'class="breaking-banner"' in client.get(url).content, url


@pytest.mark.parametrize("reader", READERS)
def test_a_cache_hit_costs_no_query_for_any_reader(client, reader):
    cookies, headers = READERS[reader]
    client.cookies.load(cookies)
    story = make_article()
    queries(client, story.get_absolute_url(), **headers)
    assert queries(client, story.get_absolute_url(), **headers) == 0


def test_a_reader_asked_again_also_gets_cache_hits_without_queries(client):
    client.cookies[policy.COOKIE_NAME] = decided(days_ago=2, analytics=True)
    analytics = Category.objects.get(key="analytics")
    analytics.version += 1
    analytics.save()
    story = make_article()
    first = client.get(story.get_absolute_url())
    assert b"data-consent-reasking" in first.content
    assert queries(client, story.get_absolute_url()) == 0


@pytest.mark.parametrize("cache_on", [True, False])
def test_a_category_change_shows_on_the_next_request(client, settings, backend, cache_on):
    settings.NEWSROOM_PAGE_CACHE = cache_on
    client.cookies[policy.COOKIE_NAME] = decided(analytics=True)
    story = make_article()
    url = story.get_absolute_url()
    client.get(url)
    assert b"data-consent-banner" not in client.get(url).content

    analytics = Category.objects.get(key="analytics")
    analytics.version += 1
    analytics.save()

    assert b"data-consent-reasking" in client.get(url).content


def test_a_renamed_category_and_a_new_cookie_show_in_the_banner_on_the_next_request(client):
    story = make_article()
    url = story.get_absolute_url()
    client.get(url)
    assert queries(client, url) == 0
    Category.objects.filter(key="analytics").update(name="Audience counting")
    # update() sends no signal; a save does.
    Category.objects.get(key="analytics").save()
    assert b"Audience counting" in client.get(url).content

    Cookie.objects.create(
        category=Category.objects.get(key="analytics"),
        name="newsroom_reach",
        storage=Cookie.Storage.LOCAL,
        provider="Newsroom",
        purpose="Counts readers.",
        duration="A year",
    )
    assert b"newsroom_reach" in client.get(url).content


def test_a_change_in_another_process_makes_this_one_read_the_categories_again(client, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    client.cookies[policy.COOKIE_NAME] = decided(analytics=True)
    story = make_article()
    url = story.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert not [q for q in ctx.captured_queries if '"consent_' in q["sql"]]

    # What another worker's change to a category does to this one: a line in the journal.
    with open(versions._journal().path, "a") as journal:
        journal.write("consent\n")

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert [q for q in ctx.captured_queries if '"consent_category"' in q["sql"]]


def test_a_cache_hit_resolves_no_url_and_runs_no_view(client, monkeypatch):
    story = make_article()
    url = story.get_absolute_url()
    client.get(url)

    def refuse(*args, **kwargs):
        raise AssertionError("a cache hit reached the URLconf or the view")

    monkeypatch.setattr(URLResolver, "resolve", refuse)
    monkeypatch.setattr(views.ArticleDetailView, "get", refuse)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert len(ctx.captured_queries) == 0


@pytest.mark.parametrize(
    ("url", "cookies", "headers"),
    [
        ("story", {}, {}),
        ("story", {}, {"Accept-Language": "fr"}),
        ("story", {policy.COOKIE_NAME: decided(analytics=True)}, {"Sec-GPC": "1"}),
        ("/", {}, {}),
        ("/feeds/latest.rss", {}, {}),
        ("/sitemap.xml", {}, {}),
    ],
)
def test_a_hit_carries_exactly_the_headers_of_a_miss(client, url, cookies, headers):
    story = make_article()
    url = story.get_absolute_url() if url == "story" else url
    client.cookies.load(cookies)
    with CaptureQueriesContext(connection) as ctx:
        miss = client.get(url, headers=headers)
    assert ctx.captured_queries
    with CaptureQueriesContext(connection) as ctx:
        hit = client.get(url, headers=headers)
    assert not ctx.captured_queries
    assert hit.content == miss.content
    assert dict(hit.headers) == dict(miss.headers)
    for name in ("ETag", "X-Frame-Options", "Content-Security-Policy", "Permissions-Policy"):
        assert name in hit.headers, name


def test_html_pages_keep_their_vary_and_language_headers_on_a_hit(client):
    story = make_article()
    client.get(story.get_absolute_url(), headers={"Accept-Language": "fr"})
    hit = client.get(story.get_absolute_url(), headers={"Accept-Language": "fr"})
    assert {"Cookie", "Sec-GPC", "Accept-Language"} <= {v.strip() for v in hit["Vary"].split(",")}
    assert hit["Content-Language"] == "fr"
    assert client.get(story.get_absolute_url())["Content-Language"] == "en-gb"


def test_a_hit_answers_a_conditional_get_with_304_before_the_stack(client, monkeypatch):
    story = make_article()
    etag = client.get(story.get_absolute_url())["ETag"]
    monkeypatch.setattr(views.ArticleDetailView, "get", None)
    response = client.get(story.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 304


def test_the_public_csp_header_is_the_configured_policy_and_the_admin_keeps_its_nonce(
    client, admin_client
):
    story = make_article()
    expected = build_policy()
    assert client.get(story.get_absolute_url())["Content-Security-Policy"] == expected
    assert client.get("/search/?q=x")["Content-Security-Policy"] == expected
    admin = admin_client.get("/admin/news/article/add/")["Content-Security-Policy"]
    assert "'nonce-" in admin and admin != expected


def test_a_changed_csp_setting_is_not_served_from_the_remembered_header(client, settings):
    story = make_article()
    client.get("/search/?q=x")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get(story.get_absolute_url())["Content-Security-Policy"] == "default-src 'none'"


def test_something_else_stored_under_a_page_key_is_a_miss_not_an_error(client):
    story = make_article(title="Still served")
    client.get(story.get_absolute_url())
    # The local-memory cache's own keys are "<prefix>:<version>:<key>".
    stored = [k.split(":", 2)[2] for k in cache._cache if middleware.PAGE_KEY_PREFIX in k]
    assert stored
    for key in stored:
        cache.set(key, 42)  # left by an older release, say
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert b"Still served" in response.content
