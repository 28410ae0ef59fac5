"""The revisions screen: a story's saves newest first, the difference between two, a preview of
any of them as readers would have seen it, and restore (confirmed first).

`ArticleAdmin` routes here (see `articles.py`); the admin's own permission rules decide who
may look and who may restore.
"""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify
from taggit.models import Tag

from newsroom.desk import diffs, preview
from newsroom.news import inline, revisions, structured_data, writing
from newsroom.news.models import Author, Byline, RelatedLink, Revision
from newsroom.news.views import lead_image_context


def revisions_view(model_admin, request, pk):
    """The story's revisions, newest first, and the difference between any two."""
    if refused := model_admin._refuse_if_hidden(request, pk):
        return refused
    article = model_admin._article_or_404(request, pk)
    history = list(article.revisions.select_related("created_by"))
    numbers = [r.number for r in history]
    try:
        newer = int(request.GET.get("b", numbers[0] if numbers else 0))
        older = int(request.GET.get("a", numbers[1] if len(numbers) > 1 else newer))
    except ValueError:
        raise Http404("No such revision") from None
    by_number = {r.number: r for r in history}
    if history and (older not in by_number or newer not in by_number):
        raise Http404("No such revision")
    changes = diffs.diff(by_number[older].snapshot, by_number[newer].snapshot) if history else []
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Revisions of \u201c{article.title}\u201d",
        "article": article,
        "history": history,
        "older": older,
        "newer": newer,
        "changes": changes,
        "can_restore": model_admin.has_change_permission(request, article),
    }
    return TemplateResponse(request, "admin/news/article/revisions.html", context)


def preview_view(model_admin, request, pk, number):
    """The story as readers would have seen it at revision `number`: the reader's template
    filled from the snapshot. Never cached (the admin's views never are), never indexed; for
    staff who may view the story (a writer asking for another's story gets the admin's 404)."""
    article = model_admin._article_or_404(request, pk)
    revision = get_object_or_404(Revision, article=article, number=number)
    shown = _as_it_was(article, revision.snapshot)
    absolute = request.build_absolute_uri
    links = shown.snapshot_links
    body_parts, related_links = inline.place(shown.body, links)
    token = preview.make_token(article)
    if article.is_live:
        original_url, url_for = (lambda: shown.lead_image.url), shown.lead_image.storage.url
    else:
        original_url = lambda: preview.lead_image_url(token)  # noqa: E731
        url_for = lambda name: preview.rendition_url(token, name)  # noqa: E731
    context = {
        "article": shown,
        "object": shown,
        "preview": True,
        "revision": revision,
        "body_parts": body_parts,
        "related_links": related_links,
        "canonical": shown.canonical(absolute),
        **lead_image_context(shown, original_url=original_url, url_for=url_for, absolute=absolute),
        "structured_data": structured_data.news_article(shown, absolute=absolute),
    }
    response = TemplateResponse(request, "news/article_detail.jinja", context, using="jinja2")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _as_it_was(article, snapshot: dict):
    """An unsaved copy of `article` holding the snapshot's words, byline, topics and links.

    The snapshot's body was cleaned by markup/sanitize.py when that revision was saved, so the
    reader's template may mark it safe as it does the stored body.
    """
    shown = copy.copy(article)
    for field in ("title", "standfirst", "body"):
        setattr(shown, field, snapshot.get(field, getattr(article, field)))
    for field in ("lead_image_alt", "lead_image_caption", "lead_image_credit"):
        setattr(shown, field, snapshot.get(field, getattr(article, field)))
    named = snapshot.get("authors", [])
    authors = Author.objects.in_bulk([a["id"] for a in named])
    shown.listed_bylines = [
        Byline(
            author=authors.get(a["id"]) or Author(name=a["name"], slug=slugify(a["name"])),
            position=i,
        )
        for i, a in enumerate(named)
    ]
    names = snapshot.get("tags", [])
    tags = {t.name: t for t in Tag.objects.filter(name__in=names)}
    shown.page_topics = [tags.get(n) or Tag(name=n, slug=slugify(n)) for n in names]
    shown.page_notes = list(article.corrections.all())
    shown.snapshot_links = []
    for link in snapshot.get("related_links", []):
        related = RelatedLink(
            title=link["title"],
            url=link["url"],
            position=link.get("position", 0),
            after_paragraph=link.get("after_paragraph"),
        )
        related.href = link["url"]
        shown.snapshot_links.append(related)
    return shown


def restore_view(model_admin, request, pk, number):
    """GET: what restoring revision `number` would change, to confirm; POST: restore it."""
    if refused := model_admin._refuse_if_hidden(request, pk):
        return refused
    article = model_admin._article_or_404(request, pk)
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied
    revision = get_object_or_404(Revision, article=article, number=number)
    if request.method != "POST":
        return _confirm_restore(model_admin, request, article, revision)
    new = writing.restore(article, revision, user=request.user)
    kept = {a.pk for a in article.byline}
    if gone := [a["name"] for a in revision.snapshot.get("authors", []) if a["id"] not in kept]:
        model_admin.message_user(
            request,
            f"Not restored to the byline (their author entries have been deleted): "
            f"{', '.join(gone)}. Add them again under Authors if they should be credited.",
            messages.WARNING,
        )
    model_admin.message_user(
        request,
        f"Restored revision {number}: the story's words, byline, topics and links are as "
        f"they were then (saved as revision {new.number}). Status and publication time "
        "are unchanged.",
    )
    return redirect(reverse("admin:news_article_change", args=[article.pk]))


def _confirm_restore(model_admin, request, article, revision):
    """The restore's confirmation page: the story now against that revision. Nothing changes
    until the editor presses "Yes"."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Restore revision {revision.number} of \u201c{article.title}\u201d?",
        "article": article,
        "revision": revision,
        "changes": diffs.diff(revisions.snapshot(article), revision.snapshot),
    }
    return TemplateResponse(request, "admin/news/article/restore_confirm.html", context)
