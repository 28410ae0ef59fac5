"""A change retires exactly the cached pages that show it, and every other page stays cached.

Each scenario warms the same thirteen pages (story pages, listings, feeds, a sitemap), makes
one change the way the desk makes it, and then reads which pages had to be rendered again (a
page served from the cache runs no SQL). On the in-process cache and on the real Redis.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from newsroom.consent.models import Category
from newsroom.news import writing
from newsroom.news.models import Article, Author, Byline, Correction, RelatedLink
from tests.factories import make_article, make_author, make_user
from tests.test_breaking import banner_text
from tests.test_pagecache import backend, fetch  # noqa: F401 - `backend` is a fixture

# Each scenario on the in-process cache and on the real Redis.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("backend")]

PAGES = {
    "home": "/",
    "alpha": "/news/alpha/",
    "bravo": "/news/bravo/",
    "charlie": "/news/charlie/",
    "drones": "/tags/drones/",
    "ships": "/tags/ships/",
    "ann": "/authors/ann/",
    "bob": "/authors/bob/",
    "topics": "/tags/",
    "archive": "/archive/",
    "rss": "/feeds/latest.rss",
    "ships-feed": "/tags/ships/feed.atom",
    "sitemap": "/sitemap-stories.xml",
}


@pytest.fixture
def world(db):
    ann, bob = make_author(name="Ann", slug="ann"), make_author(name="Bob", slug="bob")
    earlier = timezone.now() - timedelta(hours=3)
    stories = {
        "alpha": make_article(title="Alpha", slug="alpha", authors=[ann], tags=["Drones"]),
        "bravo": make_article(title="Bravo", slug="bravo", authors=[bob], tags=["Ships"]),
        "charlie": make_article(
            title="Charlie", slug="charlie", authors=[bob], tags=["Drones"], published_at=earlier
        ),
    }
    return {"ann": ann, "bob": bob, **stories}


def warm_all(client, *, but: set[str] = frozenset()) -> None:
    for name, url in PAGES.items():
        if name in but:
            continue
        fetch(client, url)
        assert fetch(client, url)[2] == 0, f"{name} was not cached"


def rendered_again(client) -> set[str]:
    return {name for name, url in PAGES.items() if fetch(client, url)[2] > 0}


def expect(client, retired: set[str]) -> None:
    assert rendered_again(client) == retired


def test_an_edit_retires_the_story_and_the_listings_that_show_it(client, world):
    warm_all(client)
    bravo = Article.objects.get(pk=world["bravo"].pk)
    bravo.body = "<p>A new paragraph.</p>"
    bravo.save()
    expect(client, {"bravo", "home", "ships", "bob", "rss", "ships-feed", "sitemap"})


def test_a_type_or_ai_use_change_retires_the_story_and_the_listings_that_label_it(client, world):
    warm_all(client)
    bravo = Article.objects.get(pk=world["bravo"].pk)
    bravo.article_type, bravo.ai_use = Article.Type.OPINION, Article.AIUse.ASSISTED
    writing.save(bravo, user=None)
    expect(client, {"bravo", "home", "ships", "bob", "rss", "ships-feed", "sitemap"})
    assert "Opinion" in client.get("/").content.decode()


def test_publishing_retires_the_listings_it_joins_and_no_story_page(client, world):
    draft = make_article(
        title="Delta", authors=[world["ann"]], tags=["Ships"], status=Article.Status.DRAFT
    )
    warm_all(client)
    writing.move(draft, Article.Status.PUBLISHED, user=make_user(role="Editor"))
    expect(client, {"home", "ships", "ann", "topics", "archive", "rss", "ships-feed", "sitemap"})


def test_unpublishing_retires_the_story_and_every_listing_it_leaves(client, world):
    warm_all(client)
    writing.move(world["bravo"], Article.Status.UNPUBLISHED, user=make_user(role="Editor"))
    expect(
        client,
        {"bravo", "home", "ships", "bob", "topics", "archive", "rss", "ships-feed", "sitemap"},
    )


def test_moving_a_story_to_the_trash_retires_it_exactly_as_unpublishing_does(client, world):
    warm_all(client)
    writing.trash(world["bravo"], user=make_user(role="Editor"))
    expect(
        client,
        {"bravo", "home", "ships", "bob", "topics", "archive", "rss", "ships-feed", "sitemap"},
    )


def test_restoring_a_story_from_the_trash_retires_the_same_pages_again(client, world):
    editor = make_user(role="Editor")
    writing.trash(world["bravo"], user=editor)
    # Bravo's page and its only topic's are 404s while it is in the trash, and a 404 is not
    # cached: those are rendered every time.
    warm_all(client, but={"bravo", "ships", "ships-feed"})
    writing.restore_from_trash(Article.objects.get(pk=world["bravo"].pk), user=editor)
    expect(
        client,
        {"bravo", "home", "ships", "bob", "topics", "archive", "rss", "ships-feed", "sitemap"},
    )


def test_a_byline_change_retires_the_story_and_both_authors_lists(client, world):
    warm_all(client)
    Byline.objects.create(article=world["bravo"], author=world["ann"], position=1)
    expect(client, {"bravo", "home", "ships", "bob", "ann", "rss", "ships-feed", "sitemap"})


def test_a_topic_merge_retires_both_topics_and_the_stories_moved(client, world):
    warm_all(client)
    editor = make_user(role="Editor", username="merger")
    editor.is_superuser = True
    editor.save()
    desk = Client()
    desk.force_login(editor)
    ships = world["bravo"].tags.get()
    response = desk.post(
        "/admin/news/topic/",
        {"action": "merge_tags", "_selected_action": [ships.pk], "target": "Drones"},
    )
    assert response.status_code == 302
    assert list(world["bravo"].tags.names()) == ["Drones"]
    expect(
        client,
        {"bravo", "home", "drones", "ships", "bob", "topics", "rss", "ships-feed", "sitemap"},
    )


def test_a_topic_renamed_on_the_topics_screen_retires_its_pages(client, world):
    """The screen saves through the Topic proxy, whose signals name the proxy as sender."""
    warm_all(client)
    desk = Client()
    desk.force_login(make_user(role="Editor"))
    ships = world["bravo"].tags.get()
    response = desk.post(
        f"/admin/news/topic/{ships.pk}/change/", {"name": "Vessels", "slug": "ships"}
    )
    assert response.status_code == 302
    expect(client, {"bravo", "ships", "topics", "ships-feed", "sitemap"})


def test_an_author_rename_retires_every_page_showing_the_name(client, world):
    warm_all(client)
    bob = Author.objects.get(pk=world["bob"].pk)
    bob.name = "Robert"
    bob.save()
    expect(
        client,
        {"bravo", "charlie", "home", "ships", "drones", "bob", "rss", "ships-feed", "sitemap"},
    )


def test_a_correction_retires_the_story_and_its_listing_lines(client, world):
    warm_all(client)
    Correction.objects.create(article=world["alpha"], text="The date was wrong.")
    expect(client, {"alpha", "home", "drones", "ann", "rss", "sitemap"})


def test_a_related_link_change_retires_only_the_story_page(client, world):
    warm_all(client)
    RelatedLink.objects.create(article=world["alpha"], title="Background", url="https://a.test/")
    expect(client, {"alpha"})


def test_moving_a_related_link_into_the_story_retires_only_the_story_page(client, world):
    link = RelatedLink.objects.create(article=world["alpha"], title="Background", url="")
    warm_all(client)
    link.after_paragraph = 1
    link.save()
    expect(client, {"alpha"})
    assert '<aside class="also-read"' in fetch(client, PAGES["alpha"])[1]


@pytest.mark.parametrize("after_paragraph", [None, 1], ids=["listed", "in-the-story"])
def test_a_related_headline_finds_its_story_when_that_story_is_published(
    client, world, after_paragraph
):
    RelatedLink.objects.create(
        article=world["alpha"], title="Echo", url="", after_paragraph=after_paragraph
    )
    echo = make_article(
        title="Echo", slug="echo", authors=[world["bob"]], status=Article.Status.DRAFT
    )
    warm_all(client)
    writing.move(echo, Article.Status.PUBLISHED, user=make_user(role="Editor"))
    assert "alpha" in rendered_again(client)
    assert 'href="/news/echo/"' in fetch(client, PAGES["alpha"])[1]


def test_a_scheduled_go_live_retires_the_listings_on_time(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(
            title="Foxtrot",
            authors=[world["ann"]],
            tags=["Drones"],
            published_at=now + timedelta(hours=1),
        )
    warm_all(client)
    assert rendered_again(client) == set()
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=1, seconds=1))
    expect(client, {"home", "drones", "ann", "topics", "archive", "rss", "sitemap"})
    assert "Foxtrot" in fetch(client, "/")[1]


def test_flagging_breaking_news_retires_every_page_showing_the_banner(client, world):
    warm_all(client)
    alpha = Article.objects.get(pk=world["alpha"].pk)
    alpha.breaking_until = timezone.now() + timedelta(hours=2)
    writing.save(alpha, user=make_user(role="Editor"))
    # Every reader page, and what any save of Alpha retires (its feed and sitemap lines).
    expect(client, set(PAGES) - {"ships-feed"})
    assert banner_text(fetch(client, PAGES["bravo"])[1]) == "Breaking: Alpha"


def test_an_edit_of_the_breaking_storys_body_retires_no_more_than_any_edit(client, world):
    alpha = Article.objects.get(pk=world["alpha"].pk)
    alpha.breaking_until = timezone.now() + timedelta(hours=2)
    alpha.save()
    warm_all(client)
    alpha.body = "<p>Latest: the damage is worse than first thought.</p>"
    writing.save(alpha, user=make_user(role="Editor"))
    expect(client, {"alpha", "home", "drones", "ann", "rss", "sitemap"})


def test_breaking_news_running_out_retires_the_pages_showing_the_banner_on_time(
    client, world, monkeypatch
):
    now = timezone.now()
    alpha = Article.objects.get(pk=world["alpha"].pk)
    alpha.breaking_until = now + timedelta(hours=1)
    alpha.save()
    warm_all(client)
    assert rendered_again(client) == set()
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=1, seconds=1))
    expect(client, set(PAGES) - {"rss", "ships-feed", "sitemap"})
    assert banner_text(fetch(client, "/")[1]) is None


def test_a_consent_category_change_retires_the_pages_showing_the_banner(client, world):
    warm_all(client)
    category = Category.objects.get(key="analytics")
    category.name = "Audience measurement"
    category.save()
    feeds_and_sitemaps = {"rss", "ships-feed", "sitemap"}
    expect(client, set(PAGES) - feeds_and_sitemaps)
    assert "Audience measurement" in fetch(client, "/")[1]


def test_stories_created_in_bulk_with_a_topic_retire_that_topics_pages(client, world):
    warm_all(client)
    writing.create(
        [
            writing.NewStory(
                article=Article(title=f"Golf {n}"), authors=[world["bob"]], tags=["ships"]
            )
            for n in range(2)
        ],
        user=make_user(role="Editor"),
        publish=True,
    )
    again = rendered_again(client)
    assert {"ships", "ships-feed", "topics", "home", "bob"} <= again
    assert "drones" not in again
    assert "Golf 1" in fetch(client, PAGES["ships"])[1]
