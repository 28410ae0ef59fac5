"""The one write path for stories: every writer creates and changes stories through it.

The admin's change form, its bulk actions, restore, a topic merge, the importer and the admin
import (which runs the importer) all call these functions, so each rule of a write is said once:

- a save counts the story's version, trims its publication time to the second and stores a
  clean body (`Article.prepare`, which `Article.save` runs);
- a status move is checked by `workflow` and logged (`workflow.status_change`);
- a published AI-generated story has a reviewing editor (`workflow.check_ai_review`);
- a write that changes a story ends with a revision (`revisions.revision_for`);
- a new story gets a slug no other story has (`unique_slugs`) and, when imported, the
  fingerprint that later tells an editor's change from the import's (`Article.fingerprint`).

`save`, `move` and `finish` handle one story; `create` makes many new ones with a handful of
batched INSERTs, leaving exactly the rows that saving each one (and publishing it) would leave
(tests/test_writing.py holds the two paths to the same rows).

Live coverage goes through here too: `cover` starts or ends it, and `post_update`,
`edit_update`, `approve_update` and `delete_update` write its updates, each checked by
`workflow` and logged (`LiveUpdateChange`: who, what, when). A deleted update is kept, hidden
from readers. Each write retires only the pages that show the updates (cachetags.py).

Deleting is soft: `trash` sets the story's `deleted_at`, which `Article.objects.published()`
excludes, and `restore_from_trash` clears it, for TRASH_DAYS days. There is no job to empty the
trash: a story past its days no longer counts as in the trash (`ArticleQuerySet.trashed` is
decided when the query runs), and its rows are deleted by the next `empty_expired_trash`, which
each move to the trash, each opening of the trash screen and each import runs.

A byline's new author (a guest or a wire service, added from the story form) is made by
`add_author`, after `check_author_name` has said whether the name may be added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from newsroom import pagecache

from . import cachetags, revisions, workflow
from .models import (
    TRASH_DAYS,
    Article,
    Author,
    Byline,
    LiveUpdate,
    LiveUpdateChange,
    RelatedLink,
    Revision,
    StatusChange,
    to_the_second,
    unique_slug,
    unique_slugs,
)

Status = Article.Status
AUTHOR_NAME_MAX_CHARS = Author._meta.get_field("name").max_length


def check_author_name(name: str) -> str:
    """The name of a new author as it will be stored, or a ValidationError saying why not.

    A name whose address ("Ann Lee": /authors/ann-lee/) another author already has is refused:
    it is almost always the same person, who belongs in the byline once, by their own entry.
    """
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Type the new author\u2019s name, or choose an existing author.")
    if len(name) > AUTHOR_NAME_MAX_CHARS:
        raise ValidationError(
            f"An author\u2019s name can be at most {AUTHOR_NAME_MAX_CHARS} characters."
        )
    base = slugify(name, allow_unicode=True)[: AUTHOR_NAME_MAX_CHARS - 4].strip("-")
    if not base:
        raise ValidationError("An author\u2019s name needs at least one letter or digit.")
    existing = Author.objects.filter(slug=base).first()
    if existing is not None:
        raise ValidationError(
            f"There is already an author called \u201c{existing.name}\u201d: choose them in the "
            "author box instead of adding them again."
        )
    return name


def add_author(*, name: str, note: str = "") -> Author:
    """A new author for a byline (a guest, a wire service), with an address of their own.

    `note` ("Reuters", "a freelance in Kyiv") is kept as the author's bio.
    """
    name = check_author_name(name)
    return Author.objects.create(name=name, slug=unique_slug(Author, name), bio=note.strip())


def save(article: Article, *, user, from_status: str | None = None) -> StatusChange | None:
    """Store one story as `user` left it, and log its status move if it moved.

    `from_status`: the status the story had when the writer opened it (None: no move).
    """
    workflow.check_ai_review(
        article, article.status, moving=from_status not in (None, Status.PUBLISHED)
    )
    if article.pk is None and article.created_by_id is None:
        article.created_by = user
    if not article.slug:
        article.slug = unique_slugs(Article, [article.title])[0]
    article.last_edited_by = user
    with transaction.atomic():
        article.save()
        if from_status is None:
            return None
        return workflow.record(article, from_status=from_status, user=user)


def finish(article: Article, *, user, summary: str) -> Revision:
    """End a write: keep the story as it now is, bylines, topics and links included."""
    return revisions.record(article, user=user, summary=summary)


def move(
    article: Article,
    new_status: str,
    *,
    user,
    published_at: datetime | None = None,
    summary: str | None = None,
) -> StatusChange | None:
    """Check, apply, save and log one status move; with `summary`, also its revision."""
    workflow.check(user, article, new_status)
    workflow.check_byline(article, new_status, authors=article.bylines.count())
    workflow.check_ai_review(article, new_status, moving=article.status != Status.PUBLISHED)
    from_status = article.status
    with transaction.atomic():
        article.status = new_status
        if new_status == Status.PUBLISHED:
            # "Publish now" means now, also for a story scheduled for later; a story coming
            # back from unpublished keeps its first publication time.
            now = timezone.now()
            if published_at:
                article.published_at = published_at
            elif not article.published_at or article.published_at > now:
                article.published_at = now
        change = save(article, user=user, from_status=from_status)
        if summary is not None:
            finish(article, user=user, summary=summary)
        return change


def restore(article: Article, revision: Revision, *, user) -> Revision:
    """Bring back a revision's content as a new save (and so a new revision).

    Status and publication time stay as they are: restoring never publishes or unpublishes.
    """
    data = revision.snapshot
    with transaction.atomic():
        for name in revisions.RESTORED:
            setattr(article, name, data.get(name, ""))
        save(article, user=user)
        article.bylines.all().delete()
        known = Author.objects.in_bulk([a["id"] for a in data.get("authors", [])])
        Byline.objects.bulk_create(
            Byline(article=article, author=known[a["id"]], position=n)
            for n, a in enumerate(data.get("authors", []))
            if a["id"] in known
        )
        article.related_links.all().delete()
        RelatedLink.objects.bulk_create(
            RelatedLink(
                article=article,
                title=r["title"],
                url=r["url"],
                position=r["position"],
                # Revisions kept before links had a place in the story list them.
                after_paragraph=r.get("after_paragraph"),
            )
            for r in data.get("related_links", [])
        )
        article.tags.set(data.get("tags", []))
        return finish(article, user=user, summary=f"Restored revision {revision.number}")


def trash(article: Article, *, user) -> None:
    """Move a story to the trash: readers stop seeing it at once, its address stays its own,
    and it keeps its revisions, so `restore_from_trash` brings it back as it was.

    Only `deleted_at` and `deleted_by` are written: not a new version, nothing an editor wrote.
    The save's signal retires the story's pages as unpublishing would (cachetags.py).
    """
    workflow.check_delete(user, article)
    with transaction.atomic():
        empty_expired_trash()
        article.deleted_at, article.deleted_by = timezone.now(), user
        article.save(update_fields=["deleted_at", "deleted_by"])


def restore_from_trash(article: Article, *, user) -> Revision:
    """Bring a story back from the trash with its status, address and revisions, as a new save
    (and so a new revision, "Restored from the trash")."""
    workflow.check_delete(user, article, verb="restore")
    if not Article.objects.trashed().filter(pk=article.pk).exists():
        raise workflow.WorkflowError(
            f"\u201c{article.title}\u201d is no longer in the trash: after {TRASH_DAYS} days a "
            "deleted story is gone for good."
        )
    with transaction.atomic():
        article.deleted_at, article.deleted_by = None, None
        save(article, user=user)
        return finish(article, user=user, summary="Restored from the trash")


def delete_for_good(articles: QuerySet[Article], *, user) -> int:
    """Delete stories for good, with their revisions and everything else that hangs off them;
    how many stories went."""
    workflow.check_delete_for_good(user)
    return _delete(articles.filter(deleted_at__isnull=False))


def empty_expired_trash(*, at: datetime | None = None) -> int:
    """Delete for good the stories whose days in the trash are over at `at` (default now)."""
    return _delete(Article.objects.trash_expired(at=at))


def _delete(articles: QuerySet[Article]) -> int:
    # Through Article, never a proxy: the page-cache receivers listen for Article's signals.
    _, deleted = Article.objects.filter(pk__in=articles.values("pk")).delete()
    return deleted.get(Article._meta.label, 0)


def make_missing_renditions(*, dry_run: bool = False) -> list[Article]:
    """Make the copies of every lead image that has none yet, or whose copies were made of
    another file (stories saved before renditions existed, or files restored from a backup);
    the stories that needed them. Running it again finds none: it is safe to repeat.

    Not a save of the story (no new version, no revision): only the copies and the measured
    size are written.
    """
    needing = [
        article
        for article in Article.objects.exclude(lead_image="").only(
            "lead_image",
            "lead_image_focal_x",
            "lead_image_focal_y",
            "lead_image_renditions",
            "lead_image_width",
            "lead_image_height",
        )
        if (article.lead_image_renditions or {}).get("original") != article.lead_image.name
    ]
    if dry_run:
        return needing
    for article in needing:
        article.make_renditions()
        article.save(
            update_fields=["lead_image_renditions", "lead_image_width", "lead_image_height"]
        )
    return needing


@dataclass(kw_only=True)
class NewStory:
    """A story to create: its row (unsaved, words filled in) and what hangs off it."""

    article: Article
    authors: Sequence[Author] = ()
    related_links: Sequence[RelatedLink] = ()  # unsaved; `create` sets their story
    tags: Sequence[str] = ()
    summary: str = "Created"
    # Store the importer's fingerprint of what it wrote (see Article.import_fingerprint).
    fingerprint: bool = False
    # Already what clean_html makes of it (see Article.prepare).
    body_is_clean: bool = False
    # Made by `prepare`: the status moves to log.
    changes: list[StatusChange] = field(default_factory=list, init=False)
    prepared: bool = field(default=False, init=False)


def prepare(stories: Sequence[NewStory], *, user, publish: bool = False) -> None:
    """Build what new stories' rows need without the database: each is saved once as a draft
    (version 1) and, with `publish`, once more as published (version 2), each move logged.

    Both saves are prepared at once (`Article.prepare(saves=2)`): the second would find the
    body clean and change nothing else but the version. The importer calls this before its
    write transaction, so that on SQLite the write lock is held only for the SQL; `create`
    calls it for stories not prepared yet.
    """
    saves = 2 if publish else 1
    for story in stories:
        if story.prepared:
            continue
        article = story.article
        article.created_by = article.created_by or user
        article.last_edited_by = user
        article.status, article.published_at = Status.DRAFT, None
        story.changes = [workflow.status_change(article, from_status="", user=user)]
        if publish:
            workflow.check_ai_review(article, Status.PUBLISHED, moving=True)
            article.status = Status.PUBLISHED
            story.changes.append(
                workflow.status_change(article, from_status=Status.DRAFT, user=user)
            )
        article.prepare(body_is_clean=story.body_is_clean, saves=saves)
        if story.fingerprint:
            article.import_fingerprint = article.fingerprint(
                sorted(story.related_links, key=lambda r: r.position)
            )
        story.prepared = True


def create(stories: Sequence[NewStory], *, user, publish: bool = False) -> list[Article]:
    """Create new stories in bulk, as drafts or published now.

    Each ends as `save` would leave it (see `prepare`), with its byline, related links, topics,
    status moves and revision. Bulk writes on what readers see retire the cached pages
    themselves (models.rows_written), and the search index follows the stories table
    (search/query.py).
    """
    if not stories:
        return []
    prepare(stories, user=user, publish=publish)
    articles = [story.article for story in stories]
    with transaction.atomic():
        now = to_the_second(timezone.now())  # as a save trims it (Article.prepare)
        slugs = iter(unique_slugs(Article, [a.title for a in articles if not a.slug]))
        for article in articles:
            article.slug = article.slug or next(slugs)
            if publish:
                article.published_at = now
        # prepare() has run: the rows go in as they stand, and their ids come back by slug.
        Article.objects.insert(articles, key="slug")
        for story in stories:
            # The status moves were made with their story, and take its new id when inserted.
            for link in story.related_links:
                link.article = story.article
        StatusChange.objects.insert(change for s in stories for change in s.changes)
        Byline.objects.insert(
            Byline(article=s.article, author=author, position=n)
            for s in stories
            for n, author in enumerate(s.authors)
        )
        RelatedLink.objects.insert(link for s in stories for link in s.related_links)
        topics = _topics(stories)
        tagged: dict[Article, list[Tag]] = {
            story.article: list(dict.fromkeys(topics[name] for name in story.tags))
            for story in stories
        }
        items = [
            TaggedItem(content_object=article, tag=topic)
            for article, chosen in tagged.items()
            for topic in chosen
        ]
        if items:  # taggit's rows send no signal in bulk: their pages are retired here
            TaggedItem.objects.bulk_create(items)
            pagecache.retire(
                cachetags.tagging_tags({i.object_id for i in items}, {i.tag_id for i in items})
            )
        made = [
            revisions.revision_for(
                story.article,
                snapshot=revisions.snapshot_of(
                    story.article,
                    authors=story.authors,
                    tags=[topic.name for topic in tagged[story.article]],
                    related_links=sorted(story.related_links, key=lambda r: r.position),
                ),
                user=user,
                summary=story.summary,
            )
            for story in stories
        ]
        Revision.objects.insert(made)
    return articles


def _topics(stories: Sequence[NewStory]) -> dict[str, Tag]:
    """The topic each name given the new stories stands for, found or made once per name, not
    once per story: taggit's own matching (`tags.add`'s), which takes an existing topic whatever
    its case (TAGGIT_CASE_INSENSITIVE) and the revision then names as it is."""
    names = list(dict.fromkeys(name for story in stories for name in story.tags))
    if not names:
        return {}
    manager = stories[0].article.tags
    return {name: manager._to_tag_model_instances([name], {})[0] for name in names}


# --- Live coverage ---

Action = LiveUpdateChange.Action


def cover(
    article: Article,
    *,
    user,
    live_from: datetime | None,
    live_until: datetime | None,
    summary: str,
) -> Revision:
    """Start, end or restart a story's live coverage: saved like any edit, with its revision."""
    workflow.check(user, article, article.status)
    with transaction.atomic():
        article.live_from, article.live_until = live_from, live_until
        save(article, user=user)
        return finish(article, user=user, summary=summary)


def post_update(
    article: Article,
    *,
    user,
    body: str,
    headline: str = "",
    key_event: bool = False,
    pinned: bool = False,
    authors: Sequence[Author] | None = None,
    shown_at: datetime | None = None,
) -> LiveUpdate:
    """Post one update on a live story. A writer's update on a published story waits for an
    editor (`workflow.update_status_for`); `authors` defaults to the poster's own author entry
    (none: the story's byline)."""
    workflow.check_post_update(user, article)
    if authors is None:
        authors = list(Author.objects.filter(user=user)) if user else []
    with transaction.atomic():
        update = LiveUpdate.objects.create(
            article=article,
            body=body,
            headline=headline,
            key_event=key_event,
            pinned=pinned,
            shown_at=shown_at or timezone.now(),
            status=workflow.update_status_for(user, article),
            created_by=user,
        )
        if authors:
            update.authors.set(authors)
        _log(update, Action.POSTED, user)
    return update


def edit_update(
    update: LiveUpdate, *, user, authors: Sequence[Author] | None = None, **fields
) -> LiveUpdate:
    """Change an update's time, headline, body or flags (and, given, its authors)."""
    workflow.check_change_update(user, update)
    unknown = set(fields) - {"shown_at", "headline", "body", "key_event", "pinned"}
    if unknown:
        raise TypeError(f"edit_update() cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        for name, value in fields.items():
            setattr(update, name, value)
        update.save()
        if authors is not None:
            update.authors.set(authors)
        _log(update, Action.EDITED, user)
    return update


def approve_update(update: LiveUpdate, *, user) -> LiveUpdate:
    """An editor lets readers see a writer's update."""
    workflow.check_approve_update(user, update)
    with transaction.atomic():
        update.status = LiveUpdate.Status.APPROVED
        update.save(update_fields=["status"])
        _log(update, Action.APPROVED, user)
    return update


def delete_update(update: LiveUpdate, *, user) -> LiveUpdate:
    """Take an update away from readers; the row and its log stay."""
    workflow.check_change_update(user, update)
    with transaction.atomic():
        update.deleted_at = timezone.now()
        update.save(update_fields=["deleted_at"])
        _log(update, Action.DELETED, user)
    return update


def _log(update: LiveUpdate, action: str, user) -> None:
    LiveUpdateChange.objects.create(update=update, action=action, changed_by=user)
