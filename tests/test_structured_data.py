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


def test_publisher_logo_canonical_and_social_cards(client):
    article = make_article(title="Cards", tags=["Defence"])
    html = client.get(article.get_absolute_url()).content.decode()
    url = f"http://testserver{article.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="article:tag" content="Defence">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<meta name="robots" content="max-image-preview:large">' in html
    data = json_ld(client, article.get_absolute_url())
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    logo = data["publisher"]["logo"]["url"]
    assert logo.startswith("http://testserver/static/news/logo.")
    image = client.get(logo.removeprefix("http://testserver"))
    assert image.status_code == 200
    image.close()


def test_editor_canonical_override_for_a_republished_story(client):
    article = make_article(title="Republished")
    article.canonical_url = "https://original.example/news/first/"
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<link rel="canonical" href="https://original.example/news/first/">' in html
    data = json_ld(client, article.get_absolute_url())
    assert data["mainEntityOfPage"]["@id"] == "https://original.example/news/first/"


def test_a_story_without_a_byline_is_credited_to_the_desk(client):
    data = json_ld(client, make_article(title="Unsigned").get_absolute_url())
    assert data["author"] == [
        {"@type": "Organization", "name": "Newsroom Staff", "url": "http://testserver/"}
    ]
