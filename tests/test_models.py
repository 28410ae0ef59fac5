from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from newsroom.news.models import Article, Author, unique_slug
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_published_is_status_and_time_together():
    now = timezone.now()
    live = make_article(title="Live", published_at=now - timedelta(minutes=1))
    make_article(title="Scheduled", published_at=now + timedelta(minutes=1))
    make_article(title="Draft with a past time", status=Article.Status.DRAFT, published_at=now)
    make_article(title="Draft", status=Article.Status.DRAFT)
    assert list(Article.objects.published()) == [live]


def test_body_is_cleaned_on_every_save():
    article = make_article(body='<p onclick="x()">Hi<script>bad()</script></p>')
    article.refresh_from_db()
    assert article.body == "<p>Hi</p>"


def test_uploading_a_lead_image_clears_the_missing_flag():
    article = make_article()
    article.lead_image_missing = True
    article.lead_image.name = "lead-images/x.jpg"
    article.save()
    assert not Article.objects.get(pk=article.pk).lead_image_missing


def test_unique_slug_counts_up():
    make_article(slug="same")
    make_article(slug="same-2")
    assert unique_slug(Article, "Same") == "same-3"
    assert unique_slug(Author, "!!!") == "story"


def test_source_name_is_unique_but_blank_is_allowed_many_times():
    make_article()
    make_article()
    Article.objects.filter(pk=Article.objects.first().pk).update(source_name="a.txt")
    with pytest.raises(IntegrityError):
        Article.objects.create(title="Dup", slug="dup", source_name="a.txt")


def test_was_updated_ignores_the_publishing_save_itself():
    article = make_article(published_at=timezone.now())
    assert not article.was_updated
    Article.objects.filter(pk=article.pk).update(
        updated_at=article.published_at + timedelta(hours=1)
    )
    article.refresh_from_db()
    assert article.was_updated
