"""NewsArticle JSON-LD on story pages."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from newsroom.news.models import Correction
from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db


def json_ld(client, url: str) -> dict:
    html = client.get(url).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_story_has_news_article_data_with_every_author_and_topic(client):
    first, second = make_author(name="Ann Lee"), make_author(name="Kenji Sato")
    article = make_article(title="Drones", authors=[first, second], tags=["Defence", "Japan"])
    data = json_ld(client, article.get_absolute_url())
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Drones"
    assert [a["name"] for a in data["author"]] == ["Ann Lee", "Kenji Sato"]
    assert data["author"][0]["url"] == f"http://testserver/authors/{first.slug}/"
    assert sorted(data["keywords"]) == ["Defence", "Japan"]
    assert data["datePublished"] == data["dateModified"]
    assert data["datePublished"].endswith("+00:00")
    assert "correction" not in data


def test_correction_appears_on_the_page_and_in_the_data_and_moves_date_modified(client):
    article = make_article(published_at=timezone.now() - timedelta(days=2))
    noted = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    Correction.objects.create(
        article=article, text="An earlier version misnamed the minister.", noted_at=noted
    )
    Correction.objects.create(
        article=article,
        kind=Correction.Kind.UPDATE,
        text="Adds the ministry's statement.",
        noted_at=noted - timedelta(hours=1),
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "An earlier version misnamed the minister." in html
    assert "Adds the ministry&#x27;s statement." in html
    assert f'Updated <time datetime="{noted.isoformat()}">' in html
    data = json_ld(client, article.get_absolute_url())
    assert data["dateModified"] == noted.isoformat()
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "An earlier version misnamed the minister.",
            "datePublished": noted.isoformat(),
        }
    ]


def test_markup_in_a_headline_cannot_break_out_of_the_json_block(client):
    article = make_article(title="</script><script>alert(1)</script>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(client, article.get_absolute_url())["headline"] == article.title
