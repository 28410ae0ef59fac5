"""schema.org NewsArticle data for a story page, as a plain dict (rendered as JSON-LD).

Correction notes become `correction` entries (CorrectionComment); correction and update notes
both move `dateModified`, which is otherwise the publication time: a silent typo fix does not
count as an update.
"""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static

from .models import Article, Correction


def news_article(article: Article, *, absolute) -> dict:
    """`absolute` turns a path into a full URL (e.g. request.build_absolute_uri)."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.standfirst,
        "mainEntityOfPage": {"@type": "WebPage", "@id": article.canonical(absolute)},
        "url": article.canonical(absolute),
        # A story with no named author is the desk's, as the feeds say too.
        "author": [
            {"@type": "Person", "name": a.name, "url": absolute(a.get_absolute_url())}
            for a in article.byline
        ]
        or [
            {
                "@type": "Organization",
                "name": settings.NEWSROOM_DESK_BYLINE,
                "url": absolute("/"),
            }
        ],
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
        data["datePublished"] = article.published_at.isoformat(timespec="seconds")
        data["dateModified"] = (article.modified_at or article.published_at).isoformat(
            timespec="seconds"
        )
    if article.lead_image:
        data["image"] = [absolute(article.lead_image.url)]
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
