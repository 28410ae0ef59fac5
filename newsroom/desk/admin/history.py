"""The revisions screen: a story's saves newest first, the difference between two, and restore.

`ArticleAdmin` routes here (see `articles.py`); the admin's own permission rules decide who
may look and who may restore.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from newsroom.desk import diffs
from newsroom.news import writing
from newsroom.news.models import Revision


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


def restore_view(model_admin, request, pk, number):
    if request.method != "POST":
        return redirect("admin:news_article_revisions", pk=pk)
    if refused := model_admin._refuse_if_hidden(request, pk):
        return refused
    article = model_admin._article_or_404(request, pk)
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied
    revision = get_object_or_404(Revision, article=article, number=number)
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
