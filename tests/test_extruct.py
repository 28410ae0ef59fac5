"""extruct, the extractor search engines' tooling is built on, reads a story page as we mean it.

tests/test_structured_data.py checks the JSON-LD we write; this reads the rendered page with a
real third-party parser across every syntax it knows (JSON-LD, microdata, RDFa, Open Graph,
microformats), so a second NewsArticle smuggled in through another syntax, or a block that
only our own regex can read, fails here.
"""

from datetime import datetime, timedelta
from io import BytesIO

import extruct
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from newsroom.news.models import Correction
from tests.factories import make_article, make_author, make_live_story, make_update

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


def png(*, width: int, height: int) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (width, height), "#a3122a").save(buffer, format="PNG")
    return SimpleUploadedFile("lead.png", buffer.getvalue(), content_type="image/png")


def news_articles(client, url: str, *, kind: str = "NewsArticle") -> list[dict]:
    """Every item of type `kind` that extruct finds on the page, in any syntax."""
    html = client.get(url).content.decode()
    data = extruct.extract(html, base_url=BASE + url, uniform=True)
    found = []
    for items in data.values():
        for item in items:
            types = item.get("@type", [])
            types = types if isinstance(types, list) else [types]
            if any(str(t).rsplit("/", 1)[-1] == kind for t in types):
                found.append(item)
    return found


def has_time_zone(value: str) -> bool:
    return datetime.fromisoformat(value).tzinfo is not None


def test_story_with_image_and_correction_has_one_complete_news_article(client):
    first = make_author(name="Ann Lee", slug="ann-lee")
    second = make_author(name="Kenji Sato", slug="kenji-sato")
    third = make_author(name="Zeynep Kaya", slug="zeynep-kaya")
    article = make_article(
        title="Drones for the fleet",
        standfirst="Tokyo and Ankara talk about unmanned aircraft.",
        authors=[first, second, third],
        tags=["Defence", "Japan", "Turkey"],
        published_at=timezone.now() - timedelta(days=1),
    )
    article.lead_image = png(width=1200, height=675)
    article.lead_image_alt = "Two ministers shake hands in front of a drone."
    article.save()
    Correction.objects.create(article=article, text="An earlier version misnamed the minister.")
    url = article.get_absolute_url()

    [story] = news_articles(client, url)

    assert story["headline"] == "Drones for the fleet"
    assert story["description"] == "Tokyo and Ankara talk about unmanned aircraft."
    assert [(a["name"], a["url"]) for a in story["author"]] == [
        ("Ann Lee", f"{BASE}/authors/ann-lee/"),
        ("Kenji Sato", f"{BASE}/authors/kenji-sato/"),
        ("Zeynep Kaya", f"{BASE}/authors/zeynep-kaya/"),
    ]
    assert has_time_zone(story["datePublished"])
    assert has_time_zone(story["dateModified"])
    assert datetime.fromisoformat(story["dateModified"]) > datetime.fromisoformat(
        story["datePublished"]
    )
    # The focal-point crops Google asks for: 16:9, 4:3 and 1:1 (tests/test_renditions.py).
    crops = article.lead_image_renditions["crops"]
    assert story["image"] == [
        f"{BASE}/media/{crops[label]['name']}" for label in ("16x9", "4x3", "1x1")
    ]
    assert story["publisher"]["name"] == "Newsroom"
    assert story["publisher"]["logo"]["url"].startswith(f"{BASE}/static/news/logo.")
    assert story["mainEntityOfPage"]["@id"] == BASE + url
    assert sorted(story["keywords"]) == ["Defence", "Japan", "Turkey"]
    assert [c["text"] for c in story["correction"]] == ["An earlier version misnamed the minister."]


def test_story_without_image_or_correction_leaves_them_out(client):
    article = make_article(authors=[make_author(name="Ann Lee")], tags=["Defence"])

    [story] = news_articles(client, article.get_absolute_url())

    assert "image" not in story
    assert "correction" not in story
    assert [a["name"] for a in story["author"]] == ["Ann Lee"]
    assert story["dateModified"] == story["datePublished"]


def test_listing_pages_carry_no_news_article(client):
    article = make_article(authors=[make_author()], tags=["Defence"])
    author = article.byline[0]

    for url in ("/", "/tags/defence/", author.get_absolute_url(), "/archive/"):
        assert news_articles(client, url) == []


def test_live_story_has_one_live_blog_posting_with_every_update(client):
    ann = make_author(name="Ann Lee", slug="ann-lee")
    story = make_live_story(authors=[ann], tags=["Election"])
    now = timezone.now()
    updates = [
        make_update(
            article=story,
            headline="Polls close" if n % 3 == 0 else "",
            body=f"<p>Count number {n}.</p>",
            key_event=n % 4 == 0,
            pinned=n == 7,
            shown_at=now - timedelta(minutes=n),
            authors=[make_author(name=f"Reporter {n}")] if n % 2 else [],
        )
        for n in range(12)
    ]

    [live] = news_articles(client, story.get_absolute_url(), kind="LiveBlogPosting")

    assert news_articles(client, story.get_absolute_url()) == []
    assert has_time_zone(live["coverageStartTime"])
    entries = live["liveBlogUpdate"]
    assert sorted(e["url"] for e in entries) == sorted(
        f"{BASE}{story.get_absolute_url()}#update-{u.pk}" for u in updates
    )
    for entry in entries:
        assert entry["@type"] == "BlogPosting"
        assert entry.get("headline") or entry.get("articleBody")
        assert has_time_zone(entry["datePublished"])
        assert entry["author"] and all(a["name"] for a in entry["author"])
    assert live["dateModified"] == max(e["datePublished"] for e in entries)
