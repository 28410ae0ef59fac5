"""schema.org data for a story page, as a plain dict (rendered as JSON-LD): `NewsArticle`, or
for live coverage `LiveBlogPosting`.

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

from .models import Article, Author, Correction
from .templatetags.news_tags import clip


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
        # The organisation /about/ describes, by the same @id, carried whole so the story's
        # page alone names its publisher and the policies it works by.
        "publisher": publisher_data.organization(absolute=absolute),
        "keywords": [tag.name for tag in article.topics],
    }
    if article.published_at:
        data["datePublished"] = _moment(article.published_at)
        data["dateModified"] = _moment(article.modified_at or article.published_at)
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
