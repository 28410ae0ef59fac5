"""schema.org data for a story page, as a plain dict (rendered as JSON-LD): the story type's
schema.org type (`SCHEMA_TYPES`: NewsArticle, OpinionNewsArticle, ..., a ClaimReview for a fact
check), or for live coverage `LiveBlogPosting`. AI use is said by `digitalSourceType`.

Correction notes become `correction` entries (CorrectionComment); correction and update notes
both move `dateModified`, which is otherwise the publication time: a silent typo fix does not
count as an update. Live coverage (a kind of BlogPosting, as Google's live-blog guidelines
describe it) adds `coverageStartTime`, `coverageEndTime` once an end is set, and every update
readers see as a `liveBlogUpdate` BlogPosting with its own headline, time, author, address and
plain-text body; its latest update moves `dateModified`. `datePublished` stays the story's first
publication time. The publisher is the organisation of newsroom/publisher/ (its policies linked),
which /about/ also carries; an author's page is a `ProfilePage` of its `Person`.
"""

from __future__ import annotations

from django.conf import settings

from newsroom.publisher import structured_data as publisher_data

from . import renditions
from .models import Article, Author, Correction
from .templatetags.news_tags import clip

Type = Article.Type
# Each story type's schema.org type. A fact check is a ClaimReview (a kind of Review, so a
# CreativeWork with a headline, author and dates like the others), as Google's fact-check
# guidelines ask.
SCHEMA_TYPES = {
    Type.NEWS: "NewsArticle",
    Type.ANALYSIS: "AnalysisNewsArticle",
    Type.OPINION: "OpinionNewsArticle",
    Type.REVIEW: "ReviewNewsArticle",
    Type.FACT_CHECK: "ClaimReview",
    Type.SPONSORED: "AdvertiserContentArticle",
}
# schema.org has no property for AI use; `digitalSourceType` (on any CreativeWork) takes the
# IPTC digital source codes that say how much of a work a trained model made. The label and
# the editor's note go in `creditText`, the text that credits who made the work.
DIGITAL_SOURCE = {
    Article.AIUse.ASSISTED: "https://schema.org/CompositeWithTrainedAlgorithmicMediaDigitalSource",
    Article.AIUse.GENERATED: "https://schema.org/TrainedAlgorithmicMediaDigitalSource",
}

# The crops Google asks for (16:9, 4:3 and 1:1), each made around the editor's focal point.
IMAGE_CROPS = ("16x9", "4x3", "1x1")


def _images(article: Article, *, absolute) -> list[str]:
    """The lead image's crops, or the original for an image that has none."""
    storage = article.lead_image.storage
    made = article.lead_image_renditions
    crops = [c for label in IMAGE_CROPS if (c := renditions.crop(made, label))]
    if not crops:
        return [absolute(article.lead_image.url)]
    return [absolute(storage.url(c["name"])) for c in crops]


def for_story(article: Article, *, absolute) -> dict:
    """The story page's data: `live_blog_posting` for live coverage, else `news_article`."""
    if article.is_live_coverage:
        return live_blog_posting(article, absolute=absolute)
    return news_article(article, absolute=absolute)


def profile_page(author: Author, *, absolute) -> dict:
    """An author's page: a `ProfilePage` whose main entity is the `Person`, with the role, bio
    and profiles elsewhere the desk entered, working for the publisher."""
    person: dict = {
        "@type": "Person",
        "name": author.name,
        "url": absolute(author.get_absolute_url()),
        "worksFor": publisher_data.organization(absolute=absolute),
    }
    if author.role:
        person["jobTitle"] = author.role
    if author.bio:
        person["description"] = author.bio
    if author.profiles:
        person["sameAs"] = author.profiles
    return {"@context": "https://schema.org", "@type": "ProfilePage", "mainEntity": person}


def _credits(authors, *, absolute) -> list[dict]:
    # A story or update with no named author is the desk's, as the feeds say too.
    return [
        {"@type": "Person", "name": a.name, "url": absolute(a.get_absolute_url())} for a in authors
    ] or [{"@type": "Organization", "name": settings.NEWSROOM_DESK_BYLINE, "url": absolute("/")}]


def live_blog_posting(article: Article, *, absolute) -> dict:
    data = news_article(article, absolute=absolute, kind="LiveBlogPosting")
    data["coverageStartTime"] = _moment(article.live_from)
    if article.live_until:
        data["coverageEndTime"] = _moment(article.live_until)
    page = data["url"]
    data["liveBlogUpdate"] = [
        {
            "@type": "BlogPosting",
            "headline": update.headline or clip(update.text, 110),
            "datePublished": _moment(update.shown_at),
            "author": _credits(update.credits or article.byline, absolute=absolute),
            "url": f"{page}#{update.anchor}",
            "articleBody": update.text,
        }
        for update in article.live_updates
    ]
    return data


def _moment(value) -> str:
    return value.isoformat(timespec="seconds")


def news_article(article: Article, *, absolute, kind: str = "") -> dict:
    """`absolute` turns a path into a full URL (e.g. request.build_absolute_uri); `kind` is the
    schema.org type, by default the story type's."""
    kind = kind or SCHEMA_TYPES[article.article_type]
    page = article.canonical(absolute)
    data: dict = {
        "@context": "https://schema.org",
        "@type": kind,
        "headline": article.title,
        "description": article.standfirst,
        "mainEntityOfPage": {"@type": "WebPage", "@id": page},
        "url": page,
        "author": _credits(article.byline, absolute=absolute),
        # The organisation /about/ describes, by the same @id, carried whole so the story's
        # page alone names its publisher and the policies it works by.
        "publisher": publisher_data.organization(absolute=absolute),
        "keywords": [tag.name for tag in article.topics],
    }
    if article.published_at:
        data["datePublished"] = _moment(article.published_at)
        data["dateModified"] = _moment(article.modified_at or article.published_at)
    if article.lead_image:
        data["image"] = _images(article, absolute=absolute)
    corrections = [
        {
            "@type": "CorrectionComment",
            "text": note.text,
            "datePublished": note.noted_at.isoformat(timespec="seconds"),
        }
        for note in article.notes
        if note.kind == Correction.Kind.CORRECTION
    ]
    if corrections:
        data["correction"] = corrections
    if article.article_type == Type.SPONSORED and article.sponsor_name:
        data["sponsor"] = {"@type": "Organization", "name": article.sponsor_name}
    if kind == "ClaimReview":
        data.update(claim_review(article, absolute=absolute))
    if source := DIGITAL_SOURCE.get(article.ai_use):
        data["digitalSourceType"] = source
        data["creditText"] = article.ai_disclosure
    return data


def claim_review(article: Article, *, absolute) -> dict:
    """What a fact check adds to its ClaimReview (Google's fact-check guidelines): the claim,
    who made it and when, and the verdict as a rating from 1 (false) to 5 (true)."""
    claim: dict = {"@type": "Claim", "author": {"@type": "Person", "name": article.claim_author}}
    if article.claim_date:
        claim["datePublished"] = article.claim_date.isoformat()
    rating: dict = {"@type": "Rating", "alternateName": article.verdict}
    if article.verdict_score:
        rating.update(ratingValue=article.verdict_score, bestRating=5, worstRating=1)
    return {
        "claimReviewed": article.claim_reviewed,
        "itemReviewed": claim,
        "reviewRating": rating,
        # A ClaimReview's author is the organisation that checked the claim.
        "author": {
            "@type": "Organization",
            "name": settings.NEWSROOM_SITE_NAME,
            "url": absolute("/"),
        },
    }
