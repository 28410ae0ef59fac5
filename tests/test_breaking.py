"""Breaking news: which story is breaking, the banner on every reader page, and the page cache
keeping it up to date with no job to run: it appears on the next request after an editor flags
a story, and comes down by itself when its time runs out, through stored pages and shared caches.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.template import loader
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom.news import breaking, cachetags, writing
from newsroom.news.models import Article
from tests import test_pagecache
from tests.factories import make_article, make_author, make_user
from tests.test_pagecache import fetch, warm

pytestmark = pytest.mark.django_db
# The page cache's own fixture: the in-process cache, or the real Redis.
backend = test_pagecache.backend

Status = Article.Status
BANNER = 'class="breaking-banner"'


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def banner_text(html: str) -> str | None:
    """The banner's words as a reader meets them, or None when the page has no banner."""
    match = re.search(r'<div class="breaking-banner".*?</div>', html, re.S)
    if match is None:
        return None
    return " ".join(re.sub(r"<[^>]+>", " ", match.group()).split())


def flag(story: Article, until) -> None:
    """Flag (or with None, clear) as the desk does: one save through the write path."""
    story.breaking_until = until
    writing.save(story, user=None)


# Which story is breaking: Article.objects.breaking()


def test_the_newest_live_flagged_story_is_the_breaking_one():
    now = timezone.now()
    older = make_article(published_at=now - hours(3), breaking_until=now + hours(2))
    newer = make_article(published_at=now - hours(1), breaking_until=now + hours(1))
    make_article(published_at=now - hours(0.5))
    assert list(Article.objects.breaking()) == [newer, older]


def test_a_flag_counts_until_its_time_and_not_after():
    now = timezone.now()
    story = make_article(published_at=now - hours(1), breaking_until=now + hours(2))
    assert list(Article.objects.breaking(at=now + hours(1.99))) == [story]
    assert list(Article.objects.breaking(at=now + hours(2))) == []


@pytest.mark.parametrize(
    ("status", "published_in"),
    [(Status.DRAFT, -1), (Status.REVIEW, -1), (Status.UNPUBLISHED, -1), (Status.PUBLISHED, 1)],
    ids=["draft", "in-review", "unpublished", "scheduled"],
)
def test_a_story_that_is_not_live_never_shows_as_breaking(client, status, published_in):
    now = timezone.now()
    make_article(
        title="Not for readers yet",
        status=status,
        published_at=now + hours(published_in),
        breaking_until=now + hours(2),
    )
    assert not Article.objects.breaking().exists()
    assert banner_text(client.get("/").content.decode()) is None


def test_a_scheduled_breaking_story_shows_once_it_goes_live():
    now = timezone.now()
    story = make_article(published_at=now + hours(1), breaking_until=now + hours(3))
    assert list(Article.objects.breaking(at=now)) == []
    assert list(Article.objects.breaking(at=now + hours(1))) == [story]


# The banner on every reader page


def test_every_reader_page_shows_the_banner_below_the_consent_banner_above_the_masthead(client):
    author = make_author(name="Ann Lee", slug="ann-lee")
    story = make_article(
        title="Quake hits the coast",
        authors=[author],
        tags=["Quakes"],
        breaking_until=timezone.now() + hours(2),
    )
    pages = {
        "/": 200,
        story.get_absolute_url(): 200,
        "/tags/": 200,
        "/tags/quakes/": 200,
        "/authors/ann-lee/": 200,
        "/archive/": 200,
        "/search/?q=quake": 200,
        "/consent/": 200,
        "/consent/cookies/": 200,
        "/news/no-such-story/": 404,
    }
    for url, status in pages.items():
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == status, url
        assert banner_text(html) == "Breaking: Quake hits the coast", url
        assert f'href="{story.get_absolute_url()}"' in html.split(BANNER)[1].split("</div>")[0]
        # The cookie banner, when it shows (not on the settings page), comes first.
        consent = html.find('class="consent-banner"')
        assert consent < html.index(BANNER) < html.index('<header class="masthead">'), url


def test_the_banner_is_a_labelled_region_that_marks_the_story_page_as_current(client):
    story = make_article(title="Quake hits", breaking_until=timezone.now() + hours(2))
    home = client.get("/").content.decode()
    assert '<div class="breaking-banner" role="region" aria-label="Breaking news">' in home
    assert 'aria-current="page"' not in home.split(BANNER)[1].split("</div>")[0]
    own_page = client.get(story.get_absolute_url()).content.decode()
    assert 'aria-current="page"' in own_page.split(BANNER)[1].split("</div>")[0]


def test_the_headline_in_the_banner_is_escaped(client):
    make_article(title="<script>alert(1)</script> & more", breaking_until=timezone.now() + hours(2))
    html = client.get("/").content.decode()
    banner = html.split(BANNER)[1].split("</div>")[0]
    assert "<script>" not in banner
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in banner


def test_the_banner_speaks_french_and_keeps_the_headline_in_the_sites_language(client):
    make_article(title="Quake hits the coast", breaking_until=timezone.now() + hours(2))
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert banner_text(html) == "Dernière minute : Quake hits the coast"
    assert (
        '<div class="breaking-banner" role="region" aria-label="Dernière minute" lang="fr">' in html
    )
    assert '<span lang="en-gb">Quake hits the coast</span>' in html


def test_without_a_breaking_story_pages_have_no_banner(client):
    make_article(title="An ordinary day")
    assert banner_text(client.get("/").content.decode()) is None


def test_the_server_error_page_shows_no_banner_and_asks_nothing_of_the_database():
    make_article(title="Quake hits", breaking_until=timezone.now() + hours(2))
    # Rendered as Django renders 500.html: without a request (the failure may be the database).
    with CaptureQueriesContext(connection) as ctx:
        html = loader.render_to_string("500.html", {"site_name": "Newsroom"})
    assert banner_text(html) is None
    assert ctx.captured_queries == []


def test_the_banner_costs_no_query_once_read(client, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    story = make_article(title="Quake hits", breaking_until=timezone.now() + hours(2))
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(story.get_absolute_url()).content.decode()
    assert banner_text(html) == "Breaking: Quake hits"
    assert not [q for q in ctx.captured_queries if '"breaking_until" >' in q["sql"]]


def test_the_kept_banner_is_read_again_after_a_change_in_any_process(client, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    story = make_article(title="Quake hits", breaking_until=timezone.now() + hours(2))
    assert breaking.current().title == "Quake hits"
    # What the process keeps is keyed on the page cache's version of the banner's tag, which
    # any change retires, here or in another process (here a bulk update, which sends no signal).
    Article.objects.filter(pk=story.pk).update(title="Quake hits the coast")
    assert breaking.current().title == "Quake hits the coast"


# With a warm page cache, and through shared caches


def test_flagging_a_story_shows_the_banner_on_the_next_request(client, backend):
    story = make_article(title="Quake hits the coast")
    other = make_article(title="Another story")
    for url in ("/", story.get_absolute_url(), other.get_absolute_url(), "/tags/"):
        assert banner_text(warm(client, url)) is None

    flag(story, timezone.now() + hours(2))

    for url in ("/", story.get_absolute_url(), other.get_absolute_url(), "/tags/"):
        assert banner_text(fetch(client, url)[1]) == "Breaking: Quake hits the coast", url


def test_clearing_the_flag_takes_the_banner_down_on_the_next_request(client, backend):
    story = make_article(title="Quake hits", breaking_until=timezone.now() + hours(2))
    other = make_article(title="Another story")
    assert banner_text(warm(client, other.get_absolute_url())) == "Breaking: Quake hits"

    flag(story, None)

    assert banner_text(fetch(client, other.get_absolute_url())[1]) is None


def test_unpublishing_the_breaking_story_takes_the_banner_down(client, backend):
    story = make_article(title="Quake hits", breaking_until=timezone.now() + hours(2))
    other = make_article(title="Another story")
    warm(client, other.get_absolute_url())

    writing.move(story, Status.UNPUBLISHED, user=make_user(role="Editor"))

    assert banner_text(fetch(client, other.get_absolute_url())[1]) is None


def test_a_new_headline_for_the_breaking_story_shows_in_the_banner(client, backend):
    story = make_article(title="Quake hits", breaking_until=timezone.now() + hours(2))
    other = make_article(title="Another story")
    warm(client, other.get_absolute_url())

    story.title = "Quake hits the coast: 3 hurt"
    writing.save(story, user=make_user(role="Editor"))

    assert banner_text(fetch(client, other.get_absolute_url())[1]) == (
        "Breaking: Quake hits the coast: 3 hurt"
    )


def test_a_newer_breaking_story_replaces_the_banner(client, backend):
    now = timezone.now()
    make_article(title="Quake hits", published_at=now - hours(2), breaking_until=now + hours(2))
    later = make_article(title="Dam bursts", published_at=now - hours(1))
    assert banner_text(warm(client, "/")) == "Breaking: Quake hits"

    flag(later, now + hours(1))

    assert banner_text(fetch(client, "/")[1]) == "Breaking: Dam bursts"


# Real commits: the commit is where the page cache learns of the flag's end (`next_change`).
# pytest-django runs transactional tests after the others, each on a flushed database: no
# serialized rollback, whose reload of content types collides with those a flush recreates.
@pytest.mark.django_db(transaction=True)
def test_the_banner_comes_down_at_its_time_with_a_warm_cache_and_no_write(
    client, backend, monkeypatch
):
    now = timezone.now()
    story = make_article(title="Quake hits the coast")
    other = make_article(title="Another story")
    for url in ("/", other.get_absolute_url(), "/feeds/latest.rss"):
        assert banner_text(warm(client, url)) is None

    flag(story, now + hours(2))

    for url in ("/", other.get_absolute_url()):
        assert banner_text(fetch(client, url)[1]) == "Breaking: Quake hits the coast", url
        warm(client, url)
    warm(client, "/feeds/latest.rss")  # it lists the story, whose save retired it
    monkeypatch.setattr(timezone, "now", lambda: now + hours(2) + timedelta(seconds=1))

    for url in ("/", other.get_absolute_url()):
        status, html, queries = fetch(client, url)
        assert (status, banner_text(html)) == (200, None), url
        assert queries > 0, url
    # The feed shows no banner, so it stays stored.
    assert fetch(client, "/feeds/latest.rss")[2] == 0
    # Read again once, then served from the cache as before.
    assert banner_text(warm(client, "/")) is None


def test_a_scheduled_breaking_story_appears_when_it_goes_live_with_a_warm_cache(
    client, backend, monkeypatch
):
    now = timezone.now()
    make_article(
        title="Embargoed quake report",
        published_at=now + hours(1),
        breaking_until=now + hours(3),
    )
    other = make_article(title="Another story")
    assert banner_text(warm(client, other.get_absolute_url())) is None

    monkeypatch.setattr(timezone, "now", lambda: now + hours(1) + timedelta(seconds=1))

    assert banner_text(fetch(client, other.get_absolute_url())[1]) == (
        "Breaking: Embargoed quake report"
    )


def test_a_shared_cache_keeps_a_page_no_longer_than_the_banner(client, settings):
    settings.NEWSROOM_SHARED_CACHE_SECONDS = 600
    story = make_article(title="Quake hits", breaking_until=timezone.now() + timedelta(minutes=2))
    response = client.get(story.get_absolute_url())
    assert banner_text(response.content.decode()) == "Breaking: Quake hits"
    seconds = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert 0 <= seconds <= 120
    assert "breaking" in response["xkey"].split()


def test_the_next_change_with_time_includes_a_flag_running_out():
    now = timezone.now()
    make_article(published_at=now + hours(5))
    story = make_article(published_at=now - hours(1), breaking_until=now + hours(2))
    make_article(status=Status.DRAFT, breaking_until=now + hours(1))
    assert cachetags.next_change(now) == story.breaking_until
    assert cachetags.BREAKING in cachetags.due(now, now + hours(2))
    assert cachetags.BREAKING not in cachetags.due(now, now + hours(1))


def test_a_bulk_update_that_flags_a_story_shows_the_banner(client):
    story = make_article(title="Quake hits")
    warm(client, "/")
    Article.objects.filter(pk=story.pk).update(breaking_until=timezone.now() + hours(2))
    assert banner_text(fetch(client, "/")[1]) == "Breaking: Quake hits"
