"""The page cache: anonymous readers get stored pages, and every change shows on the next request.

Each invalidation scenario runs on the in-process cache and on the real Redis on
127.0.0.1:6379 (its own key prefix; skipped, saying why, when Redis does not answer, unless
NEWSROOM_REQUIRE_REDIS is set). A page counts as served from the cache when it ran no SQL.
"""

import subprocess
import sys
import threading
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsroom.consent import policy
from newsroom.news import cachetags, writing
from newsroom.news.models import Article, Author, Correction, RelatedLink
from newsroom.pagecache import middleware, versions
from tests.browser import skip_unless_available
from tests.factories import make_article, make_author, make_user

pytestmark = pytest.mark.django_db

REDIS = "redis://127.0.0.1:6379/13"


def redis_missing() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_timeout=2).ping()
    except redis.RedisError as error:
        return f"no Redis server answers on 127.0.0.1:6379 ({error})"
    return None


@pytest.fixture(params=["locmem", "redis"])
def backend(request, settings):
    """The page cache on the in-process cache, or on the real Redis."""
    if request.param == "redis":
        skip_unless_available("Redis", redis_missing(), required_by=("NEWSROOM_REQUIRE_REDIS",))
        prefix = f"newsroom-test-pagecache-{uuid.uuid4().hex}"
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS,
                "KEY_PREFIX": prefix,
            }
        }
        yield request.param
        import redis

        client = redis.Redis.from_url(REDIS)
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
        return
    # The in-process cache is emptied around every test by conftest's `empty_caches`.
    yield request.param


def fetch(client, url: str, **headers) -> tuple[int, str, int]:
    """(status, body, number of SQL queries) of one request. The consent app's queries are
    left out: it reads its categories once after each change, whichever page asks first
    (tests/test_fastpath.py counts them)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    queries = [q for q in ctx.captured_queries if '"consent_' not in q["sql"]]
    return response.status_code, response.content.decode(), len(queries)


def warm(client, url: str, **headers) -> str:
    """Fetch a page twice and check the second came from the cache; its body."""
    fetch(client, url, **headers)
    status, body, queries = fetch(client, url, **headers)
    assert (status, queries) == (200, 0), url
    return body


def decided(**granted: bool) -> str:
    return policy.serialise(
        policy.Decision(
            consent_id="Vn3kq0w2ZC1pd1FhWlJmQQ",
            version="1",
            granted=frozenset(key for key, on in granted.items() if on),
            decided_at=timezone.now() - timedelta(days=1),
        )
    )


CACHED_PAGES = [
    "/",
    "/tags/",
    "/tags/drones/",
    "/authors/ann-lee/",
    "/archive/",
    "/feeds/latest.rss",
    "/tags/drones/feed.atom",
    "/authors/ann-lee/feed.rss",
    "/sitemap.xml",
    "/sitemap-stories.xml",
    "/news-sitemap.xml",
]


@pytest.mark.parametrize("url", CACHED_PAGES)
def test_a_cached_page_costs_no_sql_and_keeps_its_headers(client, url):
    author = make_author(name="Ann Lee", slug="ann-lee")
    make_article(authors=[author], tags=["Drones"])
    first = client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(url)
    assert len(ctx.captured_queries) == 0
    assert again.content == first.content
    for header in (
        "Content-Type",
        "Cache-Control",
        "Vary",
        "ETag",
        "Last-Modified",
        "X-Robots-Tag",
    ):
        assert again.get(header) == first.get(header), header
    assert again["Cache-Control"].startswith("public, max-age=60, s-maxage=")


def test_story_month_and_topic_pages_are_cached_too(client):
    story = make_article(tags=["Drones"])
    local = timezone.localtime(story.published_at)
    for url in (
        story.get_absolute_url(),
        reverse("news:archive_month", kwargs={"year": local.year, "month": local.month}),
        reverse("news:tag_detail", kwargs={"slug": "drones"}),
    ):
        warm(client, url)


def test_a_cached_page_still_answers_a_conditional_get_with_304(client):
    story = make_article()
    etag = client.get(story.get_absolute_url())["ETag"]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(story.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert len(ctx.captured_queries) == 0


def test_publishing_shows_on_the_next_request(client, backend):
    editor = make_user(role="Editor")
    draft = make_article(
        title="Held back for now", status=Article.Status.DRAFT, authors=[make_author()]
    )
    assert "Held back for now" not in warm(client, "/")
    assert fetch(client, draft.get_absolute_url())[0] == 404

    writing.move(draft, Article.Status.PUBLISHED, user=editor)

    assert "Held back for now" in fetch(client, "/")[1]
    assert fetch(client, draft.get_absolute_url())[0] == 200


def test_an_edit_shows_on_the_next_request(client, backend):
    story = make_article(title="First headline")
    assert "First headline" in warm(client, story.get_absolute_url())
    warm(client, "/")

    story.title = "Second headline"
    story.save()

    assert "Second headline" in fetch(client, story.get_absolute_url())[1]
    assert "Second headline" in fetch(client, "/")[1]


def test_unpublishing_shows_on_the_next_request(client, backend):
    editor = make_user(role="Editor")
    story = make_article(title="Pulled for legal reasons")
    warm(client, story.get_absolute_url())
    warm(client, "/feeds/latest.rss")

    writing.move(story, Article.Status.UNPUBLISHED, user=editor)

    assert fetch(client, story.get_absolute_url())[0] == 404
    assert "Pulled for legal reasons" not in fetch(client, "/feeds/latest.rss")[1]


def test_a_correction_shows_on_the_next_request(client, backend):
    story = make_article()
    assert "The minister was misnamed" not in warm(client, story.get_absolute_url())

    Correction.objects.create(article=story, text="The minister was misnamed.")

    assert "The minister was misnamed" in fetch(client, story.get_absolute_url())[1]


def test_a_scheduled_story_goes_live_on_time_with_a_warm_cache(client, backend, monkeypatch):
    now = timezone.now()
    story = make_article(title="Embargoed until noon", published_at=now + timedelta(hours=1))
    assert "Embargoed until noon" not in warm(client, "/")
    assert fetch(client, story.get_absolute_url())[0] == 404

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=1, seconds=1))

    assert "Embargoed until noon" in fetch(client, "/")[1]
    assert fetch(client, story.get_absolute_url())[0] == 200


def test_a_correction_dated_later_appears_when_its_time_comes(client, backend, monkeypatch):
    now = timezone.now()
    story = make_article()
    Correction.objects.create(article=story, text="Figures revised.", noted_at=now + timedelta(1))
    assert "Figures revised" not in warm(client, story.get_absolute_url())

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(days=1, seconds=1))

    assert "Figures revised" in fetch(client, story.get_absolute_url())[1]


def test_bylines_topics_links_and_authors_invalidate_too(client, backend):
    author = make_author(name="Ann Lee", slug="ann-lee")
    story = make_article(authors=[author])
    url = story.get_absolute_url()
    warm(client, url)

    story.tags.add("Submarines")
    assert "Submarines" in fetch(client, url)[1]
    warm(client, url)

    Author.objects.filter(pk=author.pk).update(name="Ann Lee-Smith")
    assert "Ann Lee-Smith" in fetch(client, url)[1]
    warm(client, url)

    RelatedLink.objects.bulk_create(
        [RelatedLink(article=story, title="Earlier coverage", url="https://example.com/")]
    )
    assert "Earlier coverage" in fetch(client, url)[1]
    warm(client, url)

    story.bylines.all().delete()
    assert "Ann Lee-Smith" not in fetch(client, url)[1]


def test_the_change_is_forgotten_again_when_its_transaction_commits(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        story = make_article(title="Before")
        warm(client, story.get_absolute_url())
        story.title = "After"
        story.save()
        # A reader between the save and the commit stores a page under the new generation...
        assert "After" in warm(client, story.get_absolute_url())
    for callback in callbacks:
        callback()
    # ...which the commit retires, in case that reader saw the rows from before the commit.
    assert fetch(client, story.get_absolute_url())[2] > 0


def test_an_editor_gets_a_fresh_page_and_leaves_none_behind(client):
    story = make_article()
    url = story.get_absolute_url()
    editor = make_user(role="Editor")
    client.force_login(editor)
    first, second = fetch(client, url), fetch(client, url)
    assert first[2] > 0 and second[2] > 0

    client.logout()
    client.cookies.clear()
    assert fetch(client, url)[2] > 0  # the editor stored nothing
    warm(client, url)

    client.force_login(editor)
    assert fetch(client, url)[2] > 0  # and reads nothing stored


def test_a_session_cookie_alone_bypasses_the_cache(client, settings):
    story = make_article()
    warm(client, story.get_absolute_url())
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-real-session"
    assert fetch(client, story.get_absolute_url())[2] > 0


def test_each_consent_variant_and_gpc_get_their_own_copy(client):
    story = make_article()
    url = story.get_absolute_url()
    asked = warm(client, url)
    assert "data-consent-banner" in asked

    client.cookies[policy.COOKIE_NAME] = decided(analytics=True)
    _status, chose, queries = fetch(client, url)
    assert queries > 0  # not the banner page stored for undecided readers
    assert "data-consent-banner" not in chose
    warm(client, url)

    del client.cookies[policy.COOKIE_NAME]
    _status, gpc, queries = fetch(client, url, **{"Sec-GPC": "1"})
    assert queries > 0
    assert "data-consent-gpc-note" in gpc
    assert warm(client, url, **{"Sec-GPC": "1"}) == gpc
    assert warm(client, url) == asked

    response = client.get(url)
    assert {"Cookie", "Sec-GPC"} <= {v.strip() for v in response["Vary"].split(",")}


def test_feeds_and_sitemaps_keep_one_copy_for_every_reader(client):
    make_article()
    warm(client, "/feeds/latest.rss")
    client.cookies[policy.COOKIE_NAME] = decided()
    assert fetch(client, "/feeds/latest.rss", **{"Sec-GPC": "1"})[2] == 0
    assert "Cookie" not in client.get("/sitemap.xml").get("Vary", "")


def test_search_and_previews_are_never_cached(client):
    from newsroom.desk import preview

    make_article(title="Drones over the strait")
    draft = make_article(status=Article.Status.DRAFT)
    for url in ("/search/?q=drones", preview.preview_url(draft)):
        fetch(client, url)
        assert fetch(client, url)[2] > 0, url


def test_errors_are_not_stored(client):
    assert fetch(client, "/news/no-such-story/")[0] == 404
    assert fetch(client, "/news/no-such-story/")[2] > 0


def test_turned_off_every_request_reads_the_database(client, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    story = make_article()
    fetch(client, story.get_absolute_url())
    assert fetch(client, story.get_absolute_url())[2] > 0


def test_the_next_go_live_moment_is_the_soonest_story_or_note(db):
    now = timezone.now()
    assert cachetags.next_change(now) is None
    story = make_article(published_at=now + timedelta(hours=3))
    make_article(status=Article.Status.DRAFT, published_at=now + timedelta(hours=1))
    assert cachetags.next_change(now) == story.published_at
    note = Correction.objects.create(article=story, text="Later.", noted_at=now + timedelta(2))
    assert cachetags.next_change(now) == story.published_at
    assert cachetags.next_change(story.published_at) == note.noted_at


def test_a_page_is_kept_no_longer_than_the_cap(client, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 30
    story = make_article()
    fetch(client, story.get_absolute_url())
    key = next(k for k in cache._cache if middleware.PAGE_KEY_PREFIX in k)
    remaining = cache._expire_info[key] - timezone.now().timestamp()
    assert 25 < remaining <= 30


@pytest.mark.django_db(transaction=True)
def test_a_shared_cache_keeps_a_page_no_longer_than_the_next_go_live(client, settings):
    # Saves commit here, as they do on the site: the commit brings the next go-live forward.
    settings.NEWSROOM_SHARED_CACHE_SECONDS = 300
    story = make_article()
    assert "s-maxage=300" in client.get(story.get_absolute_url())["Cache-Control"]
    cache.clear()
    make_article(published_at=timezone.now() + timedelta(seconds=10))
    control = client.get(story.get_absolute_url())["Cache-Control"]
    seconds = int(control.split("s-maxage=")[1].split(",")[0])
    assert 0 <= seconds <= 10


def s_maxage(response) -> int:
    return int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])


def test_a_stored_page_served_later_still_lets_shared_caches_go_at_the_go_live(
    client, settings, monkeypatch
):
    # Stored 100 s before a go-live; fetched by a shared cache 90 s later (another CDN node,
    # say): it may keep the copy 10 s, not the 100 s the page was stored with.
    settings.NEWSROOM_SHARED_CACHE_SECONDS = 300
    now = timezone.now()
    story = make_article()
    make_article(published_at=now + timedelta(seconds=100))
    assert 95 <= s_maxage(client.get(story.get_absolute_url())) <= 100

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(seconds=90))
    with CaptureQueriesContext(connection) as ctx:
        later = client.get(story.get_absolute_url())

    assert len(ctx.captured_queries) == 0  # still the stored page
    assert 5 <= s_maxage(later) <= 10


def test_a_shared_caches_revalidation_gets_the_tags_and_lifetime_with_its_304(client, settings):
    # Varnish revalidates an expired copy with If-None-Match; the 304 renews the copy with
    # the headers it carries, so it must carry the go-live limit and the tags too.
    settings.NEWSROOM_SHARED_CACHE_SECONDS = 300
    story = make_article()
    make_article(published_at=timezone.now() + timedelta(seconds=60))
    first = client.get(story.get_absolute_url())
    cache.clear()  # rendered again: the 304 comes from ConditionalGetMiddleware, below

    response = client.get(story.get_absolute_url(), headers={"If-None-Match": first["ETag"]})

    assert response.status_code == 304
    assert 0 < s_maxage(response) <= 60
    assert response["xkey"] == first["xkey"]


def test_a_cache_that_stops_answering_costs_the_cache_not_the_page(client, caplog):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    story = make_article(title="Still readable")
    with override_settings(CACHES=unreachable):
        status, body, _ = fetch(client, story.get_absolute_url())
        assert (status, "Still readable" in body) == (200, True)
        story.title = "Still editable"
        story.save()
        assert "Still editable" in fetch(client, story.get_absolute_url())[1]
    assert "Page cache unreachable" in caplog.text


def test_many_changes_in_one_transaction_queue_one_commit_time_invalidation(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(5):
            make_article(tags=["Drones"])
    queued = [c for c in callbacks if hasattr(c, "newsroom_tags")]
    assert len(queued) == 1
    assert {"stories", "topics"} <= queued[0].newsroom_tags


def test_a_change_made_by_another_process_empties_this_ones_pages(client):
    story, other = make_article(), make_article()
    warm(client, story.get_absolute_url())
    warm(client, other.get_absolute_url())
    journal = versions._journal().path
    # Another gunicorn worker saving the story appends its tags to the journal; nothing else
    # reaches this process's in-memory cache.
    line = f"{cachetags.story(story.pk)}\n"
    subprocess.run(
        [sys.executable, "-c", f"open({str(journal)!r}, 'a').write({line!r})"],
        check=True,
        timeout=30,
    )
    assert fetch(client, story.get_absolute_url())[2] > 0
    assert fetch(client, other.get_absolute_url())[2] == 0
    assert warm(client, story.get_absolute_url())


def test_a_journal_started_afresh_by_another_process_empties_this_ones_pages(client):
    story = make_article()
    warm(client, story.get_absolute_url())
    journal = versions._journal().path
    fresh = journal.with_name(journal.name + ".test")
    fresh.write_text("")
    fresh.replace(journal)
    assert fetch(client, story.get_absolute_url())[2] > 0
    assert warm(client, story.get_absolute_url())


def test_a_schedule_left_by_an_older_release_is_replaced_not_a_crash(client):
    story = make_article()
    versions._write_schedule(("token-from-before",))
    assert fetch(client, story.get_absolute_url())[0] == 200
    warm(client, story.get_absolute_url())


def test_a_change_is_not_lost_when_another_thread_read_the_journal(client):
    # gunicorn's threaded workers: each thread has its own cache object, one journal reader.
    story = make_article()
    warm(client, story.get_absolute_url())
    reader = threading.Thread(target=versions.sync)
    reader.start()
    reader.join()
    line = f"{cachetags.story(story.pk)}\n"
    with open(versions._journal().path, "a") as journal:
        journal.write(line)
    other = threading.Thread(target=versions.sync)
    other.start()
    other.join()
    assert fetch(client, story.get_absolute_url())[2] > 0
