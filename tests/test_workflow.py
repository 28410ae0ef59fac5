"""Roles, statuses, preview links, revisions, conflicts and corrections, through the admin."""

import re
import time
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from newsroom.desk import diffs, preview
from newsroom.news import revisions, workflow, writing
from newsroom.news.models import Article, Correction, RelatedLink, Revision, StatusChange
from tests.factories import make_article, make_author, make_user

pytestmark = pytest.mark.django_db

Status = Article.Status


def login(client, user):
    client.force_login(user)
    return client


def change_url(article):
    return reverse("admin:news_article_change", args=[article.pk])


def form_data(article=None, **overrides):
    """What the change form posts for `article` (or a new story), with `overrides`."""
    data = {
        "title": article.title if article else "A new story",
        "slug": article.slug if article else "a-new-story",
        "standfirst": article.standfirst if article else "Summary.",
        "body": article.body if article else "<p>Body.</p>",
        "status": article.status if article else Status.DRAFT,
        "tags": "",
        "lead_image_alt": "",
        "lead_image_caption": "",
        "lead_image_credit": "",
        "expected_version": str(article.version) if article else "",
    }
    if article and article.published_at:
        local = timezone.localtime(article.published_at)
        data["published_at_0"] = local.strftime("%Y-%m-%d")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    for prefix in ("bylines", "related_links", "corrections", "status_changes"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data.update(overrides)
    return data


def run_action(client, action, articles, **extra):
    return client.post(
        reverse("admin:news_article_changelist"),
        {"action": action, "_selected_action": [a.pk for a in articles], **extra},
    )


def reload(article):
    return Article.objects.get(pk=article.pk)


class _FormReader(HTMLParser):
    """What a browser would post back from the change form, untouched: every named input,
    textarea and select with its current value (no file, no unticked box, no button)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data: dict[str, list[str]] = {}
        self._textarea = self._select = None
        self._text: list[str] = []
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_form = a.get("id") == "article_form"
        name = a.get("name") if self._in_form else None
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("file", "submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value") or "on")
                return
            self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            text = "".join(self._text)
            # A browser drops the one newline that follows <textarea>.
            self.data.setdefault(self._textarea, []).append(text.removeprefix("\n"))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def posted_back(client, url) -> dict[str, list[str]]:
    """The change form at `url`, submitted as it was loaded (nothing changed)."""
    reader = _FormReader()
    reader.feed(client.get(url).content.decode())
    assert "expected_version" in reader.data and "body" in reader.data
    return reader.data


# Roles: a writer can never publish, by any path


def test_writer_cannot_publish_a_new_story_through_the_form(client):
    login(client, make_user(role="Writer"))
    response = client.post(reverse("admin:news_article_add"), form_data(status=Status.PUBLISHED))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Article.objects.exists()


def test_writer_cannot_publish_an_own_draft_with_a_crafted_post(client):
    writer = make_user(role="Writer")
    article = make_article(status=Status.DRAFT, created_by=writer)
    login(client, writer)
    response = client.post(
        change_url(article),
        form_data(
            article,
            status=Status.PUBLISHED,
            published_at_0="2020-01-01",
            published_at_1="00:00:00",
        ),
    )
    assert response.status_code == 200
    assert reload(article).status == Status.DRAFT
    assert reload(article).published_at is None
    assert not Article.objects.published().exists()


@pytest.mark.parametrize("action", ["publish_now", "unpublish", "return_to_draft"])
def test_writer_cannot_use_editor_actions_even_by_crafting_the_post(client, action):
    writer = make_user(role="Writer")
    article = make_article(status=Status.REVIEW, created_by=writer)
    login(client, writer)
    changelist = client.get(reverse("admin:news_article_changelist")).content.decode()
    assert f'value="{action}"' not in changelist
    run_action(client, action, [article])
    assert reload(article).status == Status.REVIEW
    assert not StatusChange.objects.exists()


def test_workflow_refuses_a_writer_publishing_whatever_calls_it():
    writer = make_user(role="Writer")
    article = make_article(status=Status.DRAFT, created_by=writer)
    with pytest.raises(workflow.WorkflowError, match="Only editors can publish"):
        writing.move(article, Status.PUBLISHED, user=writer)
    assert reload(article).status == Status.DRAFT


def test_writer_sees_and_edits_only_own_stories(client):
    writer = make_user(role="Writer")
    own = make_article(title="Mine", status=Status.DRAFT, created_by=writer)
    theirs = make_article(title="Someone else's", status=Status.DRAFT)
    login(client, writer)
    listing = client.get(reverse("admin:news_article_changelist")).content.decode()
    assert "Mine" in listing and "Someone else" not in listing
    client.post(change_url(theirs), form_data(theirs, title="Hijacked"))
    assert reload(theirs).title == "Someone else's"
    response = client.post(change_url(own), form_data(own, title="Mine, better"))
    assert response.status_code == 302
    assert reload(own).title == "Mine, better"


def test_writer_cannot_change_an_own_story_once_it_is_published(client):
    writer = make_user(role="Writer")
    article = make_article(title="Out", created_by=writer)
    login(client, writer)
    client.post(change_url(article), form_data(article, title="Changed after publication"))
    assert reload(article).title == "Out"


def test_writer_submits_for_review_and_the_move_is_logged(client):
    writer = make_user(role="Writer")
    by_form = make_article(status=Status.DRAFT, created_by=writer)
    by_action = make_article(status=Status.DRAFT, created_by=writer)
    login(client, writer)
    response = client.post(change_url(by_form), form_data(by_form, status=Status.REVIEW))
    assert response.status_code == 302
    run_action(client, "submit_for_review", [by_action])
    for article in (by_form, by_action):
        assert reload(article).status == Status.REVIEW
        change = StatusChange.objects.get(article=article)
        assert (change.from_status, change.to_status, change.changed_by) == (
            Status.DRAFT,
            Status.REVIEW,
            writer,
        )


def test_writer_cannot_add_a_correction_note(client):
    writer = make_user(role="Writer")
    article = make_article(status=Status.DRAFT, created_by=writer)
    login(client, writer)
    client.post(
        change_url(article),
        form_data(
            article,
            **{
                "corrections-TOTAL_FORMS": "1",
                "corrections-0-kind": "correction",
                "corrections-0-text": "Sneaky",
                "corrections-0-noted_at_0": "2026-01-01",
                "corrections-0-noted_at_1": "10:00:00",
            },
        ),
    )
    assert not Correction.objects.exists()


# Editors: publish, schedule, unpublish


def test_editor_publishes_schedules_and_unpublishes(client):
    editor = make_user(role="Editor")
    now_story = make_article(status=Status.REVIEW, authors=[make_author()])
    later_story = make_article(status=Status.REVIEW, authors=[make_author()])
    login(client, editor)
    run_action(client, "publish_now", [now_story])
    assert reload(now_story).is_live
    tomorrow = timezone.localtime() + timedelta(days=1)
    response = client.post(
        change_url(later_story),
        form_data(
            later_story,
            status=Status.PUBLISHED,
            published_at_0=tomorrow.strftime("%Y-%m-%d"),
            published_at_1=tomorrow.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302
    assert reload(later_story).is_scheduled
    assert not Article.objects.published().filter(pk=later_story.pk).exists()
    run_action(client, "unpublish", [now_story])
    assert reload(now_story).status == Status.UNPUBLISHED
    assert client.get(now_story.get_absolute_url()).status_code == 404
    moves = list(
        StatusChange.objects.filter(article=now_story).values_list("to_status", "changed_by")
    )
    assert moves == [(Status.UNPUBLISHED, editor.pk), (Status.PUBLISHED, editor.pk)]


def buttons(html):
    """The change form's submit buttons: (action, label) pairs, in order."""
    return re.findall(
        r'<button type="submit" name="_action" value="(\w+)"[^>]*>([^<]*)</button>', html
    )


@pytest.mark.parametrize(
    ("role", "status", "live", "expected"),
    [
        ("Writer", Status.DRAFT, False, ["Save draft", "Submit for review"]),
        ("Writer", Status.REVIEW, False, ["Save", "Return to draft"]),
        (
            "Editor",
            Status.DRAFT,
            False,
            ["Save draft", "Submit for review", "Publish now", "Schedule for the publication time"],
        ),
        ("Editor", Status.PUBLISHED, True, ["Save", "Unpublish"]),
    ],
    ids=["writer-draft", "writer-review", "editor-draft", "editor-live"],
)
def test_the_buttons_say_what_happens_and_offer_only_allowed_moves(
    client, role, status, live, expected
):
    user = make_user(role=role)
    article = make_article(
        status=status,
        created_by=user,
        published_at=timezone.now() - timedelta(hours=1) if live else None,
    )
    login(client, user)
    html = client.get(change_url(article)).content.decode()
    assert [label for _, label in buttons(html)] == expected
    assert 'name="_save"' not in html


def test_a_writer_pressing_a_crafted_publish_button_is_refused_like_the_status_menu(client):
    writer = make_user(role="Writer")
    article = make_article(status=Status.DRAFT, created_by=writer, authors=[make_author()])
    login(client, writer)
    response = client.post(change_url(article), form_data(article, _action="publish"))
    assert response.status_code == 200
    assert "Only editors can publish or schedule stories." in response.content.decode()
    assert reload(article).status == Status.DRAFT
    assert not StatusChange.objects.exists()


def test_submit_for_review_button_moves_and_logs_the_story(client):
    writer = make_user(role="Writer")
    article = make_article(status=Status.DRAFT, created_by=writer)
    login(client, writer)
    response = client.post(change_url(article), form_data(article, _action="review"))
    assert response.status_code == 302
    assert reload(article).status == Status.REVIEW
    assert StatusChange.objects.get(article=article).to_status == Status.REVIEW


def test_publish_now_button_publishes_now_even_with_a_later_time_typed(client):
    login(client, make_user(role="Editor"))
    article = make_article(status=Status.REVIEW, authors=[make_author()])
    later = timezone.localtime() + timedelta(days=2)
    response = client.post(
        change_url(article),
        form_data(
            article,
            _action="publish",
            published_at_0=later.strftime("%Y-%m-%d"),
            published_at_1=later.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302
    assert reload(article).is_live


def test_schedule_button_schedules_at_the_time_typed_in_the_newsrooms_zone(
    client, settings, monkeypatch
):
    settings.TIME_ZONE = "Europe/Paris"
    noon_in_paris = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: noon_in_paris)
    login(client, make_user(role="Editor"))
    article = make_article(status=Status.REVIEW, authors=[make_author()])
    page = client.get(change_url(article)).content.decode()
    assert "Times are in Europe/Paris (CEST)." in page

    response = client.post(
        change_url(article),
        form_data(
            article, _action="schedule", published_at_0="2026-07-02", published_at_1="09:30:00"
        ),
    )

    assert response.status_code == 302
    stored = reload(article)
    assert stored.status == Status.PUBLISHED
    assert stored.published_at == datetime(2026, 7, 2, 7, 30, tzinfo=UTC)
    page = client.get(change_url(article)).content.decode()
    assert ("schedule", "Schedule for 2 Jul 2026, 09:30 (Europe/Paris (CEST))") in buttons(page)


@pytest.mark.parametrize("typed", [None, -timedelta(minutes=5)], ids=["empty", "past"])
def test_schedule_without_a_future_time_is_refused_with_a_message(client, typed):
    login(client, make_user(role="Editor"))
    article = make_article(status=Status.REVIEW, authors=[make_author()])
    data = form_data(article, _action="schedule")
    if typed is not None:
        when = timezone.localtime() + typed
        data |= {
            "published_at_0": when.strftime("%Y-%m-%d"),
            "published_at_1": when.strftime("%H:%M:%S"),
        }
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert "To schedule, type a publication time in the future (UTC)" in response.content.decode()
    assert reload(article).status == Status.REVIEW


def test_unpublish_button_takes_a_live_story_down(client):
    login(client, make_user(role="Editor"))
    article = make_article(authors=[make_author()], published_at=timezone.now())
    response = client.post(change_url(article), form_data(article, _action="unpublish"))
    assert response.status_code == 302
    assert reload(article).status == Status.UNPUBLISHED


def test_an_unknown_button_is_refused_with_a_message(client):
    login(client, make_user(role="Editor"))
    article = make_article(status=Status.DRAFT)
    response = client.post(change_url(article), form_data(article, _action="explode"))
    assert response.status_code == 200
    assert "sent by a button it does not have" in response.content.decode()


def test_admin_shows_a_scheduled_story_as_live_once_its_time_has_passed(client):
    login(client, make_user(role="Editor"))
    article = make_article(title="Timed", published_at=timezone.now() + timedelta(hours=1))
    listing = client.get(reverse("admin:news_article_changelist")).content.decode()
    assert "Scheduled for" in listing
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(1))
    listing = client.get(reverse("admin:news_article_changelist")).content.decode()
    assert "Scheduled for" not in listing and ">Live<" in listing
    scheduled = client.get(reverse("admin:news_article_changelist"), {"state": "live"})
    assert "Timed" in scheduled.content.decode()


def test_editor_sees_stories_in_review_first(client):
    login(client, make_user(role="Editor"))
    make_article(title="Waiting for you", status=Status.REVIEW)
    make_article(title="Freshly published")
    make_article(title="A newer draft", status=Status.DRAFT)
    listing = client.get(reverse("admin:news_article_changelist")).content.decode()
    assert listing.index("Waiting for you") < listing.index("A newer draft")
    assert listing.index("Waiting for you") < listing.index("Freshly published")


# A byline before publishing

NO_AUTHOR = "Add at least one author before publishing"


def with_byline(author=None, **overrides):
    """Form fields for a byline of one author (a new one unless given)."""
    author = author or make_author()
    return {
        "bylines-TOTAL_FORMS": "1",
        "bylines-0-author": str(author.pk),
        "bylines-0-position": "0",
        **overrides,
    }


@pytest.mark.parametrize("days_ahead", [None, 1], ids=["now", "scheduled"])
def test_a_story_with_no_author_cannot_be_published_through_the_form(client, days_ahead):
    login(client, make_user(role="Editor"))
    article = make_article(status=Status.REVIEW)
    when = {}
    if days_ahead:
        later = timezone.localtime() + timedelta(days=days_ahead)
        when = {"published_at_0": f"{later:%Y-%m-%d}", "published_at_1": f"{later:%H:%M:%S}"}
    response = client.post(change_url(article), form_data(article, status=Status.PUBLISHED, **when))
    assert response.status_code == 200
    assert NO_AUTHOR in response.content.decode()
    assert reload(article).status == Status.REVIEW
    assert reload(article).version == article.version
    assert not StatusChange.objects.exists()


def test_a_new_story_with_no_author_cannot_be_published(client):
    login(client, make_user(role="Editor"))
    response = client.post(reverse("admin:news_article_add"), form_data(status=Status.PUBLISHED))
    assert response.status_code == 200
    assert NO_AUTHOR in response.content.decode()
    assert not Article.objects.exists()


def test_a_story_is_published_once_it_has_an_author(client):
    login(client, make_user(role="Editor"))
    article = make_article(status=Status.REVIEW)
    response = client.post(
        change_url(article), form_data(article, status=Status.PUBLISHED, **with_byline())
    )
    assert response.status_code == 302
    assert reload(article).is_live


def test_an_editor_writing_as_an_author_publishes_under_her_own_byline(client):
    editor = make_user(role="Editor")
    own = make_author(name="Mina Park")
    own.user = editor
    own.save()
    login(client, editor)
    response = client.post(reverse("admin:news_article_add"), form_data(status=Status.PUBLISHED))
    assert response.status_code == 302
    assert [a.name for a in Article.objects.get().byline] == ["Mina Park"]


def test_removing_the_last_author_of_a_live_story_is_refused(client):
    login(client, make_user(role="Editor"))
    author = make_author()
    article = make_article(authors=[author])
    byline = article.bylines.get()
    response = client.post(
        change_url(article),
        form_data(
            article,
            **with_byline(
                author,
                **{
                    "bylines-INITIAL_FORMS": "1",
                    "bylines-0-id": str(byline.pk),
                    "bylines-0-article": str(article.pk),
                    "bylines-0-DELETE": "on",
                },
            ),
        ),
    )
    assert response.status_code == 200
    assert NO_AUTHOR in response.content.decode()
    assert [a.pk for a in reload(article).byline] == [author.pk]


def test_a_live_story_that_never_had_an_author_can_still_be_corrected(client):
    login(client, make_user(role="Editor"))
    article = make_article(title="Old story with a typo")
    response = client.post(change_url(article), form_data(article, title="Old story, fixed"))
    assert response.status_code == 302
    assert reload(article).title == "Old story, fixed"


def test_publish_now_refuses_stories_with_no_author_and_publishes_the_rest(client):
    login(client, make_user(role="Editor"))
    bare = make_article(title="Nobody wrote this", status=Status.REVIEW)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    signed = make_article(status=Status.REVIEW, authors=[make_author()])
    run_action(client, "publish_now", [bare, scheduled, signed])
    assert reload(bare).status == Status.REVIEW
    assert reload(scheduled).is_scheduled
    assert reload(signed).is_live
    listing = client.get(reverse("admin:news_article_changelist")).content.decode()
    assert f"Not published: \u201cNobody wrote this\u201d: {NO_AUTHOR}" in listing


def test_workflow_refuses_to_publish_a_story_with_no_author_whatever_calls_it():
    article = make_article(status=Status.DRAFT)
    with pytest.raises(workflow.WorkflowError, match=NO_AUTHOR):
        writing.move(article, Status.PUBLISHED, user=make_user(role="Editor"))
    assert reload(article).status == Status.DRAFT
    assert not StatusChange.objects.exists()


# The status menu after a refused save


def selected_statuses(html):
    """The options the re-shown form's status menu marks selected (none: a browser shows the
    first, "Draft")."""
    menu = re.search(r'<select name="status"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="(\w+)" selected>', menu)


@pytest.mark.parametrize(
    ("role", "why", "status"),
    [
        ("Writer", "stale", Status.PUBLISHED),  # a choice a writer is not offered
        ("Writer", "invalid", None),  # no status posted at all
        ("Editor", "stale", "bogus"),
        ("Editor", "invalid", None),
    ],
)
def test_a_refused_save_shows_the_storys_real_status_not_draft(client, role, why, status):
    user = make_user(role=role)
    article = make_article(status=Status.REVIEW, created_by=user, authors=[make_author()])
    login(client, user)
    refused = {"expected_version": str(article.version - 1)} if why == "stale" else {"title": ""}
    data = form_data(article, **refused)
    if status is None:
        del data["status"]
    else:
        data["status"] = status
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert selected_statuses(response.content.decode()) == [Status.REVIEW]
    assert reload(article).status == Status.REVIEW


@pytest.mark.parametrize(
    ("picked", "shown"),
    [(None, Status.REVIEW), (Status.PUBLISHED, Status.PUBLISHED)],
    ids=["menu-untouched", "menu-changed"],
)
def test_a_stale_save_shows_the_status_the_story_moved_to_meanwhile(client, picked, shown):
    editor, writer = make_user(role="Editor"), make_user(role="Writer")
    article = make_article(status=Status.DRAFT, created_by=writer, authors=[make_author()])
    revisions.record(article, user=writer)
    opened = reload(article)  # the editor opens the draft...
    writing.move(article, Status.REVIEW, user=writer)  # ...the writer submits it meanwhile
    revisions.record(article, user=writer)
    login(client, editor)
    data = form_data(opened, title="A typo fixed")
    if picked:
        data["status"] = picked
    response = client.post(change_url(article), data)
    html = response.content.decode()
    assert "Not saved" in html
    assert selected_statuses(html) == [shown]
    assert reload(article).status == Status.REVIEW


def test_a_refused_save_keeps_the_status_the_editor_picked(client):
    login(client, make_user(role="Editor"))
    article = make_article(status=Status.REVIEW, authors=[make_author()])
    response = client.post(
        change_url(article), form_data(article, title="", status=Status.UNPUBLISHED)
    )
    assert response.status_code == 200
    assert selected_statuses(response.content.decode()) == [Status.UNPUBLISHED]
    assert reload(article).status == Status.REVIEW


def test_the_status_line_after_a_refused_publish_says_the_story_is_still_in_review(client):
    login(client, make_user(role="Editor"))
    article = make_article(status=Status.REVIEW, authors=[make_author()])
    response = client.post(change_url(article), form_data(article, title="", status="published"))
    html = response.content.decode()
    status_line = html[html.index("newsroom-status") : html.index("errornote")]
    assert "<strong>In review</strong>" in status_line
    assert "Live" not in status_line
    assert "Preview link" in status_line


# Preview links


def test_preview_link_shows_a_draft_to_anyone_never_cached_never_indexed(client):
    article = make_article(title="Not out yet", status=Status.DRAFT)
    response = client.get(preview.preview_url(article))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not out yet" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert client.get(article.get_absolute_url()).status_code == 404


def test_expired_preview_link_says_so(client, settings, monkeypatch):
    article = make_article(status=Status.DRAFT)
    url = preview.preview_url(article)
    later = time.time() + settings.NEWSROOM_PREVIEW_MAX_AGE + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client.get(url)
    assert response.status_code == 410
    assert "This preview link has expired" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: "9999:" + t.split(":", 1)[1],
        lambda t: "not-a-token",
    ],
)
def test_tampered_preview_link_is_a_plain_404(client, mangle):
    article = make_article(title="Secret draft", status=Status.DRAFT)
    token = preview.make_token(article)
    response = client.get(reverse("desk:article_preview", args=[mangle(token)]))
    assert response.status_code == 404
    assert "Secret draft" not in response.content.decode()


def test_change_form_offers_the_preview_link_and_last_edited_by(client):
    editor = make_user(role="Editor", username="kenji")
    login(client, editor)
    article = make_article(status=Status.DRAFT)
    client.post(change_url(article), form_data(article, title="Edited by Kenji"))
    html = client.get(change_url(article)).content.decode()
    assert 'id="newsroom-preview-link"' in html
    assert "/preview/" in html
    assert "Last edited by <strong>kenji</strong>" in html


# Revisions


def test_every_admin_save_keeps_a_revision_and_one_can_be_restored(client):
    editor = make_user(role="Editor")
    login(client, editor)
    client.post(
        reverse("admin:news_article_add"),
        form_data(title="First headline", tags="Drones", body="<p>Original words.</p>"),
    )
    article = Article.objects.get()
    client.post(
        change_url(article),
        form_data(reload(article), title="Second headline", body="<p>New words.</p>", tags=""),
    )
    assert list(Revision.objects.values_list("number", flat=True)) == [2, 1]
    page = client.get(reverse("admin:news_article_revisions", args=[article.pk])).content
    page = page.decode()
    assert "<del>First</del> <ins>Second</ins> headline" in page
    assert "<del>Original</del> <ins>New</ins> words." in page
    response = client.post(reverse("admin:news_article_restore", args=[article.pk, 1]))
    assert response.status_code == 302
    restored = reload(article)
    assert restored.title == "First headline"
    assert restored.body == "<p>Original words.</p>"
    assert list(restored.tags.names()) == ["Drones"]
    assert restored.status == Status.DRAFT
    assert Revision.objects.get(number=restored.version).summary == "Restored revision 1"


def story_with_two_revisions(*, created_by=None):
    """A story saved twice through writing: "Old headline" (revision 1), then "New headline"."""
    author = make_author(name="Ada Old")
    article = make_article(
        title="Old headline",
        body="<p>Old words.</p>",
        status=Status.DRAFT,
        created_by=created_by,
        authors=[author],
    )
    writing.finish(article, user=created_by, summary="Created")
    article.title, article.body = "New headline", "<p>New words.</p>"
    writing.save(article, user=created_by)
    writing.finish(article, user=created_by, summary="Edited")
    first = Revision.objects.get(article=article, number=reload(article).version - 1)
    return reload(article), first


def test_a_revision_preview_shows_the_old_words_as_readers_would_see_them(client):
    article, first = story_with_two_revisions()
    login(client, make_user(role="Editor"))
    revisions_page = client.get(reverse("admin:news_article_revisions", args=[article.pk]))
    url = reverse("admin:news_article_revision_preview", args=[article.pk, first.number])
    assert f'href="{url}"' in revisions_page.content.decode()

    response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="story__title">Old headline</h1>' in html
    assert "<p>Old words.</p>" in html
    assert "New words" not in html
    assert "Ada Old" in html
    assert f"The story as it was at revision {first.number}" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_a_revision_preview_is_not_shown_to_other_writers_or_anonymous_readers(client):
    owner = make_user(role="Writer")
    article, first = story_with_two_revisions(created_by=owner)
    url = reverse("admin:news_article_revision_preview", args=[article.pk, first.number])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    login(client, make_user(role="Writer"))
    response = client.get(url)
    assert response.status_code == 404
    assert "Old words" not in response.content.decode()
    login(client, owner)
    assert client.get(url).status_code == 200


def test_restore_asks_for_confirmation_showing_what_changes_and_a_get_never_restores(client):
    article, first = story_with_two_revisions()
    login(client, make_user(role="Editor"))
    url = reverse("admin:news_article_restore", args=[article.pk, first.number])
    revisions_page = client.get(reverse("admin:news_article_revisions", args=[article.pk]))
    assert f'<a href="{url}">Restore' in revisions_page.content.decode()

    confirm = client.get(url)

    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "<del>New</del> <ins>Old</ins> headline" in html
    assert "<del>New</del> <ins>Old</ins> words." in html
    assert f"Yes, restore revision {first.number}</button>" in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert "Cancel</a>" in html
    assert reload(article).title == "New headline"
    assert reload(article).version == article.version

    response = client.post(url)

    assert response.status_code == 302
    assert reload(article).title == "Old headline"


def test_a_writer_cannot_open_the_restore_confirmation_of_a_published_story(client):
    writer = make_user(role="Writer")
    article, first = story_with_two_revisions(created_by=writer)
    writing.move(article, Status.PUBLISHED, user=make_user(role="Editor"))
    login(client, writer)
    response = client.get(reverse("admin:news_article_restore", args=[article.pk, first.number]))
    assert response.status_code == 403
    assert reload(article).title == "New headline"


def test_revision_diff_escapes_what_editors_typed(client):
    login(client, make_user(role="Editor"))
    client.post(reverse("admin:news_article_add"), form_data(title="Plain"))
    article = Article.objects.get()
    client.post(change_url(article), form_data(reload(article), title="<b>Bold</b> move"))
    page = client.get(reverse("admin:news_article_revisions", args=[article.pk])).content
    assert b"&lt;b&gt;Bold&lt;/b&gt;" in page
    assert b"<b>Bold</b>" not in page


def test_bad_revision_numbers_are_404_not_500(client):
    login(client, make_user(role="Editor"))
    article = make_article()
    url = reverse("admin:news_article_revisions", args=[article.pk])
    assert client.get(url, {"a": "x"}).status_code == 404
    assert client.get(url, {"a": "77"}).status_code in (200, 404)
    assert (
        client.post(reverse("admin:news_article_restore", args=[article.pk, 77])).status_code == 404
    )


# No lost edits


def test_the_second_of_two_editors_is_refused_and_nothing_is_overwritten(client, django_user_model):
    from django.test import Client

    alice, bob = (
        make_user(role="Editor", username="alice"),
        make_user(role="Editor", username="bob"),
    )
    first, second = login(Client(), alice), login(Client(), bob)
    first.post(reverse("admin:news_article_add"), form_data(title="Original headline"))
    article = Article.objects.get()
    opened = reload(article)  # both editors open the same version of the story

    assert (
        first.post(change_url(article), form_data(opened, title="Alice's headline")).status_code
        == 302
    )
    response = second.post(
        change_url(article), form_data(opened, title="Bob's headline", standfirst="Bob's summary")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: alice saved this story" in html
    assert "Nothing has been overwritten" in html
    their_change = (
        "Headline: \u201cOriginal headline\u201d \u2192 \u201cAlice&#x27;s headline\u201d"
    )
    assert f"Their change \u2014 {their_change}" in html
    current = reload(article)
    assert current.title == "Alice's headline"
    assert current.standfirst == "Summary."
    # Bob's words are still in the form he sees, so nothing of his is lost either.
    assert "Bob&#x27;s headline" in html

    retry = second.post(change_url(article), form_data(current, title="Bob's headline"))
    assert retry.status_code == 302
    assert reload(article).title == "Bob's headline"


def test_a_refused_save_shows_what_the_other_editor_changed_deep_in_the_body(client):
    from django.test import Client

    filler = "The minister met officials and the talks ran long into the evening. " * 4
    original = (
        f"<p>Opening words. {filler}The eleventh hour came.</p>\n"
        f"<p>Second paragraph. {filler}</p>\n"
        "<p>Third.</p>\n<p>Fourth.</p>\n<p>Fifth.</p>\n"
        "<p>Closing paragraph.</p>"
    )
    theirs = (
        f"<p><strong>Opening</strong> words. {filler}The twelfth hour came.</p>\n"
        f"<p>Second paragraph. {filler}</p>\n"
        "<p>Third.</p>\n<p>Fourth.</p>\n<p>Fifth.</p>\n"
        "<p>Closing paragraph.</p>\n"
        "<p>Tom &amp; Jerry wrote &lt;script&gt;alert(1)&lt;/script&gt; here.</p>"
    )
    alice, bob = (
        make_user(role="Editor", username="alice"),
        make_user(role="Editor", username="bob"),
    )
    first, second = login(Client(), alice), login(Client(), bob)
    first.post(reverse("admin:news_article_add"), form_data(title="Talks", body=original))
    story = Article.objects.get()
    opened = reload(story)
    assert first.post(change_url(story), form_data(opened, body=theirs)).status_code == 302

    response = second.post(
        change_url(story), form_data(opened, body="<p>Bob&#x27;s own rewrite.</p>")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: alice saved this story" in html
    start = html.index('class="module newsroom-conflict"')
    shown = html[start : html.index("</table>", start)]
    assert "What alice changed since you opened this story" in shown
    # The change 300 characters into the first paragraph, word by word.
    assert "<del>eleventh</del> <ins>twelfth</ins> hour came." in shown
    # Formatting changes show, as escaped markup.
    assert "<ins><code>&lt;strong&gt;</code></ins>Opening" in shown
    # A new paragraph, escaped: the text stays text and nothing from the body is markup.
    assert "Tom &amp; Jerry wrote &lt;script&gt;alert(1)&lt;/script&gt; here." in shown
    assert "<script>" not in shown and "<strong>" not in shown
    # Unchanged paragraphs next to a change give context; the rest are folded away.
    assert '<p class="newsroom-diff-block newsroom-diff-same">Second paragraph.' in shown
    assert "\u2026 3 unchanged paragraphs \u2026" in shown
    assert "Fourth." not in shown
    assert reload(story).body == theirs
    # Bob's own words are still in his form.
    assert "&lt;p&gt;Bob&amp;#x27;s own rewrite.&lt;/p&gt;</textarea>" in html


def test_a_save_that_changes_nothing_records_no_revision(client):
    login(client, make_user(role="Editor"))
    client.post(reverse("admin:news_article_add"), form_data(title="Steady", tags="Drones"))
    story = reload(Article.objects.get())
    response = client.post(change_url(story), posted_back(client, change_url(story)), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was changed, so nothing was saved" in html
    assert "was changed successfully" not in html
    after = reload(story)
    assert (after.version, after.updated_at) == (story.version, story.updated_at)
    assert list(Revision.objects.values_list("number", flat=True)) == [story.version]


def test_an_imported_story_saved_unchanged_records_no_revision_and_no_conflict(
    client, seed_article
):
    login(client, make_user(role="Editor"))
    revisions_before = list(Revision.objects.values_list("number", "snapshot"))
    opened = posted_back(client, change_url(seed_article))
    # The body editor sends paragraphs back without the line breaks the import put between them.
    assert "</p>\n<p>" in opened["body"][0]
    opened["body"] = [opened["body"][0].replace("</p>\n<p>", "</p><p>")]
    response = client.post(change_url(seed_article), opened, follow=True)
    assert "Nothing was changed, so nothing was saved" in response.content.decode()
    assert list(Revision.objects.values_list("number", "snapshot")) == revisions_before
    assert reload(seed_article).version == seed_article.version

    # A real edit from the same form goes through, and its revision holds only that edit.
    edited = {**opened, "title": ["A new headline"]}
    response = client.post(change_url(seed_article), edited)
    assert response.status_code == 302, response.content.decode()[:2000]
    [latest, previous] = Revision.objects.order_by("-number")[:2]
    assert [c.label for c in diffs.diff(previous.snapshot, latest.snapshot)] == ["Headline"]
    # The root of it: publication times are stored to the second, as the form shows them.
    assert reload(seed_article).published_at.microsecond == 0


def test_publication_times_stored_with_a_fraction_before_are_brought_to_the_second():
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "newsroom.news.migrations.0012_publication_times_to_the_second"
    )
    story = make_article()
    when = timezone.now().replace(microsecond=123456) - timedelta(days=1)
    Article.objects.filter(pk=story.pk).update(published_at=when)
    migration.drop_fractions(apps, None)
    assert reload(story).published_at == when.replace(microsecond=0)
    # A revision kept before still holds the fraction; it is no change an editor made.
    old, new = when.isoformat(), when.replace(microsecond=0).isoformat()
    assert diffs.diff({"published_at": old}, {"published_at": new}) == []


# Corrections and updates


def test_correction_notes_only_go_on_published_stories(client):
    login(client, make_user(role="Editor"))
    draft = make_article(status=Status.DRAFT)
    note = {
        "corrections-TOTAL_FORMS": "1",
        "corrections-0-kind": "correction",
        "corrections-0-text": "We got the date wrong.",
        "corrections-0-noted_at_0": "2026-01-01",
        "corrections-0-noted_at_1": "10:00:00",
    }
    response = client.post(change_url(draft), form_data(draft, **note))
    assert "Correction and update notes belong on published stories" in response.content.decode()
    assert not Correction.objects.exists()

    live = make_article(published_at=timezone.now() - timedelta(days=1))
    noted = timezone.localtime() - timedelta(minutes=5)
    note["corrections-0-noted_at_0"] = noted.strftime("%Y-%m-%d")
    note["corrections-0-noted_at_1"] = noted.strftime("%H:%M:%S")
    assert client.post(change_url(live), form_data(live, **note)).status_code == 302
    page = client.get(live.get_absolute_url()).content.decode()
    assert "We got the date wrong." in page
    assert "Updated <time" in page


def test_a_typo_fix_without_a_note_does_not_move_the_updated_time(client):
    login(client, make_user(role="Editor"))
    live = make_article(published_at=timezone.now() - timedelta(days=1))
    assert (
        client.post(change_url(live), form_data(live, body="<p>Typo fixed.</p>")).status_code == 302
    )
    page = client.get(live.get_absolute_url()).content.decode()
    assert "Typo fixed." in page
    assert "Updated" not in page


# Everyday editing


def test_add_a_topic_to_many_stories_at_once(client):
    login(client, make_user(role="Editor"))
    stories = [make_article(), make_article()]
    run_action(client, "add_tag", stories, tag="Elections")
    assert all(list(reload(a).tags.names()) == ["Elections"] for a in stories)
    run_action(client, "add_tag", stories, tag="  ")
    assert Tag.objects.count() == 1


def test_merge_topics_keeps_every_story_tagged_once(client):
    login(client, make_user(role="Editor"))
    both = make_article(tags=["Drone", "Drones"])
    one = make_article(tags=["UAV"])
    client.post(
        reverse("admin:news_topic_changelist"),
        {
            "action": "merge_tags",
            "_selected_action": list(Tag.objects.values_list("pk", flat=True)),
            "target": "Drones",
        },
    )
    assert list(Tag.objects.values_list("name", flat=True)) == ["Drones"]
    assert list(reload(both).tags.names()) == ["Drones"]
    assert list(reload(one).tags.names()) == ["Drones"]


def test_topic_suggestions_complete_what_the_editor_typed(client):
    login(client, make_user(role="Writer"))
    make_article(tags=["Defence", "Democracy", "Drones"])
    response = client.get(reverse("admin:news_tag_suggestions"), {"q": "de"})
    assert response.json() == {"results": ["Defence", "Democracy"]}
    assert client.get(reverse("admin:news_tag_suggestions")).json() == {"results": []}


def test_lead_image_needs_alt_text_unless_marked_decorative(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.test_views import TINY_GIF

    login(client, make_user(role="Editor"))

    def post(**extra):
        image = SimpleUploadedFile("lead.gif", TINY_GIF, content_type="image/gif")
        return client.post(reverse("admin:news_article_add"), form_data(lead_image=image, **extra))

    assert "Describe the image" in post().content.decode()
    assert not Article.objects.exists()
    assert post(lead_image_decorative="on").status_code == 302
    assert Article.objects.get().lead_image_decorative


def test_overlong_topics_are_refused_by_every_path(client, seed_path):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    login(client, make_user(role="Editor"))
    story = make_article()
    long_name = "x" * 101
    run_action(client, "add_tag", [story], tag=long_name)
    assert not Tag.objects.exists()
    response = client.post(change_url(story), form_data(story, tags=long_name))
    assert "A topic can be at most 100 characters" in response.content.decode()
    with pytest.raises(CommandError, match="a topic can be at most 100 characters"):
        call_command("import_seeds", "--tag", long_name, str(seed_path), stdout=StringIO())
    assert not Tag.objects.exists()


def test_publish_now_publishes_a_scheduled_story_now(client):
    login(client, make_user(role="Editor"))
    scheduled = make_article(
        published_at=timezone.now() + timedelta(days=1), authors=[make_author()]
    )
    run_action(client, "publish_now", [scheduled])
    assert reload(scheduled).is_live
    assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_submit_for_review_leaves_published_stories_alone(client):
    login(client, make_user(role="Editor"))
    live = make_article()
    draft = make_article(status=Status.DRAFT)
    response = run_action(client, "submit_for_review", [live, draft])
    assert reload(live).is_live
    assert reload(draft).status == Status.REVIEW
    assert response.status_code == 302
    assert "Not submitted" in client.get(reverse("admin:news_article_changelist")).content.decode()


def test_a_preview_link_stops_working_when_the_story_changes_status(client):
    editor = make_user(role="Editor")
    article = make_article(title="Pulled story", status=Status.DRAFT, authors=[make_author()])
    url = preview.preview_url(article)
    writing.move(article, Status.PUBLISHED, user=editor)
    writing.move(article, Status.UNPUBLISHED, user=editor)
    response = client.get(url)
    assert response.status_code == 410
    assert "Pulled story" not in response.content.decode()
    assert client.get(preview.preview_url(reload(article))).status_code == 200


def test_a_form_opened_before_a_topic_merge_cannot_bring_the_old_topic_back(client):
    login(client, make_user(role="Editor"))
    story = make_article(tags=["Defense"])
    opened = reload(story)
    client.post(
        reverse("admin:news_topic_changelist"),
        {"action": "merge_tags", "_selected_action": [opened.tags.get().pk], "target": "Defence"},
    )
    assert list(reload(story).tags.names()) == ["Defence"]
    response = client.post(change_url(story), form_data(opened, title="New", tags="Defense"))
    assert "Not saved" in response.content.decode()
    assert list(reload(story).tags.names()) == ["Defence"]
    assert Revision.objects.filter(article=story, summary="Topics merged into Defence").exists()


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (timedelta(days=-30), "A note can&#x27;t be older than the story it corrects."),
        (timedelta(days=2), "A note&#x27;s time can&#x27;t be in the future."),
    ],
)
def test_correction_times_fall_between_publication_and_now(client, when, message):
    login(client, make_user(role="Editor"))
    live = make_article(published_at=timezone.now() - timedelta(days=1))
    noted = timezone.localtime() + when
    response = client.post(
        change_url(live),
        form_data(
            live,
            **{
                "corrections-TOTAL_FORMS": "1",
                "corrections-0-kind": "correction",
                "corrections-0-text": "A fix.",
                "corrections-0-noted_at_0": noted.strftime("%Y-%m-%d"),
                "corrections-0-noted_at_1": noted.strftime("%H:%M:%S"),
            },
        ),
    )
    assert message in response.content.decode()
    assert not Correction.objects.exists()


def test_a_change_form_without_its_version_is_refused(client):
    login(client, make_user(role="Editor"))
    story = make_article(title="Kept")
    response = client.post(change_url(story), form_data(story, title="Lost", expected_version=""))
    assert "did not say which version" in response.content.decode()
    assert reload(story).title == "Kept"


def test_restoring_a_byline_whose_author_was_deleted_says_so(client):
    from tests.factories import make_author

    login(client, make_user(role="Editor"))
    gone = make_author(name="Departed Reporter")
    client.post(reverse("admin:news_article_add"), form_data(title="Signed"))
    story = Article.objects.get()
    story.bylines.create(author=gone, position=0)
    from newsroom.news import revisions

    story.save()
    revisions.record(story, summary="With byline")
    gone.delete()
    response = client.post(
        reverse("admin:news_article_restore", args=[story.pk, reload(story).version]), follow=True
    )
    assert "Not restored to the byline" in response.content.decode()
    assert "Departed Reporter" in response.content.decode()


# "Also read" links in the story

TRUMP = "5 Surprising Business Leaders Who Attended Trump's Inauguration"
CFOS = "Advice from 5 CFOs Germinating Growth and Innovation in 2025"


def placements(article) -> list[tuple[str, int | None]]:
    return [(r.title, r.after_paragraph) for r in article.related_links.all()]


def test_an_editor_moves_a_related_link_and_the_move_is_kept_shown_and_restorable(
    client, seed_article
):
    login(client, make_user(role="Editor"))
    before = reload(seed_article).version
    opened = posted_back(client, change_url(seed_article))
    # The inline lists the links in order: the one after paragraph 3, then the one after 5.
    placed = [opened[f"related_links-{n}-after_paragraph"] for n in (0, 1)]
    assert placed == [["3"], ["5"]]
    moved = {
        **opened,
        "related_links-0-after_paragraph": [""],
        "related_links-1-after_paragraph": ["1"],
    }
    response = client.post(change_url(seed_article), moved)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert placements(seed_article) == [(TRUMP, None), (CFOS, 1)]

    html = client.get(seed_article.get_absolute_url()).content.decode()
    body = html[html.index('<div class="story__body">') : html.index("</article>")]
    cfos = CFOS.replace("'", "&#x27;")
    assert (
        body.index("Turkey, a NATO member") < body.index(cfos) < body.index("Japan is evaluating")
    )
    assert TRUMP.replace("'", "&#x27;") in html[html.index('<aside class="related"') :]

    [latest, previous] = Revision.objects.order_by("-number")[:2]
    [change] = diffs.diff(previous.snapshot, latest.snapshot)
    assert change.label == "Related links"
    assert change.before == f"{TRUMP} (after paragraph 3); {CFOS} (after paragraph 5)"
    assert change.after == f"{TRUMP}; {CFOS} (after paragraph 1)"
    client.post(reverse("admin:news_article_restore", args=[seed_article.pk, before]))
    assert placements(seed_article) == [(TRUMP, 3), (CFOS, 5)]


def test_a_revision_kept_before_links_had_a_place_restores_them_to_the_list():
    story = make_article(body="<p>One.</p>")
    RelatedLink.objects.create(article=story, title="Old link", position=2, after_paragraph=1)
    revision = revisions.record(story)
    for link in revision.snapshot["related_links"]:
        del link["after_paragraph"]
    writing.restore(story, revision, user=make_user(role="Editor"))
    assert placements(story) == [("Old link", None)]


@pytest.mark.parametrize(
    ("body", "after", "message"),
    [
        (
            "<p>One.</p><blockquote><p>Quoted.</p></blockquote><p>Two.</p>",
            "3",
            "The body has 2 paragraphs: use a number from 1 to 2 (0 for the top), or leave it "
            "empty to list the link under \u201cRelated stories\u201d.",
        ),
        (
            "<p>Only one.</p>",
            "2",
            "The body has 1 paragraph: use 1 to show the link after it, 0 for the top, or leave "
            "it empty to list the link under \u201cRelated stories\u201d.",
        ),
        (
            "<h2>No paragraphs</h2>",
            "1",
            "The body has no paragraphs yet: use 0 to show the link at the top, or leave it "
            "empty to list the link under \u201cRelated stories\u201d.",
        ),
        ("<p>One.</p>", "-1", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_a_link_placed_after_a_paragraph_the_body_lacks_is_refused_and_says_why(
    client, body, after, message
):
    login(client, make_user(role="Editor"))
    story = make_article(status=Status.DRAFT, body="<p>Kept.</p>")
    data = form_data(
        story,
        body=body,
        **{
            "related_links-TOTAL_FORMS": "1",
            "related_links-0-title": "Placed",
            "related_links-0-url": "",
            "related_links-0-after_paragraph": after,
            "related_links-0-position": "0",
        },
    )
    response = client.post(change_url(story), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert reload(story).body == "<p>Kept.</p>"
    assert not story.related_links.exists()


def test_shortening_the_body_under_a_placed_link_asks_where_the_link_goes(client, seed_article):
    login(client, make_user(role="Editor"))
    opened = posted_back(client, change_url(seed_article))
    shortened = {**opened, "body": ["<p>One paragraph left.</p>"]}
    response = client.post(change_url(seed_article), shortened)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("The body has 1 paragraph: use 1 to show the link after it") == 2
    assert reload(seed_article).body.count("<p>") == 9


# Breaking news: editors only, 2 hours by default, at most 24, in the newsroom's time zone


def until_fields(moment, *, ticked: bool = True) -> dict:
    """The change form's breaking-news fields, as a browser sends them."""
    local = timezone.localtime(moment)
    fields = {
        "breaking_until_0": local.strftime("%Y-%m-%d"),
        "breaking_until_1": local.strftime("%H:%M:%S"),
    }
    return {**fields, "breaking": "on"} if ticked else fields


@pytest.fixture
def frozen(monkeypatch):
    """Now, to the second, standing still for the test."""
    now = timezone.now().replace(microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def test_editor_flags_breaking_news_for_two_hours_by_default(client, frozen):
    login(client, make_user(role="Editor"))
    story = make_article(title="Quake hits", authors=[make_author()])
    assert 'name="breaking"' in client.get(change_url(story)).content.decode()

    response = client.post(change_url(story), form_data(story, breaking="on"))

    assert response.status_code == 302
    assert reload(story).breaking_until == frozen + timedelta(hours=2)
    assert list(Article.objects.breaking()) == [story]
    listing = client.get(reverse("admin:news_article_changelist")).content.decode()
    ends = timezone.localtime(frozen + timedelta(hours=2))
    assert f"Live, breaking news until {ends:%d %b %H:%M}" in listing


def test_the_end_is_typed_and_shown_in_the_newsrooms_time_zone(client, settings, monkeypatch):
    settings.TIME_ZONE = "Europe/Paris"
    noon_in_paris = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: noon_in_paris)
    login(client, make_user(role="Editor"))
    story = make_article(authors=[make_author()], published_at=noon_in_paris - timedelta(hours=1))
    page = client.get(change_url(story)).content.decode()
    assert "Breaking news until (Europe/Paris)" in page
    assert "In the newsroom\u2019s time zone, Europe/Paris." in page

    client.post(
        change_url(story),
        form_data(story, breaking="on", breaking_until_0="2026-07-01", breaking_until_1="15:30:00"),
    )

    assert reload(story).breaking_until == datetime(2026, 7, 1, 13, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ends_in", "message"),
    [
        (
            -timedelta(minutes=1),
            "The banner can\u2019t end in the past: it is {now} now. Choose a later time, or "
            "leave it empty for 2 hours from now.",
        ),
        (
            timedelta(hours=24, minutes=1),
            "The banner can stay up for at most 24 hours: choose {latest} or earlier, or leave "
            "it empty for 2 hours.",
        ),
    ],
    ids=["in-the-past", "over-a-day"],
)
def test_a_banner_ending_in_the_past_or_over_a_day_ahead_is_refused_with_a_message(
    client, frozen, ends_in, message
):
    login(client, make_user(role="Editor"))
    story = make_article(authors=[make_author()])

    response = client.post(change_url(story), form_data(story, **until_fields(frozen + ends_in)))

    assert response.status_code == 200
    shown = {
        "now": f"{timezone.localtime(frozen):%-d %b %Y, %H:%M} (UTC)",
        "latest": f"{timezone.localtime(frozen + timedelta(hours=24)):%-d %b %Y, %H:%M} (UTC)",
    }
    assert message.format(**shown) in response.content.decode()
    assert (reload(story).breaking_until, reload(story).version) == (None, story.version)


def test_a_scheduled_storys_banner_counts_from_when_it_goes_live(client, frozen):
    login(client, make_user(role="Editor"))
    goes_live = frozen + timedelta(hours=3)
    story = make_article(authors=[make_author()], published_at=goes_live)

    too_soon = client.post(
        change_url(story), form_data(story, **until_fields(frozen + timedelta(hours=1)))
    )
    assert "so the banner would end before it shows" in too_soon.content.decode()

    client.post(change_url(story), form_data(story, breaking="on"))
    assert reload(story).breaking_until == goes_live + timedelta(hours=2)
    assert not Article.objects.breaking().exists()


def test_unticking_breaking_news_takes_the_banner_down(client, frozen):
    login(client, make_user(role="Editor"))
    story = make_article(authors=[make_author()], breaking_until=frozen + timedelta(hours=1))
    opened = posted_back(client, change_url(story))
    assert opened["breaking"] == ["on"]
    del opened["breaking"]

    assert client.post(change_url(story), opened).status_code == 302

    assert reload(story).breaking_until is None


def test_a_time_typed_without_ticking_the_box_is_refused_with_a_message(client, frozen):
    login(client, make_user(role="Editor"))
    story = make_article(authors=[make_author()])
    later = frozen + timedelta(hours=1)

    response = client.post(change_url(story), form_data(story, **until_fields(later, ticked=False)))

    assert "Tick \u201cBreaking news\u201d to show the banner until that time" in (
        response.content.decode()
    )
    assert reload(story).breaking_until is None


def test_an_untouched_form_of_a_breaking_story_saves_nothing(client, frozen):
    login(client, make_user(role="Editor"))
    story = make_article(authors=[make_author()], breaking_until=frozen + timedelta(hours=1))
    response = client.post(change_url(story), posted_back(client, change_url(story)), follow=True)
    assert "Nothing was changed, so nothing was saved" in response.content.decode()
    assert reload(story).version == story.version


def test_a_banner_that_ran_out_while_the_form_was_open_does_not_block_a_save(client, monkeypatch):
    now = timezone.now()
    login(client, make_user(role="Editor"))
    story = make_article(authors=[make_author()], breaking_until=now + timedelta(hours=1))
    opened = posted_back(client, change_url(story))
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=2))

    response = client.post(change_url(story), {**opened, "title": ["Quake: the day after"]})

    assert response.status_code == 302
    assert reload(story).title == "Quake: the day after"
    assert not Article.objects.breaking().exists()


def test_writer_cannot_flag_breaking_news_even_with_a_crafted_post(client, frozen):
    writer = make_user(role="Writer")
    login(client, writer)
    story = make_article(status=Status.DRAFT, created_by=writer)
    page = client.get(change_url(story)).content.decode()
    assert 'name="breaking"' not in page and 'name="breaking_until_0"' not in page

    response = client.post(
        change_url(story), form_data(story, **until_fields(frozen + timedelta(hours=1)))
    )

    assert response.status_code == 302
    assert reload(story).breaking_until is None


def test_writer_sees_an_editors_flag_read_only_and_keeps_it_when_saving(client, frozen):
    writer = make_user(role="Writer")
    login(client, writer)
    ends = frozen + timedelta(hours=1)
    story = make_article(status=Status.DRAFT, created_by=writer, breaking_until=ends)
    page = client.get(change_url(story)).content.decode()
    assert "Breaking news until:" in page and 'name="breaking_until_0"' not in page

    client.post(change_url(story), form_data(story, title="A sharper headline"))

    assert (reload(story).title, reload(story).breaking_until) == ("A sharper headline", ends)


def test_a_revision_preview_for_a_french_speaking_editor_is_french_throughout(client):
    article, first = story_with_two_revisions()
    login(client, make_user(role="Editor"))
    url = reverse("admin:news_article_revision_preview", args=[article.pk, first.number])

    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "<strong>Aperçu.</strong>" in html
    assert f"L\u2019article tel qu\u2019il était à la révision {first.number}" in html
    assert "The story as it was" not in html


# AI-generated stories need a named reviewing editor

NO_REVIEWER = "An AI-generated story can\u2019t be published without a reviewing editor"


def test_an_ai_generated_story_without_a_reviewer_cannot_be_published_through_the_form(client):
    login(client, make_user(role="Editor"))
    article = make_article(status=Status.REVIEW, ai_use=Article.AIUse.GENERATED)
    response = client.post(
        change_url(article),
        form_data(article, ai_use="generated", _action="publish", **with_byline()),
    )
    assert response.status_code == 200
    assert NO_REVIEWER in response.content.decode()
    assert reload(article).status == Status.REVIEW
    assert reload(article).version == article.version
    assert not StatusChange.objects.exists()


def test_an_ai_generated_story_is_published_once_an_editor_is_named_as_reviewer(client):
    editor = make_user(role="Editor")
    login(client, editor)
    article = make_article(status=Status.REVIEW, ai_use=Article.AIUse.GENERATED)
    response = client.post(
        change_url(article),
        form_data(
            article,
            ai_use="generated",
            reviewed_by=str(editor.pk),
            _action="publish",
            **with_byline(),
        ),
    )
    assert response.status_code == 302
    assert reload(article).is_live
    assert reload(article).reviewed_by == editor


def test_a_crafted_post_cannot_name_a_writer_or_nobody_as_reviewer(client):
    login(client, make_user(role="Editor"))
    writer = make_user(role="Writer")
    article = make_article(status=Status.DRAFT)
    # Turning the story AI-generated and publishing it in one crafted request.
    for reviewer in (str(writer.pk), "", "999999"):
        response = client.post(
            change_url(article),
            form_data(
                article,
                ai_use="generated",
                reviewed_by=reviewer,
                status=Status.PUBLISHED,
                **with_byline(),
            ),
        )
        assert response.status_code == 200
        stored = reload(article)
        assert (stored.status, stored.ai_use, stored.version) == (
            Status.DRAFT,
            Article.AIUse.NONE,
            article.version,
        )
    assert not StatusChange.objects.exists()


def test_publish_now_refuses_ai_generated_stories_without_a_reviewer(client):
    editor = make_user(role="Editor")
    login(client, editor)
    unreviewed = make_article(
        title="Written by a model",
        status=Status.REVIEW,
        ai_use=Article.AIUse.GENERATED,
        authors=[make_author()],
    )
    reviewed = make_article(
        status=Status.REVIEW,
        ai_use=Article.AIUse.GENERATED,
        reviewed_by=editor,
        authors=[make_author()],
    )
    run_action(client, "publish_now", [unreviewed, reviewed])
    assert reload(unreviewed).status == Status.REVIEW
    assert reload(unreviewed).version == unreviewed.version
    assert reload(reviewed).is_live
    listing = client.get(reverse("admin:news_article_changelist")).content.decode()
    assert f"Not published: \u201cWritten by a model\u201d: {NO_REVIEWER}" in listing


def test_workflow_refuses_an_unreviewed_ai_generated_story_whatever_calls_it():
    editor = make_user(role="Editor")
    article = make_article(
        status=Status.DRAFT, ai_use=Article.AIUse.GENERATED, authors=[make_author()]
    )
    with pytest.raises(workflow.WorkflowError, match=NO_REVIEWER):
        writing.move(article, Status.PUBLISHED, user=editor)
    article.status = Status.PUBLISHED
    with pytest.raises(workflow.WorkflowError, match=NO_REVIEWER):
        writing.save(article, user=editor, from_status=Status.DRAFT)
    assert reload(article).status == Status.DRAFT
    assert not StatusChange.objects.exists()


def test_a_writer_cannot_be_the_reviewing_editor_whatever_calls_it():
    writer = make_user(role="Writer")
    article = make_article(
        status=Status.DRAFT,
        ai_use=Article.AIUse.GENERATED,
        reviewed_by=writer,
        authors=[make_author()],
    )
    with pytest.raises(workflow.WorkflowError, match="editor\u2019s rights"):
        writing.move(article, Status.PUBLISHED, user=make_user(role="Editor"))
    assert reload(article).status == Status.DRAFT


def test_ai_assisted_and_human_stories_need_no_reviewer():
    editor = make_user(role="Editor")
    for use in (Article.AIUse.NONE, Article.AIUse.ASSISTED):
        article = make_article(status=Status.DRAFT, ai_use=use, authors=[make_author()])
        writing.move(article, Status.PUBLISHED, user=editor)
        assert reload(article).is_live


def test_the_reviewer_menu_offers_only_active_editors(client):
    editor = make_user(username="ed", role="Editor")
    make_user(username="wri", role="Writer")
    gone = make_user(username="gone", role="Editor")
    gone.is_active = False
    gone.save()
    login(client, editor)
    page = client.get(change_url(make_article())).content.decode()
    menu = re.search(r'<select name="reviewed_by"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", menu) == ["ed"]
