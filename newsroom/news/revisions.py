"""Revisions of a story: a snapshot after every save, readable diffs, and restore.

Why our own and not django-reversion or django-simple-history: a revision here must be keyed
by the story's version counter (the optimistic lock compares against it to tell an editor what
changed under them), and must hold the story as a reader sees it (ordered byline, taggit
topics, related links) in one record. Reversion cannot follow taggit's generic relation and
simple-history keeps each table's history apart; either would need as much glue as this file.

Snapshots hold content only. Restoring brings back the words, byline, topics, related links
and image texts; it never changes a story's status or publication time, so restoring cannot
publish or unpublish anything by accident.
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass

from django.db import transaction
from django.utils.safestring import SafeString, mark_safe

from .models import Article, Author, Byline, RelatedLink, Revision
from .sanitize import html_to_text

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
            {"title": r.title, "url": r.url, "position": r.position} for r in related_links
        ],
        "lead_image_alt": article.lead_image_alt,
        "lead_image_caption": article.lead_image_caption,
        "lead_image_credit": article.lead_image_credit,
        "status": article.status,
        "published_at": article.published_at.isoformat() if article.published_at else None,
    }


def record(article: Article, *, user=None, summary: str = "") -> Revision:
    """Keep the story as it is now, as the revision for its current version."""
    revision, _ = Revision.objects.update_or_create(
        article=article,
        number=article.version,
        defaults={"snapshot": snapshot(article), "summary": summary[:200], "created_by": user},
    )
    return revision


@dataclass(frozen=True, kw_only=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str

    @property
    def html(self) -> SafeString:
        """Word-level diff, escaped, with <del> and <ins> around what changed."""
        old, new = self.before.split(), self.after.split()
        parts: list[str] = []
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op in ("delete", "replace"):
                parts.append(f"<del>{html.escape(' '.join(old[a1:a2]))}</del>")
            if op in ("insert", "replace"):
                parts.append(f"<ins>{html.escape(' '.join(new[b1:b2]))}</ins>")
            if op == "equal":
                parts.append(html.escape(" ".join(old[a1:a2])))
        return mark_safe(" ".join(parts))  # every piece is escaped above

    def summary(self, *, limit: int = 160) -> str:
        def short(text: str) -> str:
            return text if len(text) <= limit else text[: limit - 1] + "\u2026"

        return (
            f"{self.label}: \u201c{short(self.before)}\u201d \u2192 \u201c{short(self.after)}\u201d"
        )


def _as_text(field: str, value) -> str:
    if field == "body":
        return html_to_text(value.replace("</p>", "</p>\n"))
    if field == "authors":
        return ", ".join(a["name"] for a in value)
    if field == "tags":
        return ", ".join(value)
    if field == "related_links":
        return "; ".join(f"{r['title']} {r['url']}".strip() for r in value)
    if field == "status":
        return Article.Status(value).label if value else ""
    return "" if value is None else str(value)


def diff(before: dict, after: dict) -> list[FieldChange]:
    """What changed between two snapshots, field by field, in the order editors read them."""
    return [
        FieldChange(
            field=field,
            label=label,
            before=_as_text(field, before.get(field)),
            after=_as_text(field, after.get(field)),
        )
        for field, label in FIELDS.items()
        if before.get(field) != after.get(field)
    ]


def restore(article: Article, revision: Revision, *, user) -> Revision:
    """Bring back a revision's content as a new save (and so a new revision)."""
    data = revision.snapshot
    with transaction.atomic():
        for field in RESTORED:
            setattr(article, field, data.get(field, ""))
        article.last_edited_by = user
        article.save()
        article.bylines.all().delete()
        known = Author.objects.in_bulk([a["id"] for a in data.get("authors", [])])
        Byline.objects.bulk_create(
            Byline(article=article, author=known[a["id"]], position=n)
            for n, a in enumerate(data.get("authors", []))
            if a["id"] in known
        )
        article.related_links.all().delete()
        RelatedLink.objects.bulk_create(
            RelatedLink(article=article, title=r["title"], url=r["url"], position=r["position"])
            for r in data.get("related_links", [])
        )
        article.tags.set(data.get("tags", []))
        return record(article, user=user, summary=f"Restored revision {revision.number}")
