"""Who may do what to a story, written once for the admin form, its actions and any POST.

Roles are groups (made by a data migration): a *Writer* creates stories, edits their own while
they are drafts or in review, and submits them for review; an *Editor* (anyone with the
`news.publish_article` permission, superusers included) edits everything and moves stories to
any status. "Scheduled" is not a status: it is a published story whose time has not come yet,
so it goes live by itself (see `Article.objects.published()`).

Live updates follow the story they belong to: whoever may work on a story may post updates to
it, but a writer's update on a published story waits for an editor's approval before readers
see it, and a writer may change or delete only their own updates that readers cannot see yet.

An AI-generated story is published only once a named editor has reviewed it
(`check_ai_review`): `writing.save` checks it on every save, so no path can skip it.

Deleting moves a story to the trash (`writing.trash`): an editor may delete any story, a writer
only their own drafts (a story in review or published is the desk's to remove). Whoever may
delete a story may bring it back from the trash; only editors delete for good.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from .models import Article, LiveUpdate, StatusChange

Status = Article.Status
WRITER_GROUP = "Writer"
EDITOR_GROUP = "Editor"
PUBLISH_PERMISSION = "news.publish_article"
WRITER_STATUSES = frozenset({Status.DRAFT, Status.REVIEW})
NO_AUTHOR = "Add at least one author before publishing: the story has no byline."
NO_REVIEWER = (
    "An AI-generated story can\u2019t be published without a reviewing editor: under "
    "\u201cType and disclosure\u201d, choose the editor who checked it and takes responsibility."
)


class WorkflowError(Exception):
    """A move the user may not make; the message says why, for the editor."""


def is_editor(user) -> bool:
    return bool(user and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def editors():
    """Active accounts with an editor's rights, by username: who may review a story."""
    from_groups = Q(groups__permissions__codename="publish_article")
    direct = Q(user_permissions__codename="publish_article")
    return (
        get_user_model()
        .objects.filter(from_groups | direct | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("username")
    )


def can_edit(user, article: Article | None) -> bool:
    """Whether `user` may change this story (None: a story not yet created)."""
    if is_editor(user):
        return True
    if article is None:
        return user.has_perm("news.add_article")
    return (
        user.has_perm("news.change_article")
        and article.created_by_id == user.pk
        and article.status in WRITER_STATUSES
    )


def can_delete(user, article: Article) -> bool:
    """Whether `user` may move this story to the trash, or bring it back from there."""
    if is_editor(user):
        return user.has_perm("news.delete_article")
    return (
        user.has_perm("news.delete_article")
        and article.created_by_id == user.pk
        and article.status == Status.DRAFT
    )


def check_delete(user, article: Article, *, verb: str = "delete") -> None:
    """Refuse a move to the trash (or, with verb="restore", out of it) the user's role does
    not allow."""
    if can_delete(user, article):
        return
    if article.created_by_id == user.pk and user.has_perm("news.delete_article"):
        raise WorkflowError(
            f"Only editors can {verb} a story that is {Status(article.status).label.lower()}: "
            f"writers can {verb} their own drafts. Ask an editor."
        )
    raise WorkflowError(f"You can't {verb} this story: ask an editor.")


def check_delete_for_good(user) -> None:
    """Only editors empty the trash before its time."""
    if not (is_editor(user) and user.has_perm("news.delete_article")):
        raise WorkflowError("Only editors can delete a story for good.")


def allowed_statuses(user, article: Article | None) -> list[str]:
    """The statuses `user` may leave this story in, current one first."""
    if is_editor(user):
        return list(Status.values)
    current = article.status if article else Status.DRAFT
    if not can_edit(user, article):
        return [current]
    return [current, *(s for s in (Status.DRAFT, Status.REVIEW) if s != current)]


def check(user, article: Article | None, new_status: str) -> None:
    """Refuse a move the user's role does not allow, whatever path it came by."""
    current = article.status if article else None
    if new_status == current:
        if article is not None and not can_edit(user, article):
            raise WorkflowError("You can't change this story.")
        return
    if new_status not in allowed_statuses(user, article):
        if new_status == Status.PUBLISHED:
            raise WorkflowError("Only editors can publish or schedule stories.")
        if new_status == Status.UNPUBLISHED:
            raise WorkflowError("Only editors can unpublish stories.")
        raise WorkflowError(
            f"You can't move this story from \u201c{Status(current).label if current else 'new'}"
            f"\u201d to \u201c{Status(new_status).label}\u201d."
        )


def check_byline(article: Article | None, new_status: str, *, authors: int) -> None:
    """Refuse to publish or schedule a story with no author, whatever path it came by.

    `article` is the story as stored (None: not yet created); `authors` how many it will have.
    A story already live without one (published before this rule) may still be corrected as it
    is, but not stripped of the byline it has.
    """
    if new_status != Status.PUBLISHED or authors:
        return
    if article is not None and article.is_live and not article.bylines.exists():
        return
    raise WorkflowError(NO_AUTHOR)


def check_ai_review(article: Article, new_status: str, *, moving: bool) -> None:
    """Refuse to publish or schedule an AI-generated story that no named editor has reviewed,
    whatever path it came by (the form, a bulk action, a crafted POST, the shell).

    `article` is the story as it will be saved. `moving`: it is moving into "published" now,
    when the reviewer must also be an active editor; a live story whose reviewer has left since
    may still be corrected, but never loses its reviewer.
    """
    if new_status != Status.PUBLISHED or article.ai_use != Article.AIUse.GENERATED:
        return
    if article.reviewed_by_id is None:
        raise WorkflowError(NO_REVIEWER)
    if moving and not is_editor(article.reviewed_by):
        raise WorkflowError(
            f"{article.reviewed_by.get_username()} can\u2019t be the reviewing editor of an "
            "AI-generated story: choose someone with an editor\u2019s rights."
        )


def status_change(article: Article, *, from_status: str, user) -> StatusChange | None:
    """The log row of a status move (unsaved; None when the status stayed put)."""
    if from_status == article.status:
        return None
    return StatusChange(
        article=article, from_status=from_status, to_status=article.status, changed_by=user
    )


def record(article: Article, *, from_status: str, user) -> StatusChange | None:
    """Log a status change that has just been saved (nothing when the status stayed put)."""
    change = status_change(article, from_status=from_status, user=user)
    if change is not None:
        change.save()
    return change


# --- Live updates ---


def check_post_update(user, article: Article) -> None:
    """Refuse an update the user may not post on this story, saying why."""
    if not article.is_live_coverage:
        raise WorkflowError(
            "This story is not live coverage: set \u201clive coverage from\u201d first."
        )
    if article.live_coverage_ended:
        raise WorkflowError(
            "Live coverage of this story has ended: clear \u201clive coverage until\u201d "
            "to post more updates."
        )
    if is_editor(user):
        return
    if not (user.has_perm("news.add_liveupdate") and article.created_by_id == user.pk):
        raise WorkflowError("You can't post updates on this story: ask an editor.")


def update_status_for(user, article: Article) -> str:
    """What a new update by `user` starts as: a writer's on a published story waits for an
    editor; anything else is approved (on an unpublished story it goes out with the story)."""
    if is_editor(user) or article.status != Status.PUBLISHED:
        return LiveUpdate.Status.APPROVED
    return LiveUpdate.Status.PENDING


def can_change_update(user, update: LiveUpdate) -> bool:
    """Whether `user` may edit or delete this update: editors any; writers their own, while
    readers cannot see it (waiting for an editor, or on a story not published)."""
    if is_editor(user):
        return True
    return bool(
        user.has_perm("news.change_liveupdate")
        and update.created_by_id == user.pk
        and (
            update.status == LiveUpdate.Status.PENDING or update.article.status != Status.PUBLISHED
        )
    )


def check_change_update(user, update: LiveUpdate) -> None:
    if update.deleted_at is not None:
        raise WorkflowError("This update has been deleted: it can't be changed any more.")
    if not can_change_update(user, update):
        raise WorkflowError(
            "Only editors can change or delete an update readers can already see, or "
            "another writer's update."
        )


def check_approve_update(user, update: LiveUpdate) -> None:
    if not is_editor(user):
        raise WorkflowError("Only editors can approve updates.")
    if update.deleted_at is not None:
        raise WorkflowError("This update has been deleted: it can't be approved.")
