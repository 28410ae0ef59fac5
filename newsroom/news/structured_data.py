"""schema.org data for a story page, as a plain dict (rendered as JSON-LD): `NewsArticle`, or
for live coverage `LiveBlogPosting`.

Correction notes become `correction` entries (CorrectionComment); correction and update notes
both move `dateModified`, which is otherwise the publication time: a silent typo fix does not
count as an update. Live coverage (a kind of BlogPosting, as Google's live-blog guidelines
describe it) adds `coverageStartTime`, `coverageEndTime` once an end is set, and every update
readers see as a `liveBlogUpdate` BlogPosting with its own headline, time, author, address and
plain-text body; its latest update moves `dateModified`. `datePublished` stays the story's first
publication time.
"""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static

from . import renditions
from .models import Article, Correction
from .templatetags.news_tags import clip

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


def _credits(authors, *, absolute) -> list[dict]:
    # A story or update with no named author is the desk's, as the feeds say too.
    return [
        {"@type": "Person", "name": a.name, "url": absolute(a.get_absolute_url())} for a in authors
    ] or [{"@type": "Organization", "name": settings.NEWSROOM_DESK_BYLINE, "url": absolute("/")}]


def live_blog_posting(article: Article, *, absolute) -> dict:
    data = news_article(article, absolute=absolute)
    data["@type"] = "LiveBlogPosting"
    data["coverageStartTime"] = _moment(article.live_from)
    if article.live_until:
        data["coverageEndTime"] = _moment(article.live_until)
    page = article.canonical(absolute)
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


def news_article(article: Article, *, absolute) -> dict:
    """`absolute` turns a path into a full URL (e.g. request.build_absolute_uri)."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.standfirst,
        "mainEntityOfPage": {"@type": "WebPage", "@id": article.canonical(absolute)},
        "url": article.canonical(absolute),
        "author": _credits(article.byline, absolute=absolute),
        "publisher": {
            "@type": "Organization",
            "name": settings.NEWSROOM_SITE_NAME,
            "url": absolute("/"),
            "logo": {
                "@type": "ImageObject",
                "url": absolute(static("news/logo.png")),
                "width": 512,
                "height": 512,
            },
        },
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
    return data
