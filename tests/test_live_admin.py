"""Live coverage in the admin: the "Post an update" form on a story's page, the coverage
buttons, and the updates screen where updates are edited, approved and deleted."""

from datetime import timedelta
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from newsroom.news.models import Article, LiveUpdate
from tests.factories import make_article, make_author, make_live_story, make_update, make_user
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db


def desk(client, role: str):
    user = make_user(role=role)
    client.force_login(user)
    return user


def change_url(article: Article) -> str:
    return reverse("admin:news_article_change", args=[article.pk])


def post_url(article: Article) -> str:
    return reverse("admin:news_article_post_update", args=[article.pk])


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_live_storys_page_has_the_post_an_update_form_outside_the_story_form(client):
    desk(client, "Editor")
    story = make_live_story()
    html = client.get(change_url(story)).content.decode()
    panel = html.index('id="live-coverage"')
    assert "Post an update" in html
    assert f'action="{post_url(story)}"' in html
    # Before the story's own form: forms can't nest.
    assert panel < html.index('id="article_form"')


def test_posting_an_update_is_one_step_back_to_the_same_page(client):
    editor = desk(client, "Editor")
    story = make_live_story()
    response = client.post(
        post_url(story),
        {
            "update-headline": "Polls close",
            "update-body": "Counting starts.\n\nIn every hall.",
            "update-key_event": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == change_url(story) + "#live-coverage"
    assert said(response) == ["Update posted: readers see it now."]
    update = LiveUpdate.objects.get()
    assert (update.headline, update.key_event, update.pinned) == ("Polls close", True, False)
    assert update.body == "<p>Counting starts.</p>\n\n<p>In every hall.</p>"
    assert update.status == LiveUpdate.Status.APPROVED and update.created_by == editor


def test_an_empty_update_is_shown_again_with_what_was_typed_and_a_clear_message(client):
    desk(client, "Editor")
    story = make_live_story()
    response = client.post(post_url(story), {"update-headline": "Kept", "update-body": "<p> </p>"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Write the update first: it has no text." in html
    assert 'value="Kept"' in html
    assert "Traceback" not in html and not LiveUpdate.objects.exists()


def test_a_writers_update_on_a_published_story_waits_for_an_editors_approve_button(client):
    writer = desk(client, "Writer")
    story = make_live_story(created_by=writer)
    html = client.get(change_url(story)).content.decode()
    assert "waits for an editor" in html
    response = client.post(post_url(story), {"update-body": "First count."})
    assert said(response) == [
        "Update saved. It waits for an editor\u2019s approval before readers see it."
    ]
    update = LiveUpdate.objects.get()
    assert update.status == LiveUpdate.Status.PENDING
    approve = reverse("admin:news_liveupdate_approve", args=[update.pk])
    assert client.post(approve).status_code == 403
    assert "Approve</button>" not in client.get(change_url(story)).content.decode()

    desk(client, "Editor")
    assert "Approve</button>" in client.get(change_url(story)).content.decode()
    response = client.post(approve)
    assert response["Location"] == change_url(story) + "#live-coverage"
    update.refresh_from_db()
    assert update.status == LiveUpdate.Status.APPROVED
    assert [c.action for c in update.changes.order_by("id")] == ["posted", "approved"]


def test_a_writer_cannot_post_on_someone_elses_story(client):
    desk(client, "Writer")
    story = make_live_story(created_by=make_user(role="Writer"))
    response = client.post(post_url(story), {"update-body": "Sneaky."})
    assert response.status_code == 302
    assert not LiveUpdate.objects.exists()


def test_an_ordinary_story_offers_to_start_live_coverage_and_a_live_one_to_end_it(client):
    desk(client, "Editor")
    story = make_article()
    coverage = reverse("admin:news_article_coverage", args=[story.pk])
    assert (
        "Make this story live coverage, starting now"
        in client.get(change_url(story)).content.decode()
    )
    response = client.post(coverage, {"action": "start"})
    assert said(response)[0].startswith("Live coverage started")
    story.refresh_from_db()
    assert story.live_coverage_on
    assert "End live coverage now" in client.get(change_url(story)).content.decode()
    client.post(coverage, {"action": "end"})
    story.refresh_from_db()
    assert story.live_coverage_ended
    assert "Post an update" not in client.get(change_url(story)).content.decode()


def test_coverage_times_are_checked_on_the_story_form(client):
    desk(client, "Editor")
    author = make_author()
    story = make_article(authors=[author])
    data = form_data(
        title=story.title,
        slug=story.slug,
        expected_version=str(story.version),
        live_until_0="2026-01-02",
        live_until_1="10:00:00",
        **{
            "bylines-TOTAL_FORMS": "1",
            "bylines-INITIAL_FORMS": "1",
            "bylines-0-id": str(story.bylines.get().pk),
            "bylines-0-article": str(story.pk),
            "bylines-0-author": str(author.pk),
            "bylines-0-position": "0",
        },
    )
    response = client.post(change_url(story), data)
    assert "Set when the live coverage started too" in response.content.decode()
    data.update(live_from_0="2026-01-02", live_from_1="11:00:00")
    response = client.post(change_url(story), data)
    assert "Live coverage can't end before it starts." in unescape(response.content.decode())


def test_the_updates_screen_edits_and_deletes_through_the_write_path(client):
    editor = desk(client, "Editor")
    story = make_live_story()
    update = make_update(article=story, headline="Typo", created_by=editor)
    edit = reverse("admin:news_liveupdate_change", args=[update.pk])
    response = client.post(
        edit,
        {
            "shown_at_0": timezone.localtime(update.shown_at).strftime("%Y-%m-%d"),
            "shown_at_1": timezone.localtime(update.shown_at).strftime("%H:%M:%S"),
            "headline": "Fixed",
            "body": "<p>Something happened.</p>",
            "changes-TOTAL_FORMS": "0",
            "changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    update.refresh_from_db()
    assert update.headline == "Fixed"
    delete = reverse("admin:news_liveupdate_delete", args=[update.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    update.refresh_from_db()
    assert update.deleted_at is not None
    assert [c.action for c in update.changes.order_by("id")] == ["edited", "deleted"]
    listing = client.get(reverse("admin:news_liveupdate_changelist"), {"deleted": "yes"})
    assert "Fixed" in listing.content.decode()


def test_an_update_time_in_the_future_is_refused(client):
    desk(client, "Editor")
    update = make_update(article=make_live_story())
    later = timezone.localtime() + timedelta(hours=2)
    response = client.post(
        reverse("admin:news_liveupdate_change", args=[update.pk]),
        {
            "shown_at_0": later.strftime("%Y-%m-%d"),
            "shown_at_1": later.strftime("%H:%M:%S"),
            "headline": "",
            "body": "<p>Something happened.</p>",
            "changes-TOTAL_FORMS": "0",
            "changes-INITIAL_FORMS": "0",
        },
    )
    assert "An update's time can't be in the future." in unescape(response.content.decode())


def test_approve_action_on_the_updates_screen(client):
    desk(client, "Editor")
    story = make_live_story()
    waiting = make_update(article=story, status=LiveUpdate.Status.PENDING)
    response = client.post(
        reverse("admin:news_liveupdate_changelist"),
        {"action": "approve", "_selected_action": [waiting.pk]},
    )
    assert said(response) == ["Approved: 1 update."]
    waiting.refresh_from_db()
    assert waiting.status == LiveUpdate.Status.APPROVED


def test_all_updates_of_a_story_lists_that_storys_updates_only(client):
    desk(client, "Editor")
    story, other = make_live_story(), make_live_story()
    make_update(article=story, headline="Ours")
    make_update(article=other, headline="Theirs")
    html = client.get(change_url(story)).content.decode()
    listing = reverse("admin:news_liveupdate_changelist") + f"?article={story.pk}"
    assert f'href="{listing}"' in html
    shown = client.get(listing).content.decode()
    assert "Ours" in shown and "Theirs" not in shown


def test_posting_costs_a_dozen_queries_however_long_the_coverage(
    client, django_assert_max_num_queries
):
    desk(client, "Editor")
    story = make_live_story()
    for _ in range(60):
        make_update(article=story)
    # Session, user, permissions, whether the story is in the trash, the story, then one INSERT
    # for the update and one for its log: the same with 60 updates as with none.
    with django_assert_max_num_queries(13):
        response = client.post(post_url(story), {"update-body": "Quick."})
    assert response.status_code == 302
