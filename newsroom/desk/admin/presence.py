"""The stories screen's "someone else is editing this story": the banner, its ping and "Take over".

`EditingPresence` is mixed into `ArticleAdmin` (articles.py). Opening a story's change page
records the editor and shows who else has it open (newsroom/desk/presence.py holds the rules);
static/news/admin/presence.js keeps the page counted and the banner current by posting to the
ping address. Without JavaScript the banner is right when the page opens and "Take over" is a
plain form, outside the story's form (forms do not nest).
"""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from newsroom.desk import presence


class EditingPresence:
    """For the stories screen: who else has this story open, and "Take over"."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/presence/",
                wrap(require_POST(self.presence_view)),
                name="news_article_presence",
            ),
            path(
                "<int:pk>/take-over/",
                wrap(require_POST(self.take_over_view)),
                name="news_article_take_over",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and obj.pk:
            can_edit = self.has_change_permission(request, obj)
            if can_edit and request.method == "GET":
                presence.opened(obj, request.user)
            context["presence"] = presence.presence(obj, request.user)
            context["presence_can_take_over"] = can_edit
            context["presence_ping_seconds"] = presence.PING_SECONDS
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def _editable_or_none(self, request, pk):
        article = get_object_or_404(self.get_queryset(request), pk=pk)
        return article if self.has_change_permission(request, article) else None

    def presence_view(self, request, pk):
        """The page is still open: who else is editing now, as JSON for presence.js."""
        article = self._editable_or_none(request, pk)
        if article is None:
            return JsonResponse({"error": "You can't edit this story."}, status=403)
        return JsonResponse(presence.ping(article, request.user).as_json())

    def take_over_view(self, request, pk):
        """Become the one editing the story; the others' pages say so at their next ping."""
        if refused := self._refuse_if_hidden(request, pk):
            return refused
        article = self._editable_or_none(request, pk)
        if article is None:
            self.message_user(request, "You can't edit this story.", messages.ERROR)
            return redirect("admin:news_article_changelist")
        names = presence.take_over(article, request.user)
        if names:
            told = (
                f"{', '.join(names)} will see that you took over within a minute, if their "
                "page is still open. If you save before they do, their save is refused and "
                "shows them what you changed."
            )
        else:
            told = "Nobody else has it open now."
        self.message_user(request, f"You took over \u201c{article.title}\u201d. {told}")
        return redirect(reverse("admin:news_article_change", args=[article.pk]))
