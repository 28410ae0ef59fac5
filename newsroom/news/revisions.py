"""Revisions of a story: a snapshot after every save (restoring one is `writing.restore`).

Why our own and not django-reversion or django-simple-history: a revision here must be keyed
by the story's version counter (the optimistic lock compares against it to tell an editor what
changed under them), and must hold the story as a reader sees it (ordered byline, taggit
topics, related links) in one record. Reversion cannot follow taggit's generic relation and
simple-history keeps each table's history apart; either would need as much glue as this file.

Snapshots hold content only. Restoring brings back the words, byline, topics, related links
and image texts; it never changes a story's status, publication time or live coverage times,
so restoring cannot publish or unpublish anything, or start or end live coverage, by accident.
"""

from __future__ import annotations

from .models import Article, Revision

FIELDS = {
    "title": "Headline",
    "standfirst": "Standfirst",
    "body": "Body",
    "authors": "Byline",
    "tags": "Topics",
    "related_links": "Related links",
    "lead_image_alt": "Image alt text",
    "lead_image_caption": "Image caption",
    "lead_image_credit": "Image credit",
    "status": "Status",
    "published_at": "Publication time",
    "live_from": "Live coverage from",
    "live_until": "Live coverage until",
}
RESTORED = (
    "title",
    "standfirst",
    "body",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
)


def snapshot(article: Article) -> dict:
    return snapshot_of(
        article,
        authors=[
            b.author for b in article.bylines.select_related("author").order_by("position", "id")
        ],
        tags=article.tags.names(),
        related_links=article.related_links.order_by("position", "id"),
    )


def snapshot_of(article: Article, *, authors, tags, related_links) -> dict:
    """The snapshot of `article` with the given byline, topics and links, without a query.

    The import builds these for stories it has just made, whose rows it holds in memory.
    """
    return {
        "title": article.title,
        "standfirst": article.standfirst,
        "body": article.body,
        "authors": [{"id": a.pk, "name": a.name} for a in authors],
        "tags": sorted(tags, key=str.casefold),
        "related_links": [
            {
                "title": r.title,
                "url": r.url,
                "position": r.position,
                "after_paragraph": r.after_paragraph,
            }
            for r in related_links
        ],
        "lead_image_alt": article.lead_image_alt,
        "lead_image_caption": article.lead_image_caption,
        "lead_image_credit": article.lead_image_credit,
        "status": article.status,
        "published_at": _moment(article.published_at),
        "live_from": _moment(article.live_from),
        "live_until": _moment(article.live_until),
    }


def _moment(value) -> str | None:
    return value.isoformat() if value else None


def record(article: Article, *, user=None, summary: str = "") -> Revision:
    """Keep the story as it is now, as the revision for its current version."""
    revision, _ = Revision.objects.update_or_create(
        article=article,
        number=article.version,
        defaults=_written(snapshot(article), user=user, summary=summary),
    )
    return revision


def revision_for(article: Article, *, snapshot: dict, user, summary: str) -> Revision:
    """The revision row for the story's current version (unsaved: `writing.create` inserts
    many at once)."""
    return Revision(
        article=article, number=article.version, **_written(snapshot, user=user, summary=summary)
    )


def _written(snapshot: dict, *, user, summary: str) -> dict:
    """A revision's columns besides its story and number."""
    return {"snapshot": snapshot, "summary": summary[:200], "created_by": user}
