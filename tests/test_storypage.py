"""The story page's one query: what it brings back, and that it is one query."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom.news import storypage
from newsroom.news.models import Article, Correction
from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db


def test_a_live_story_comes_with_what_its_page_shows_in_one_query():
    ann, bob = make_author(name="Ann"), make_author(name="Bob")
    namesake = make_article(title="Drones Over Japan")
    story = make_article(
        authors=[bob, ann],
        tags=["Drones", "Japan"],
        related=[("drones over japan", ""), ("Elsewhere", "https://example.org/")],
    )
    story.related_links.filter(title="Elsewhere").update(after_paragraph=1)
    now = timezone.now()
    later = Correction.objects.create(article=story, text="Second.", noted_at=now)
    earlier = Correction.objects.create(article=story, text="First.", noted_at=now - timedelta(1))
    Correction.objects.create(article=story, text="Not yet.", noted_at=now + timedelta(1))

    with CaptureQueriesContext(connection) as queries:
        found = storypage.live_story(story.slug)
    assert len(queries.captured_queries) == 1

    reference = Article.objects.with_page_data().get(pk=story.pk)
    assert found.byline == reference.byline == [bob, ann]
    assert [a.name for a in found.byline] == ["Bob", "Ann"]
    assert [(t.pk, t.name, t.slug) for t in found.topics] == [
        (t.pk, t.name, t.slug) for t in sorted(reference.tags.all(), key=lambda t: t.pk)
    ]
    assert [(n.pk, n.text, n.noted_at) for n in found.notes] == [
        (n.pk, n.text, n.noted_at) for n in (earlier, later)
    ]
    assert found.modified_at == later.noted_at
    assert [link.href for link in found.related_for_page()] == [
        namesake.get_absolute_url(),
        "https://example.org/",
    ]
    assert [link.after_paragraph for link in found.related_for_page()] == [None, 1]
    assert found.title == story.title and found.published_at == story.published_at


def test_drafts_scheduled_and_unknown_stories_are_not_found():
    draft = make_article(status=Article.Status.DRAFT)
    scheduled = make_article(published_at=timezone.now() + timedelta(hours=1))
    for slug in (draft.slug, scheduled.slug, "no-such-story"):
        assert storypage.live_story(slug) is None


def test_each_page_asks_about_its_own_slug_and_time():
    first, second = make_article(), make_article()
    assert storypage.live_story(first.slug).pk == first.pk
    assert storypage.live_story(second.slug).pk == second.pk
    Article.objects.filter(pk=first.pk).update(published_at=timezone.now() + timedelta(hours=1))
    assert storypage.live_story(first.slug) is None
