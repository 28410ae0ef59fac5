"""The trash: deleting a story moves it there, hidden from readers, restorable for 30 days."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsroom.desk import preview
from newsroom.ingest.importing import IN_THE_TRASH, import_paths
from newsroom.news import workflow, writing
from newsroom.news.models import TRASH_DAYS, Article, Revision, unique_slug
from newsroom.search.query import search_articles
from tests.factories import make_article, make_author, make_user

pytestmark = pytest.mark.django_db

Status = Article.Status
TRASH = reverse("admin:desk_deletedstory_changelist")
STORIES = reverse("admin:news_article_changelist")


def delete_url(article):
    return reverse("admin:news_article_delete", args=[article.pk])


def reload(article):
    return Article.objects.get(pk=article.pk)


def saved_story(user, **fields):
    """A story with its first revision, as the admin leaves one."""
    article = make_article(authors=[make_author()], created_by=user, **fields)
    writing.finish(article, user=user, summary="Created")
    return article


def travel(monkeypatch, delta, *, client=None, user=None):
    """Move the clock on by `delta`; with `client`, sign `user` in again (sessions expire)."""
    later = timezone.now() + delta
    monkeypatch.setattr(timezone, "now", lambda: later)
    if client is not None:
        client.force_login(user)


def trash_action(client, action, articles, *, follow=False, **extra):
    data = {"action": action, "_selected_action": [a.pk for a in articles], **extra}
    return client.post(TRASH, data, follow=follow)


def story_action(client, action, articles, *, follow=False, **extra):
    data = {"action": action, "_selected_action": [a.pk for a in articles], **extra}
    return client.post(STORIES, data, follow=follow)


@pytest.fixture
def editor():
    return make_user(role="Editor")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


# Deleting


def test_deleting_a_story_moves_it_to_the_trash_out_of_every_readers_page(editor_client, editor):
    story = saved_story(editor, title="Kingfishers return", slug="kingfishers-return")
    assert editor_client.get(story.get_absolute_url()).status_code == 200

    response = editor_client.post(delete_url(story), {"post": "yes"})

    assert response.status_code == 302
    assert response["Location"] == STORIES
    trashed = reload(story)
    assert trashed.deleted_at is not None
    assert trashed.deleted_by == editor
    assert not Article.objects.published().filter(pk=story.pk).exists()
    assert editor_client.get(story.get_absolute_url()).status_code == 404
    assert "Kingfishers return" not in editor_client.get("/").content.decode()
    assert "Kingfishers return" not in editor_client.get("/feeds/latest.rss").content.decode()
    assert editor_client.get(STORIES).context["cl"].result_count == 0


def test_the_delete_page_says_the_story_can_be_restored_for_30_days(editor_client, editor):
    story = saved_story(editor, title="Gulls")
    html = editor_client.get(delete_url(story)).content.decode()
    assert "Move the story &ldquo;Gulls&rdquo; to the trash?" in html
    assert f"it can be restored from the trash for {TRASH_DAYS} days" in html
    assert "related items will be deleted" not in html
    assert reload(story).deleted_at is None


def test_after_deleting_the_editor_is_told_where_the_story_went(editor_client, editor):
    story = saved_story(editor, title="Gulls")
    response = editor_client.post(delete_url(story), {"post": "yes"}, follow=True)
    html = response.content.decode()
    assert "\u201cGulls\u201d is in the trash" in html
    assert f'<a href="{TRASH}">trash</a> for {TRASH_DAYS} days' in html


def test_search_does_not_find_a_story_in_the_trash(editor):
    story = saved_story(editor, title="Kingfishers return")
    assert list(search_articles("kingfishers")) == [story]
    writing.trash(story, user=editor)
    assert list(search_articles("kingfishers")) == []


def test_a_preview_link_of_a_story_in_the_trash_stops_working(client, editor):
    draft = saved_story(editor, status=Status.DRAFT)
    link = preview.preview_url(draft)
    assert client.get(link).status_code == 200
    writing.trash(draft, user=editor)
    assert client.get(link).status_code == 404


def test_a_story_in_the_trash_keeps_its_address_from_new_stories(editor):
    story = saved_story(editor, title="Gulls", slug="gulls")
    writing.trash(story, user=editor)
    assert unique_slug(Article, "Gulls") == "gulls-2"


def test_opening_a_story_in_the_trash_says_where_it_is(editor_client, editor):
    story = saved_story(editor, title="Gulls")
    writing.trash(story, user=editor)
    response = editor_client.get(reverse("admin:news_article_change", args=[story.pk]), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == TRASH
    assert f"\u201cGulls\u201d is in the trash: {editor.get_username()} moved it there" in html


# Who may delete


def test_a_writer_may_delete_their_own_draft(client):
    writer = make_user(role="Writer")
    draft = saved_story(writer, status=Status.DRAFT)
    client.force_login(writer)
    client.post(delete_url(draft), {"post": "yes"})
    assert reload(draft).deleted_at is not None


@pytest.mark.parametrize("status", [Status.REVIEW, Status.PUBLISHED])
def test_a_writer_cannot_delete_a_story_in_review_or_published_and_is_told_why(client, status):
    writer = make_user(role="Writer")
    story = saved_story(writer, status=status)
    client.force_login(writer)

    for response in (
        client.get(delete_url(story), follow=True),
        client.post(delete_url(story), {"post": "yes"}, follow=True),
    ):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Only editors can delete a story that is " in html
        assert "writers can delete their own drafts" in html

    assert reload(story).deleted_at is None
    with pytest.raises(workflow.WorkflowError):
        writing.trash(story, user=writer)


def test_the_story_page_offers_delete_only_to_whoever_may_delete(client, editor):
    writer = make_user(role="Writer")
    in_review = saved_story(writer, status=Status.REVIEW)
    change = reverse("admin:news_article_change", args=[in_review.pk])
    client.force_login(writer)
    assert delete_url(in_review) not in client.get(change).content.decode()
    client.force_login(editor)
    assert delete_url(in_review) in client.get(change).content.decode()


# Bulk delete


def test_bulk_delete_asks_first_then_moves_the_stories_to_the_trash(editor_client, editor):
    one, two = saved_story(editor, title="One"), saved_story(editor, title="Two")

    asked = story_action(editor_client, "delete_selected", [one, two])
    html = asked.content.decode()
    assert "Move 2 stories to the trash?" in html
    assert f"can be restored from the trash for {TRASH_DAYS} days" in html
    assert reload(one).deleted_at is None

    done = story_action(editor_client, "delete_selected", [one, two], post="yes")
    assert done.status_code == 302
    assert Article.objects.trashed().count() == 2
    assert Article.objects.filter(pk__in=[one.pk, two.pk]).count() == 2


def test_bulk_delete_by_a_writer_moves_their_drafts_and_names_the_rest(client):
    writer = make_user(role="Writer")
    draft = saved_story(writer, title="My draft", status=Status.DRAFT)
    in_review = saved_story(writer, title="My story in review", status=Status.REVIEW)
    client.force_login(writer)

    asked = story_action(client, "delete_selected", [draft, in_review]).content.decode()
    assert "Move 1 story to the trash?" in asked
    assert "&ldquo;My story in review&rdquo;: Only editors can delete a story that is" in asked

    done = story_action(client, "delete_selected", [draft, in_review], post="yes", follow=True)
    assert "Not deleted: \u201cMy story in review\u201d" in done.content.decode()
    assert reload(draft).deleted_at is not None
    assert reload(in_review).deleted_at is None


# The trash screen


def test_the_trash_lists_what_was_deleted_by_whom_and_when_it_goes_for_good(editor_client, editor):
    story = saved_story(editor, title="Gulls")
    writing.trash(story, user=editor)
    response = editor_client.get(TRASH)
    html = response.content.decode()
    assert list(response.context["cl"].result_list) == [story]
    assert "Gulls" in html
    assert editor.get_username() in html
    gone = timezone.localtime(reload(story).deleted_at) + timedelta(days=TRASH_DAYS)
    assert f"{gone:%d %b %Y}" in html


def test_a_writer_sees_only_their_own_stories_in_the_trash(client, editor):
    writer = make_user(role="Writer")
    mine = saved_story(writer, status=Status.DRAFT)
    theirs = saved_story(editor)
    writing.trash(mine, user=writer)
    writing.trash(theirs, user=editor)
    client.force_login(writer)
    assert list(client.get(TRASH).context["cl"].result_list) == [mine]


def test_restoring_brings_the_story_back_with_its_revisions_at_the_same_address(
    editor_client, editor
):
    story = saved_story(editor, title="Gulls", slug="gulls")
    address = story.get_absolute_url()
    before = list(story.revisions.values_list("number", flat=True))
    writing.trash(story, user=editor)

    response = trash_action(editor_client, "restore", [story], follow=True)

    assert "Restored \u201cGulls\u201d: live, at its old address" in response.content.decode()
    restored = reload(story)
    assert restored.deleted_at is None and restored.deleted_by is None
    assert restored.get_absolute_url() == address
    assert editor_client.get(address).status_code == 200
    numbers = list(restored.revisions.values_list("number", flat=True))
    assert numbers[1:] == before
    assert restored.revisions.first().summary == "Restored from the trash"
    assert list(editor_client.get(TRASH).context["cl"].result_list) == []


def test_a_writer_cannot_restore_a_story_only_an_editor_could_delete(client, editor):
    writer = make_user(role="Writer")
    in_review = saved_story(writer, status=Status.REVIEW)
    writing.trash(in_review, user=editor)
    client.force_login(writer)
    response = trash_action(client, "restore", [in_review], follow=True)
    assert (
        f"Not restored: \u201c{in_review.title}\u201d: Only editors can restore a story that "
        "is in review: writers can restore their own drafts."
    ) in response.content.decode()
    assert reload(in_review).deleted_at is not None


def test_an_editor_deletes_for_good_after_a_confirmation(editor_client, editor):
    story = saved_story(editor, title="Gulls")
    writing.trash(story, user=editor)

    asked = trash_action(editor_client, "delete_for_good", [story]).content.decode()
    assert "Delete 1 story for good?" in asked
    assert "Gulls (with its 1 revision)" in asked
    assert Article.objects.filter(pk=story.pk).exists()

    trash_action(editor_client, "delete_for_good", [story], post="yes")
    assert not Article.objects.filter(pk=story.pk).exists()
    assert not Revision.objects.filter(article_id=story.pk).exists()


def test_a_writer_cannot_delete_for_good(client):
    writer = make_user(role="Writer")
    draft = saved_story(writer, status=Status.DRAFT)
    writing.trash(draft, user=writer)
    client.force_login(writer)
    actions = client.get(TRASH).context["action_form"].fields["action"].choices
    assert "delete_for_good" not in [name for name, _ in actions]
    trash_action(client, "delete_for_good", [draft], post="yes")
    assert Article.objects.filter(pk=draft.pk).exists()
    with pytest.raises(workflow.WorkflowError):
        writing.delete_for_good(Article.objects.filter(pk=draft.pk), user=writer)


# After 30 days


def test_a_story_leaves_the_trash_for_good_after_30_days(editor_client, editor, monkeypatch):
    story = saved_story(editor)
    writing.trash(story, user=editor)

    travel(monkeypatch, timedelta(days=TRASH_DAYS, seconds=-1), client=editor_client, user=editor)
    assert list(editor_client.get(TRASH).context["cl"].result_list) == [story]

    travel(monkeypatch, timedelta(seconds=2), client=editor_client, user=editor)
    assert not Article.objects.trashed().exists()  # decided when asked, purged or not
    assert list(editor_client.get(TRASH).context["cl"].result_list) == []
    assert not Article.objects.filter(pk=story.pk).exists()
    assert not Revision.objects.filter(article_id=story.pk).exists()


def test_the_next_delete_empties_what_is_past_its_days(editor, monkeypatch):
    old, new = saved_story(editor), saved_story(editor)
    writing.trash(old, user=editor)
    travel(monkeypatch, timedelta(days=TRASH_DAYS, seconds=1))
    writing.trash(new, user=editor)
    assert list(Article.objects.filter(deleted_at__isnull=False)) == [new]


def test_a_story_past_its_days_cannot_be_restored(editor, monkeypatch):
    story = saved_story(editor, title="Gulls")
    writing.trash(story, user=editor)
    travel(monkeypatch, timedelta(days=TRASH_DAYS, seconds=1))
    with pytest.raises(workflow.WorkflowError, match="no longer in the trash"):
        writing.restore_from_trash(story, user=editor)


# The importer


def test_reimporting_the_file_of_a_story_in_the_trash_skips_it_and_says_why(seed_path, editor):
    import_paths([seed_path], publish=True)
    story = Article.objects.get(source_name=seed_path.name)
    writing.trash(story, user=editor)

    report = import_paths([seed_path], publish=True)

    [file] = report.files
    assert file.action == "skipped"
    assert IN_THE_TRASH in file.warnings
    assert f"  warning: {IN_THE_TRASH}" in report.lines()
    assert IN_THE_TRASH == "in the trash (restore it, or delete it for good from the trash, first)"
    assert reload(story).deleted_at is not None
    assert Article.objects.count() == 1


def test_the_file_of_a_story_gone_from_the_trash_imports_as_a_new_story(
    seed_path, editor, monkeypatch
):
    import_paths([seed_path], publish=True)
    gone = Article.objects.get(source_name=seed_path.name)
    writing.trash(gone, user=editor)
    travel(monkeypatch, timedelta(days=TRASH_DAYS, seconds=1))

    report = import_paths([seed_path], publish=True)

    assert [f.action for f in report.files] == ["created"]
    new = Article.objects.get(source_name=seed_path.name)
    assert new.pk != gone.pk and new.deleted_at is None
    assert Article.objects.published().filter(pk=new.pk).exists()
