"""Live coverage: the story's coverage times, its updates, who may post them, and what readers
get (the page, the polled fragment, the feed, the structured data), at what cost."""

from datetime import timedelta

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom.news import cachetags, storypage, structured_data, writing
from newsroom.news.models import Article, LiveUpdate, LiveUpdateChange
from newsroom.news.workflow import WorkflowError
from newsroom.pagecache import version_of
from tests.factories import make_article, make_author, make_live_story, make_update, make_user
from tests.test_pagecache import fetch

pytestmark = pytest.mark.django_db

STORY_PAGE_QUERIES = 4  # tests/test_views.py's budget for a story page without the page cache


def absolute(path: str) -> str:
    return "http://testserver" + path


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- The model and the write path ---


def test_an_update_body_is_cleaned_on_save_whatever_writes_it():
    story = make_live_story()
    update = make_update(article=story, body='<p onclick="x()">Hi<script>alert(1)</script></p>')
    update.refresh_from_db()
    assert update.body == "<p>Hi</p>"


def test_readers_see_approved_updates_that_are_not_deleted():
    story = make_live_story()
    shown = make_update(article=story)
    make_update(article=story, status=LiveUpdate.Status.PENDING)
    gone = make_update(article=story)
    writing.delete_update(gone, user=make_user(role="Editor"))
    assert list(LiveUpdate.objects.for_readers()) == [shown]


def test_an_editors_update_is_public_at_once_and_logged():
    editor = make_user(role="Editor")
    story = make_live_story()
    update = writing.post_update(story, user=editor, body="<p>Polls closed.</p>")
    assert update.status == LiveUpdate.Status.APPROVED
    assert [(c.action, c.changed_by) for c in update.changes.all()] == [("posted", editor)]


def test_a_writer_cannot_post_a_public_update_on_a_published_story_without_an_editor():
    writer, editor = make_user(role="Writer"), make_user(role="Editor")
    story = make_live_story(created_by=writer)
    update = writing.post_update(story, user=writer, body="<p>First count in.</p>")
    assert update.status == LiveUpdate.Status.PENDING
    assert not LiveUpdate.objects.for_readers().exists()
    with pytest.raises(WorkflowError, match="Only editors can approve"):
        writing.approve_update(update, user=writer)
    writing.approve_update(update, user=editor)
    assert list(LiveUpdate.objects.for_readers()) == [update]
    actions = [(c.action, c.changed_by) for c in update.changes.order_by("id")]
    assert actions == [("posted", writer), ("approved", editor)]


def test_a_writers_update_on_a_draft_goes_out_with_the_story():
    writer = make_user(role="Writer")
    draft = make_live_story(created_by=writer, status=Article.Status.DRAFT)
    update = writing.post_update(draft, user=writer, body="<p>Getting ready.</p>")
    assert update.status == LiveUpdate.Status.APPROVED


def test_a_writer_cannot_post_on_another_writers_story():
    story = make_live_story(created_by=make_user(role="Writer"))
    with pytest.raises(WorkflowError, match="can't post updates on this story"):
        writing.post_update(story, user=make_user(role="Writer"), body="<p>Hi.</p>")


def test_a_writer_may_change_only_their_own_update_that_readers_cannot_see_yet():
    writer, editor = make_user(role="Writer"), make_user(role="Editor")
    story = make_live_story(created_by=writer)
    pending = writing.post_update(story, user=writer, body="<p>Draft wording.</p>")
    writing.edit_update(pending, user=writer, body="<p>Better wording.</p>")
    writing.approve_update(pending, user=editor)
    with pytest.raises(WorkflowError, match="Only editors can change or delete"):
        writing.edit_update(pending, user=writer, body="<p>Changed after approval.</p>")
    with pytest.raises(WorkflowError, match="Only editors can change or delete"):
        writing.delete_update(pending, user=writer)
    pending.refresh_from_db()
    assert pending.body == "<p>Better wording.</p>" and pending.deleted_at is None


def test_editing_and_deleting_an_update_are_recorded_with_who_and_when():
    editor, other = make_user(role="Editor"), make_user(role="Editor")
    story = make_live_story()
    update = writing.post_update(story, user=editor, body="<p>Ten seats declared.</p>")
    writing.edit_update(update, user=other, body="<p>Eleven seats declared.</p>", key_event=True)
    writing.delete_update(update, user=editor)
    update.refresh_from_db()
    assert update.deleted_at is not None
    log = [(c.action, c.changed_by) for c in update.changes.order_by("id")]
    assert log == [("posted", editor), ("edited", other), ("deleted", editor)]
    assert all(c.changed_at <= timezone.now() for c in LiveUpdateChange.objects.all())
    with pytest.raises(WorkflowError, match="has been deleted"):
        writing.edit_update(update, user=editor, body="<p>Back?</p>")


def test_updates_need_a_story_marked_live_and_coverage_not_ended():
    editor = make_user(role="Editor")
    with pytest.raises(WorkflowError, match="not live coverage"):
        writing.post_update(make_article(), user=editor, body="<p>Hi.</p>")
    ended = make_live_story(live_until=timezone.now() - timedelta(minutes=1))
    with pytest.raises(WorkflowError, match="has ended"):
        writing.post_update(ended, user=editor, body="<p>Hi.</p>")


def test_posting_defaults_to_the_posters_own_author_entry():
    editor = make_user(role="Editor")
    own = make_author(name="Ann Lee")
    own.user = editor
    own.save()
    update = writing.post_update(make_live_story(), user=editor, body="<p>Hi.</p>")
    assert list(update.authors.all()) == [own]


def test_starting_and_ending_coverage_is_a_revision_of_the_story():
    editor = make_user(role="Editor")
    story = make_article()
    start = timezone.now() - timedelta(hours=2)
    writing.cover(story, user=editor, live_from=start, live_until=None, summary="Started")
    writing.cover(story, user=editor, live_from=start, live_until=timezone.now(), summary="Ended")
    latest, previous = story.revisions.all()[:2]
    assert latest.summary == "Ended" and latest.snapshot["live_until"]
    assert previous.snapshot["live_from"] and previous.snapshot["live_until"] is None
    story.refresh_from_db()
    assert story.live_coverage_ended and not story.live_coverage_on


def test_a_writer_cannot_end_coverage_of_a_published_story():
    writer = make_user(role="Writer")
    story = make_live_story(created_by=writer)
    with pytest.raises(WorkflowError, match="can't change this story"):
        writing.cover(story, user=writer, live_from=story.live_from, live_until=None, summary="x")


# --- The story page ---


def test_the_page_shows_updates_newest_first_with_key_events_summarised_at_the_top(client):
    story = make_live_story(slug="count")
    now = timezone.now()
    first = make_update(
        article=story, headline="Polls close", key_event=True, shown_at=now - timedelta(minutes=30)
    )
    second = make_update(
        article=story, body="<p>Turnout is high.</p>", shown_at=now - timedelta(minutes=20)
    )
    third = make_update(
        article=story, headline="Result", key_event=True, shown_at=now - timedelta(minutes=10)
    )
    html = page(client, "/news/count/")
    summary = html.index('class="live__key-events"')
    assert summary < html.index(f'id="update-{third.pk}"')
    assert html.index(f'id="update-{third.pk}"') < html.index(f'id="update-{second.pk}"')
    assert html.index(f'id="update-{second.pk}"') < html.index(f'id="update-{first.pk}"')
    key_events = html[summary : html.index("</nav>", summary)]
    assert f'href="#update-{third.pk}"' in key_events and f'href="#update-{first.pk}"' in key_events
    assert f'href="#update-{second.pk}"' not in key_events


def test_every_update_has_a_permanent_anchor_and_its_time(client):
    story = make_live_story(slug="count")
    update = make_update(article=story, headline="Polls close")
    html = page(client, "/news/count/")
    assert f'<article class="update" id="update-{update.pk}"' in html
    assert f'<a class="update__time" href="#update-{update.pk}">' in html
    assert update.get_absolute_url() == f"/news/count/#update-{update.pk}"


def test_pinned_updates_come_first(client):
    story = make_live_story(slug="count")
    pinned = make_update(article=story, pinned=True, shown_at=timezone.now() - timedelta(hours=1))
    newest = make_update(article=story)
    html = page(client, "/news/count/")
    assert html.index(f'id="update-{pinned.pk}"') < html.index(f'id="update-{newest.pk}"')
    assert html.count(f'id="update-{pinned.pk}"') == 1


def test_update_headlines_and_authors_are_escaped_and_only_the_clean_body_is_markup(client):
    story = make_live_story(slug="count")
    make_update(
        article=story,
        headline="<b>Loud</b>",
        body="<p>Fine <em>words</em></p>",
        authors=[make_author(name="<i>Ann</i>")],
    )
    html = page(client, "/news/count/")
    assert "&lt;b&gt;Loud&lt;/b&gt;" in html and "&lt;i&gt;Ann&lt;/i&gt;" in html
    assert "<p>Fine <em>words</em></p>" in html


def test_pending_and_deleted_updates_are_not_shown(client):
    story = make_live_story(slug="count")
    make_update(article=story, headline="Waiting", status=LiveUpdate.Status.PENDING)
    deleted = make_update(article=story, headline="Withdrawn")
    writing.delete_update(deleted, user=make_user(role="Editor"))
    html = page(client, "/news/count/")
    assert "Waiting" not in html and "Withdrawn" not in html


def test_live_label_on_the_story_and_in_listings_until_the_coverage_ends(client):
    author = make_author(slug="ann")
    story = make_live_story(slug="count", authors=[author], tags=["Election"])
    for url in ("/", "/news/count/", "/tags/election/", "/authors/ann/"):
        assert 'class="live-badge"' in page(client, url), url
    story.live_until = timezone.now() - timedelta(minutes=5)
    story.save()
    for url in ("/", "/news/count/", "/tags/election/", "/authors/ann/"):
        assert 'class="live-badge"' not in page(client, url), url
    html = page(client, "/news/count/")
    assert "Live coverage ended at <time datetime=" in html
    assert "data-live-poll" not in html and "/static/news/live." not in html


def test_the_page_polls_only_while_coverage_goes_on_and_loads_its_script_from_a_file(client):
    make_live_story(slug="count")
    html = page(client, "/news/count/")
    assert 'data-live-poll="/news/count/updates/"' in html
    assert 'aria-live="polite"' in html
    assert '<script src="/static/news/live.' in html
    make_article(slug="plain")
    assert "/static/news/live." not in page(client, "/news/plain/")


def test_a_live_page_is_kept_by_browsers_briefly(client):
    make_live_story(slug="count")
    assert "max-age=10" in client.get("/news/count/")["Cache-Control"]
    assert "max-age=10" in client.get("/news/count/updates/")["Cache-Control"]


def test_the_story_page_stays_one_query_with_fifty_updates(client, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    story = make_live_story(slug="count", authors=[make_author()])
    ann = make_author()
    for n in range(50):
        make_update(article=story, headline=f"Update {n}", key_event=n % 5 == 0, authors=[ann])
    with CaptureQueriesContext(connection) as queries:
        html = page(client, "/news/count/")
    assert html.count('class="update') >= 50
    story_queries = [q for q in queries.captured_queries if '"consent_' not in q["sql"]]
    assert len(story_queries) <= STORY_PAGE_QUERIES
    with CaptureQueriesContext(connection) as one:
        found = storypage.live_story("count")
    assert len(one.captured_queries) == 1
    assert len(found.live_updates) == 50
    assert all(u.credits == [ann] for u in found.live_updates)


# --- The polled fragment and the feed ---


def test_the_fragment_lists_the_newest_updates_and_says_whether_coverage_goes_on(client):
    story = make_live_story(slug="count")
    for n in range(25):
        make_update(article=story, headline=f"Update {n}")
    html = page(client, "/news/count/updates/")
    assert 'data-live-state="on"' in html
    assert html.count("data-update=") == 20
    story.live_until = timezone.now()
    story.save()
    assert 'data-live-state="ended"' in page(client, "/news/count/updates/")


def test_the_fragment_and_feed_of_an_ordinary_story_are_404(client):
    make_article(slug="plain")
    assert client.get("/news/plain/updates/").status_code == 404
    assert client.get("/news/plain/updates.atom").status_code == 404
    assert client.get("/news/nothing/updates/").status_code == 404


def test_a_poll_costs_no_sql_once_cached_and_a_new_update_retires_it(client):
    story = make_live_story(slug="count")
    make_update(article=story)
    fetch(client, "/news/count/updates/")
    assert fetch(client, "/news/count/updates/")[2] == 0
    writing.post_update(story, user=make_user(role="Editor"), body="<p>Breaking.</p>")
    status, body, queries = fetch(client, "/news/count/updates/")
    assert status == 200
    assert queries > 0 and "Breaking." in body


def test_the_updates_feed_reads_cleanly_with_every_update(client):
    story = make_live_story(slug="count", authors=[make_author(name="Desk Writer")])
    make_update(article=story, headline="Polls close", authors=[make_author(name="Ann")])
    make_update(article=story, body="<p>Turnout is high &amp; rising.</p>")
    response = client.get("/news/count/updates.atom")
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    titles = [entry.title for entry in parsed.entries]
    assert titles == ["Turnout is high & rising.", "Polls close"]
    assert [entry.author for entry in parsed.entries] == ["Desk Writer", "Ann"]
    assert all("#update-" in entry.link for entry in parsed.entries)


def test_the_page_links_its_updates_feed(client):
    make_live_story(slug="count")
    assert 'href="/news/count/updates.atom"' in page(client, "/news/count/")


# --- Structured data ---


def test_structured_data_is_a_live_blog_posting_with_every_update():
    ann = make_author(name="Ann", slug="ann")
    story = make_live_story(slug="count", authors=[ann])
    now = timezone.now().replace(microsecond=0)
    make_update(article=story, headline="Polls close", shown_at=now - timedelta(minutes=5))
    latest = make_update(article=story, body="<p>Turnout &amp; more.</p>", shown_at=now)
    data = structured_data.for_story(storypage.live_story("count"), absolute=absolute)
    assert data["@type"] == "LiveBlogPosting"
    assert data["coverageStartTime"] == story.live_from.isoformat(timespec="seconds")
    assert "coverageEndTime" not in data
    assert data["datePublished"] == story.published_at.isoformat(timespec="seconds")
    assert data["dateModified"] == now.isoformat(timespec="seconds")
    first = data["liveBlogUpdate"][0]
    assert first == {
        "@type": "BlogPosting",
        "headline": "Turnout & more.",
        "datePublished": now.isoformat(timespec="seconds"),
        "author": [{"@type": "Person", "name": "Ann", "url": "http://testserver/authors/ann/"}],
        "url": f"http://testserver/news/count/#update-{latest.pk}",
        "articleBody": "Turnout & more.",
    }
    assert data["liveBlogUpdate"][1]["headline"] == "Polls close"


def test_ended_coverage_says_when_it_ended_and_an_ordinary_story_stays_a_news_article():
    end = (timezone.now() - timedelta(minutes=1)).replace(microsecond=0)
    make_live_story(slug="count", live_until=end)
    data = structured_data.for_story(storypage.live_story("count"), absolute=absolute)
    assert data["coverageEndTime"] == end.isoformat(timespec="seconds")
    make_article(slug="plain")
    plain = structured_data.for_story(storypage.live_story("plain"), absolute=absolute)
    assert plain["@type"] == "NewsArticle" and "liveBlogUpdate" not in plain


def test_the_news_sitemap_keeps_the_first_publication_date(client):
    story = make_live_story(slug="count", published_at=timezone.now() - timedelta(hours=5))
    writing.post_update(story, user=make_user(role="Editor"), body="<p>Later.</p>")
    stamp = story.published_at.isoformat(timespec="seconds")
    xml = page(client, "/news-sitemap.xml")
    assert f"<news:publication_date>{stamp}" in xml


# --- What a change retires ---


def test_posting_an_update_retires_only_the_live_page_its_fragment_and_feed(client):
    ann = make_author(slug="ann")
    story = make_live_story(slug="count", authors=[ann], tags=["Election"])
    make_article(slug="other", authors=[ann], tags=["Election"])
    pages = [
        "/news/count/",
        "/news/count/updates/",
        "/news/count/updates.atom",
        "/news/other/",
        "/",
        "/tags/election/",
        "/authors/ann/",
        "/feeds/latest.atom",
    ]
    for url in pages:
        fetch(client, url)
        assert fetch(client, url)[2] == 0, url
    writing.post_update(story, user=make_user(role="Editor"), body="<p>News.</p>")
    again = {url for url in pages if fetch(client, url)[2] > 0}
    assert again == {"/news/count/", "/news/count/updates/", "/news/count/updates.atom"}


def test_ending_coverage_also_retires_the_listings_that_show_the_live_label(client):
    ann = make_author(slug="ann")
    story = make_live_story(slug="count", authors=[ann], tags=["Election"])
    pages = ["/news/count/", "/news/count/updates/", "/", "/tags/election/", "/authors/ann/"]
    for url in pages:
        fetch(client, url)
    editor = make_user(role="Editor")
    writing.cover(
        story, user=editor, live_from=story.live_from, live_until=timezone.now(), summary="Ended"
    )
    assert {url for url in pages if fetch(client, url)[2] > 0} == set(pages)


def test_coverage_ending_at_a_set_time_is_a_change_that_comes_with_time():
    soon = timezone.now() + timedelta(minutes=30)
    story = make_live_story(live_until=soon)
    assert cachetags.next_change(timezone.now()) == soon.replace(microsecond=0)
    tags = cachetags.due(soon - timedelta(minutes=1), soon + timedelta(minutes=1))
    assert {cachetags.story(story.pk), cachetags.STORIES} <= tags


def test_an_update_carries_its_own_tag_and_changing_its_authors_retires_it():
    story = make_live_story()
    update = make_update(article=story)
    before = version_of(cachetags.story_updates(story.pk))
    update.authors.add(make_author())
    assert version_of(cachetags.story_updates(story.pk)) != before
