"""Every story a reader may not see stays unseen, on every channel a reader or a crawler has:
story pages, listings, feeds, sitemaps, search, preview links and uploaded files. And the
admin is for staff only."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from newsroom.desk import preview
from newsroom.news.models import Article
from tests.factories import make_article, make_author, make_user
from tests.test_limits import png

pytestmark = pytest.mark.django_db

HIDDEN_STATES = ["draft", "review", "unpublished", "scheduled"]
SECRET_WORD = "zanzibarquokka"


def hidden_story(state: str, **kwargs) -> Article:
    if state == "scheduled":
        return make_article(
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() + timedelta(days=1),
            **kwargs,
        )
    return make_article(status=state, **kwargs)


@pytest.fixture
def author():
    return make_author(name="Ann Lee", slug="ann-lee")


@pytest.fixture(params=HIDDEN_STATES)
def hidden(request, author) -> Article:
    """A story in a state readers may not see, beside one live story with the same author and
    topic (so the author, topic and archive pages exist)."""
    make_article(title="Live story", slug="live-story", authors=[author], tags=["Harbours"])
    return hidden_story(
        request.param,
        title=f"Hidden {SECRET_WORD}",
        slug="hidden-story",
        body=f"<p>{SECRET_WORD}</p>",
        authors=[author],
        tags=["Harbours"],
    )


def with_lead_image(article: Article) -> Article:
    article.lead_image = SimpleUploadedFile("harbour.png", png(), content_type="image/png")
    article.lead_image_alt = "The harbour"
    article.save()
    return article


def status(client, url: str) -> int:
    """The status of a file's address. A streamed file is read to the end, which closes it the
    way the test client expects; calling close() directly would fire request_finished with
    Django's connection cleanup attached and, on PostgreSQL, close the test's transaction."""
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


@pytest.fixture
def reader(client):
    """Someone signed in who is not staff: still a reader."""
    client.force_login(User.objects.create_user("reader", password="a-long-reader-password"))
    return client


def test_a_hidden_story_page_is_a_404(client, hidden):
    assert client.get(f"/news/{hidden.slug}/").status_code == 404


def test_a_hidden_story_page_is_a_404_for_a_signed_in_reader(reader, hidden):
    assert reader.get(f"/news/{hidden.slug}/").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/", "/tags/", "/tags/harbours/", "/authors/ann-lee/", "/archive/"],
)
def test_listings_leave_a_hidden_story_out(client, hidden, path):
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 200
    assert SECRET_WORD not in html
    assert "hidden-story" not in html


def test_the_month_archive_leaves_a_hidden_story_out(client, hidden):
    when = timezone.localtime(Article.objects.get(slug="live-story").published_at)
    response = client.get(f"/archive/{when.year}/{when.month:02d}/")
    assert response.status_code == 200
    assert SECRET_WORD not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/latest.rss",
        "/feeds/latest.atom",
        "/tags/harbours/feed.rss",
        "/tags/harbours/feed.atom",
        "/authors/ann-lee/feed.rss",
        "/authors/ann-lee/feed.atom",
    ],
)
def test_feeds_leave_a_hidden_story_out(client, hidden, path):
    response = client.get(path)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Live story" in body
    assert SECRET_WORD not in body
    assert "hidden-story" not in body


@pytest.mark.parametrize(
    "path",
    ["/sitemap.xml", "/sitemap-stories.xml", "/news-sitemap.xml"],
)
def test_sitemaps_leave_a_hidden_story_out(client, hidden, path):
    response = client.get(path)
    body = response.content.decode()
    assert response.status_code == 200
    assert "hidden-story" not in body


def test_search_does_not_find_a_hidden_story(client, hidden):
    response = client.get(reverse("search:search"), {"q": SECRET_WORD})
    assert response.status_code == 200
    assert list(response.context["articles"]) == []
    assert "hidden-story" not in response.content.decode()


def test_a_topic_with_only_hidden_stories_is_a_404(client):
    hidden_story("draft", tags=["Secret topic"])
    assert client.get("/tags/secret-topic/").status_code == 404


# Preview links


def test_a_preview_link_shows_the_story_it_was_made_for(client, hidden):
    response = client.get(preview.preview_url(hidden))
    assert response.status_code == 200
    assert SECRET_WORD in response.content.decode()
    assert "noindex" in response["X-Robots-Tag"]


def test_a_tampered_preview_link_is_a_404(client, hidden):
    token = preview.make_token(hidden)
    value, _, signature = token.rpartition(":")
    forged = f"{value}:{signature[:-2]}{'AA' if not signature.endswith('AA') else 'BB'}"
    assert client.get(f"/preview/{forged}/").status_code == 404


def test_a_preview_link_for_another_story_cannot_be_made_by_editing_one(client, hidden):
    other = hidden_story("draft", slug="other-hidden")
    token = preview.make_token(hidden)
    edited = token.replace(f"{hidden.pk}.", f"{other.pk}.", 1)
    assert client.get(f"/preview/{edited}/").status_code == 404


def test_a_preview_link_signed_with_another_key_is_a_404(client, hidden):
    signer = signing.TimestampSigner(key="not-the-site-key", salt="newsroom.desk.preview")
    token = signer.sign(f"{hidden.pk}.{hidden.status}")
    assert client.get(f"/preview/{token}/").status_code == 404


@pytest.mark.parametrize("garbage", ["x", "1.draft", "%00", "a" * 500, "1.draft:abc:def"])
def test_a_garbage_preview_link_is_a_404(client, garbage):
    assert client.get(f"/preview/{garbage}/").status_code == 404


def test_an_expired_preview_link_is_refused(client, hidden, settings):
    url = preview.preview_url(hidden)
    settings.NEWSROOM_PREVIEW_MAX_AGE = -1
    response = client.get(url)
    assert response.status_code == 410
    assert SECRET_WORD not in response.content.decode()


def test_a_preview_link_dies_when_the_story_changes_status(client):
    story = hidden_story("draft", body=f"<p>{SECRET_WORD}</p>")
    url = preview.preview_url(story)
    story.status = Article.Status.UNPUBLISHED
    story.save()
    response = client.get(url)
    assert response.status_code == 410
    assert SECRET_WORD not in response.content.decode()


def lead_image_src(html: str) -> str:
    """The src of the story's lead image (inside its <picture> when it has copies)."""
    return re.search(r'<figure class="story__figure">.*?<img src="([^"]+)"', html, re.S).group(1)


def test_a_preview_link_shows_its_lead_image_to_whoever_holds_it(client, hidden):
    with_lead_image(hidden)
    src = lead_image_src(client.get(preview.preview_url(hidden)).content.decode())
    response = client.get(src)
    assert response.status_code == 200
    # Read to the end, which closes it (see `status`): close() would end the PostgreSQL test's
    # transaction before the check below.
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    # The file itself is still hidden from anyone without the link.
    assert status(client, hidden.lead_image.url) == 404


def test_a_preview_image_dies_with_its_link(client, settings):
    story = with_lead_image(hidden_story("draft"))
    src = lead_image_src(client.get(preview.preview_url(story)).content.decode())
    settings.NEWSROOM_PREVIEW_MAX_AGE = -1
    assert status(client, src) == 404
    settings.NEWSROOM_PREVIEW_MAX_AGE = 3600
    assert status(client, src) == 200
    story.status = Article.Status.REVIEW
    story.save()
    assert status(client, src) == 404


def test_a_preview_image_of_a_story_without_one_is_a_404(client):
    story = hidden_story("draft")
    url = reverse("desk:article_preview_image", kwargs={"token": preview.make_token(story)})
    assert status(client, url) == 404


def test_a_preview_link_leads_to_the_story_once_it_is_published(client):
    story = hidden_story("draft")
    url = preview.preview_url(story)
    story.status, story.published_at = Article.Status.PUBLISHED, timezone.now()
    story.save()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == story.get_absolute_url()
    assert "no-store" in response["Cache-Control"]


def test_a_preview_link_to_a_story_scheduled_since_still_says_expired(client):
    story = hidden_story("draft", body=f"<p>{SECRET_WORD}</p>")
    url = preview.preview_url(story)
    story.status = Article.Status.PUBLISHED
    story.published_at = timezone.now() + timedelta(days=1)
    story.save()
    response = client.get(url)
    assert response.status_code == 410
    assert SECRET_WORD not in response.content.decode()


# Uploaded files


def test_the_lead_image_of_a_hidden_story_is_not_served(client, hidden):
    with_lead_image(hidden)
    assert status(client, hidden.lead_image.url) == 404


def test_the_lead_image_of_a_live_story_is_served(client):
    story = with_lead_image(make_article())
    response = client.get(story.lead_image.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    response.close()
    assert "public" in response["Cache-Control"]


def test_the_lead_image_goes_when_its_story_is_unpublished(client):
    story = with_lead_image(make_article())
    assert status(client, story.lead_image.url) == 200
    story.status = Article.Status.UNPUBLISHED
    story.save()
    assert status(client, story.lead_image.url) == 404


def test_a_replaced_lead_image_is_no_longer_served(client):
    story = with_lead_image(make_article())
    old_url = story.lead_image.url
    with_lead_image(story)
    assert story.lead_image.url != old_url
    assert status(client, old_url) == 404
    assert status(client, story.lead_image.url) == 200


def test_staff_see_the_lead_image_of_a_hidden_story_privately(client, hidden):
    with_lead_image(hidden)
    client.force_login(make_user(role="Writer"))
    response = client.get(hidden.lead_image.url)
    response.close()
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_a_signed_in_reader_does_not_see_the_lead_image_of_a_hidden_story(reader, hidden):
    with_lead_image(hidden)
    assert status(reader, hidden.lead_image.url) == 404


@pytest.mark.parametrize(
    "path", ["../settings.py", "..%2f..%2fetc/passwd", "lead-images/", "", "nothing.png"]
)
def test_other_paths_under_media_are_404s(client, path):
    with_lead_image(make_article())
    assert status(client, f"/media/{path}") == 404


# The admin


def test_the_admin_sends_anonymous_visitors_to_the_login(client):
    response = client.get(reverse("admin:news_article_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_signed_in_user_who_is_not_staff_is_refused_the_admin(reader):
    response = reader.get(reverse("admin:news_article_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert reader.get(reverse("admin:index")).status_code == 302


def test_a_user_who_is_not_staff_cannot_sign_in_to_the_admin(client):
    User.objects.create_user("reader", password="a-long-reader-password")
    response = client.post(
        reverse("admin:login"), {"username": "reader", "password": "a-long-reader-password"}
    )
    assert response.status_code == 200
    assert "Please enter the correct username and password for a staff account" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_a_writer_cannot_open_another_writers_draft(client):
    other = make_user(role="Writer")
    draft = make_article(status=Article.Status.DRAFT, created_by=other)
    client.force_login(make_user(role="Writer"))
    response = client.get(reverse("admin:news_article_change", args=[draft.pk]))
    assert response.status_code == 302
    assert client.get(reverse("admin:news_article_changelist")).context["cl"].result_count == 0


NOT_YOURS = (
    "You don\u2019t have access to this story: writers can open only the stories they created"
)


@pytest.mark.parametrize(
    "view",
    [
        "admin:news_article_change",
        "admin:news_article_delete",
        "admin:news_article_history",
        "admin:news_article_revisions",
    ],
)
def test_a_writer_is_told_honestly_why_another_writers_story_does_not_open(client, view):
    draft = make_article(
        title=f"Their {SECRET_WORD}",
        status=Article.Status.DRAFT,
        body=f"<p>{SECRET_WORD}</p>",
        created_by=make_user(role="Writer"),
    )
    client.force_login(make_user(role="Writer"))
    response = client.get(reverse(view, args=[draft.pk]), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert NOT_YOURS in html
    assert "doesn\u2019t exist" not in html and "doesn&#x27;t exist" not in html
    assert SECRET_WORD not in html


def test_a_writer_cannot_restore_another_writers_story_and_is_told_why(client):
    draft = make_article(status=Article.Status.DRAFT, created_by=make_user(role="Writer"))
    client.force_login(make_user(role="Writer"))
    response = client.post(
        reverse("admin:news_article_restore", args=[draft.pk, 1]), {"x": "1"}, follow=True
    )
    assert NOT_YOURS in response.content.decode()


def test_a_story_that_does_not_exist_still_says_so(client):
    client.force_login(make_user(role="Writer"))
    response = client.get(reverse("admin:news_article_change", args=[999999]), follow=True)
    html = response.content.decode()
    assert NOT_YOURS not in html
    assert "doesn\u2019t exist" in html
