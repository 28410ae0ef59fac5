"""The one write path: every caller goes through `news.writing`, and its bulk `create` leaves
the same rows as saving the stories one by one."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from newsroom.ingest.importing import import_paths
from newsroom.news import writing
from newsroom.news.models import Article, Byline, RelatedLink, Revision, StatusChange
from tests.factories import make_article, make_author, make_user
from tests.test_workflow import form_data

Status = Article.Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """Which `writing` functions ran, by name, in order (each still does its work)."""
    seen: list[str] = []
    for name in ("save", "move", "finish", "restore", "create"):
        real = getattr(writing, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            seen.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(writing, name, spy)
    return seen


def rows(article: Article) -> dict:
    """What a story's write left in the database, without ids and times of day."""
    article = Article.objects.get(pk=article.pk)
    return {
        "article": {
            name: getattr(article, name)
            for name in ("title", "standfirst", "body", "status", "version", "slug")
        },
        "published_to_the_second": article.published_at.microsecond == 0
        if article.published_at
        else None,
        "moves": list(
            StatusChange.objects.filter(article=article)
            .order_by("id")
            .values_list("from_status", "to_status")
        ),
        "byline": list(
            Byline.objects.filter(article=article)
            .order_by("position")
            .values_list("author__name", "position")
        ),
        "links": list(
            RelatedLink.objects.filter(article=article)
            .order_by("position")
            .values_list("title", "url", "position")
        ),
        "topics": sorted(article.tags.names()),
        "revisions": [
            (r.number, {k: v for k, v in r.snapshot.items() if k not in ("published_at",)})
            for r in Revision.objects.filter(article=article).order_by("number")
        ],
    }


def test_create_in_bulk_leaves_the_rows_saving_one_by_one_leaves():
    editor = make_user(role="Editor")
    author = make_author(name="Ada Reporter")

    # One by one: save a draft with its byline, links and topics, publish it, keep a revision.
    one = Article(
        title="Floods close the ring road",
        standfirst="Water rose overnight.",
        body="<p>The road <b>shut</b> at dawn.</p><script>x()</script>",
    )
    writing.save(one, user=editor, from_status="")
    Byline.objects.create(article=one, author=author, position=0)
    RelatedLink.objects.create(
        article=one, title="Earlier: rain warning", url="https://example.com/a", position=0
    )
    one.tags.add("Weather")
    writing.move(one, Status.PUBLISHED, user=editor, summary="Created")
    Revision.objects.filter(article=one).exclude(number=one.version).delete()

    # In bulk: the same story again (its slug differs, as a second story's must).
    [many] = writing.create(
        [
            writing.NewStory(
                article=Article(
                    title="Floods close the ring road",
                    standfirst="Water rose overnight.",
                    body="<p>The road <b>shut</b> at dawn.</p><script>x()</script>",
                ),
                authors=[author],
                related_links=[
                    RelatedLink(
                        title="Earlier: rain warning", url="https://example.com/a", position=0
                    )
                ],
                tags=["Weather"],
                summary="Created",
            )
        ],
        user=editor,
        publish=True,
    )

    by_one, in_bulk = rows(one), rows(many)
    assert in_bulk["article"]["slug"] == "floods-close-the-ring-road-2"  # unique, like save's
    by_one["article"].pop("slug"), in_bulk["article"].pop("slug")
    assert in_bulk == by_one
    assert in_bulk["article"]["body"] == "<p>The road <b>shut</b> at dawn.</p>"  # cleaned once
    assert in_bulk["article"]["version"] == 2
    assert in_bulk["moves"] == [("", Status.DRAFT), (Status.DRAFT, Status.PUBLISHED)]


def test_create_gives_each_new_story_a_slug_no_other_has():
    make_article(title="Budget day", slug="budget-day")
    stories = writing.create(
        [writing.NewStory(article=Article(title="Budget day"), authors=[]) for _ in range(3)],
        user=None,
    )
    assert [a.slug for a in stories] == ["budget-day-2", "budget-day-3", "budget-day-4"]
    assert all(a.status == Status.DRAFT and a.version == 1 for a in stories)


def test_the_admin_add_and_change_forms_write_through_the_write_path(client, calls):
    editor = make_user(role="Editor")
    client.force_login(editor)
    response = client.post(reverse("admin:news_article_add"), form_data(title="Fresh"))
    assert response.status_code == 302
    assert calls == ["save", "finish"]
    story = Article.objects.get(title="Fresh")
    calls.clear()
    response = client.post(
        reverse("admin:news_article_change", args=[story.pk]),
        form_data(story, title="Fresher"),
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert calls == ["save", "finish"]
    assert [r.summary for r in story.revisions.order_by("number")] == ["Created", "Edited"]


def test_the_admin_bulk_actions_write_through_the_write_path(client, calls):
    editor = make_user(role="Editor")
    client.force_login(editor)
    story = make_article(status=Status.DRAFT, authors=[make_author()])
    response = client.post(
        reverse("admin:news_article_changelist"),
        {"action": "publish_now", "_selected_action": [story.pk]},
    )
    assert response.status_code == 302
    assert calls[:1] == ["move"]
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED
    assert story.revisions.get(number=story.version).summary == "Published"


def test_restore_writes_through_the_write_path(client, calls):
    editor = make_user(role="Editor")
    client.force_login(editor)
    story = make_article(title="First words", authors=[make_author()])
    writing.finish(story, user=editor, summary="Created")
    story.title = "Second words"
    writing.save(story, user=editor)
    writing.finish(story, user=editor, summary="Edited")
    first = story.revisions.order_by("number").first()
    calls.clear()
    response = client.post(reverse("admin:news_article_restore", args=[story.pk, first.number]), {})
    assert response.status_code == 302
    assert calls[0] == "restore"
    story.refresh_from_db()
    assert story.title == "First words"


def test_a_save_trims_the_publication_time_to_the_second():
    story = make_article(status=Status.DRAFT)
    story.status = Status.PUBLISHED
    story.published_at = timezone.now() - timedelta(microseconds=123)
    writing.save(story, user=None, from_status=Status.DRAFT)
    story.refresh_from_db()
    assert story.published_at.microsecond == 0
    assert StatusChange.objects.filter(article=story, to_status=Status.PUBLISHED).count() == 1


def test_the_importer_creates_through_create_and_updates_through_save(tmp_path, calls):
    story = tmp_path / "floods.txt"
    story.write_text("Floods close the ring road\n\nWater rose overnight.\n\nThe road shut.\n")
    import_paths([story], publish=True)
    assert calls == ["create"]
    created = Article.objects.get(source_name="floods.txt")
    assert (created.status, created.version) == (Status.PUBLISHED, 2)
    assert created.import_fingerprint == created.content_fingerprint()

    calls.clear()
    story.write_text("Floods close the ring road\n\nWater rose overnight.\n\nIt reopened.\n")
    import_paths([story], publish=True)
    assert calls == ["save", "finish"]
    assert Article.objects.get(pk=created.pk).body == "<p>It reopened.</p>"


def test_create_takes_an_existing_topic_whatever_the_case_of_its_name():
    existing = Tag.objects.create(name="weather")
    stories = writing.create(
        [
            writing.NewStory(article=Article(title=f"Storm {n}"), tags=["Weather", "WEATHER"])
            for n in range(3)
        ],
        user=None,
    )
    for story in stories:
        assert list(story.tags.all()) == [existing]
        assert story.revisions.get().snapshot["tags"] == ["weather"]
    assert Tag.objects.count() == 1


def test_create_runs_the_same_queries_for_many_stories_as_for_one(
    django_assert_max_num_queries,
):
    author = make_author(name="Ada Reporter")

    def stories(count: int, prefix: str) -> list[writing.NewStory]:
        return [
            writing.NewStory(
                article=Article(title=f"{prefix} {n}", body="<p>Words.</p>"),
                authors=[author],
                related_links=[RelatedLink(title="Earlier", position=0)],
                tags=["Weather", "Floods"],
            )
            for n in range(count)
        ]

    with CaptureQueriesContext(connection) as one:
        writing.create(stories(1, "One"), user=None, publish=True)
    with django_assert_max_num_queries(len(one)):
        writing.create(stories(40, "Many"), user=None, publish=True)
    assert Article.objects.published().count() == 41
