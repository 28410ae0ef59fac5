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

from newsroom.news.models import Article, Correction
from newsroom.publisher.models import Policy
from tests.factories import (
    make_article,
    make_author,
    make_fact_check,
    make_live_story,
    make_policy,
    make_update,
)

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


@pytest.mark.parametrize(
    ("article_type", "kind"),
    [
        (Article.Type.NEWS, "NewsArticle"),
        (Article.Type.ANALYSIS, "AnalysisNewsArticle"),
        (Article.Type.OPINION, "OpinionNewsArticle"),
        (Article.Type.REVIEW, "ReviewNewsArticle"),
        (Article.Type.SPONSORED, "AdvertiserContentArticle"),
    ],
)
def test_each_story_type_is_read_as_its_schema_org_type_and_only_that(client, article_type, kind):
    article = make_article(
        article_type=article_type, sponsor_name="Acme Bank", authors=[make_author()]
    )
    url = article.get_absolute_url()
    [story] = news_articles(client, url, kind=kind)
    assert story["headline"] == article.title
    others = {"NewsArticle", "ClaimReview"} - {kind}
    assert all(not news_articles(client, url, kind=other) for other in others)
    if article_type == Article.Type.SPONSORED:
        assert story["sponsor"] == {"@type": "Organization", "name": "Acme Bank"}


def test_a_fact_check_carries_a_valid_claim_review(client):
    article = make_fact_check(
        claim="Tokyo has banned drones over the harbour.",
        claim_author="A city councillor",
        claim_date=datetime(2026, 11, 2).date(),
        verdict="Mostly false",
        verdict_score=2,
        authors=[make_author(name="Ann Lee")],
    )
    url = article.get_absolute_url()

    [review] = news_articles(client, url, kind="ClaimReview")

    # Google's fact-check guidelines: claimReviewed, reviewRating, url, author are required;
    # itemReviewed (a Claim with its author and date) is recommended.
    assert review["claimReviewed"] == "Tokyo has banned drones over the harbour."
    assert review["url"] == BASE + url
    assert review["author"]["@type"] == "Organization" and review["author"]["name"]
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (2, 5, 1)
    assert rating["alternateName"] == "Mostly false"
    claim = review["itemReviewed"]
    assert claim["@type"] == "Claim"
    assert claim["author"]["name"] == "A city councillor"
    assert claim["datePublished"] == "2026-11-02"
    assert has_time_zone(review["datePublished"])
    assert not news_articles(client, url, kind="NewsArticle")
    # What the data says is on the page too, as the guidelines require.
    page = client.get(url).content.decode()
    assert "Tokyo has banned drones over the harbour." in page
    assert "Mostly false" in page and "A city councillor" in page


@pytest.mark.parametrize(
    ("ai_use", "source"),
    [
        (Article.AIUse.ASSISTED, "CompositeWithTrainedAlgorithmicMediaDigitalSource"),
        (Article.AIUse.GENERATED, "TrainedAlgorithmicMediaDigitalSource"),
    ],
)
def test_ai_use_is_in_the_structured_data(client, ai_use, source):
    article = make_article(
        ai_use=ai_use, ai_note="Summarised from court records.", reviewed_by=None
    )
    [story] = news_articles(client, article.get_absolute_url())
    assert story["digitalSourceType"] == f"https://schema.org/{source}"
    assert story["creditText"].endswith(": Summarised from court records.")


def test_a_story_made_without_ai_says_nothing_of_it(client):
    [story] = news_articles(client, make_article().get_absolute_url())
    assert "digitalSourceType" not in story and "creditText" not in story


# Each policy kind's schema.org property on the organisation (the use of AI is one of the
# publishing principles the /about/ list gathers).
POLICY_LINKS = {
    "ethicsPolicy": f"{BASE}/about/ethics/",
    "correctionsPolicy": f"{BASE}/about/corrections/",
    "ownershipFundingInfo": f"{BASE}/about/ownership-funding/",
    "masthead": f"{BASE}/about/masthead/",
    "actionableFeedbackPolicy": f"{BASE}/about/contact/",
    "publishingPrinciples": f"{BASE}/about/",
}


def test_the_about_page_has_one_news_media_organization_with_every_policy_link(client):
    for kind in Policy.Kind:
        make_policy(kind=kind)

    [organisation] = news_articles(client, "/about/", kind="NewsMediaOrganization")

    assert organisation["@id"] == f"{BASE}/#publisher"
    assert organisation["name"] == "Newsroom"
    assert organisation["url"] == f"{BASE}/"
    assert organisation["logo"]["url"].startswith(f"{BASE}/static/news/logo.")
    assert {name: organisation[name] for name in POLICY_LINKS} == POLICY_LINKS
    for url in POLICY_LINKS.values():
        assert client.get(url.removeprefix(BASE)).status_code == 200, url


def test_a_storys_publisher_is_the_about_pages_organization(client):
    make_policy(kind=Policy.Kind.CORRECTIONS)
    make_policy(kind=Policy.Kind.ETHICS, is_live=False)
    article = make_article(authors=[make_author()])

    [story] = news_articles(client, article.get_absolute_url())
    [organisation] = news_articles(client, "/about/", kind="NewsMediaOrganization")

    assert story["publisher"]["@type"] == "NewsMediaOrganization"
    assert story["publisher"]["@id"] == organisation["@id"] == f"{BASE}/#publisher"
    assert story["publisher"]["correctionsPolicy"] == f"{BASE}/about/corrections/"
    # A policy that is not live is never linked: its address says not found.
    assert "ethicsPolicy" not in story["publisher"]


def test_an_author_page_is_a_profile_page_of_a_person_with_role_bio_and_profiles(client):
    author = make_author(
        name="Ann Lee",
        slug="ann-lee",
        role="Defence correspondent",
        bio="Covers defence from Tokyo.",
        same_as="https://ann-lee.example/\n\nhttps://social.example/@annlee\n",
    )
    make_article(authors=[author])

    [page] = news_articles(client, author.get_absolute_url(), kind="ProfilePage")
    person = page["mainEntity"]

    assert person["@type"] == "Person"
    assert person["name"] == "Ann Lee"
    assert person["url"] == f"{BASE}/authors/ann-lee/"
    assert person["jobTitle"] == "Defence correspondent"
    assert person["description"] == "Covers defence from Tokyo."
    assert person["sameAs"] == ["https://ann-lee.example/", "https://social.example/@annlee"]
    assert person["worksFor"]["@id"] == f"{BASE}/#publisher"


def test_an_author_without_role_or_profiles_leaves_them_out(client):
    author = make_author(name="Kenji Sato")

    [page] = news_articles(client, author.get_absolute_url(), kind="ProfilePage")

    assert not {"jobTitle", "description", "sameAs"} & page["mainEntity"].keys()
