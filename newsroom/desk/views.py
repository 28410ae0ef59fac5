"""Preview pages: a story not yet live, exactly as readers will see it, for whoever has the link."""

import posixpath

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.static import serve

from newsroom.desk import preview
from newsroom.news import renditions
from newsroom.news.models import Article
from newsroom.news.views import ArticleDetailView


@method_decorator(never_cache, name="dispatch")
class ArticlePreviewView(ArticleDetailView):
    """A story exactly as readers will see it, before it is live, for whoever holds the link.

    Never cached and never indexed; an expired link says so, a forged one is a plain 404, and
    one to a story that has gone live since leads to the story's page.
    """

    def get_object(self, queryset=None):
        try:
            return preview.article_for(self.kwargs["token"])
        except preview.PreviewExpired:
            raise PreviewLinkExpired from None
        except preview.PreviewInvalid:
            raise Http404("Bad preview link") from None

    def get(self, request, *args, **kwargs):
        try:
            response = super().get(request, *args, **kwargs)
        except PreviewLinkExpired:
            response = render(request, "news/preview_expired.html", status=410)
        except preview.PreviewPublished as published:
            response = redirect(published.article)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)

    def lead_image_url(self) -> str:
        return preview.lead_image_url(self.kwargs["token"])

    def rendition_url(self, name: str) -> str:
        return preview.rendition_url(self.kwargs["token"], name)


class PreviewLinkExpired(Exception):
    pass


@never_cache
def article_preview_image(request, token, copy=None):
    """The lead image of a previewed story, or one of its sized copies (`copy`), for whoever
    holds the link and only while it works (the media view serves live stories' images only).
    Never cached, so no shared cache goes on handing it out once the link has died."""
    try:
        article = preview.article_for(
            token,
            queryset=Article.objects.only(
                "status", "published_at", "lead_image", "lead_image_renditions"
            ),
        )
    except (preview.PreviewInvalid, preview.PreviewExpired, preview.PreviewPublished):
        raise Http404("No such preview image") from None
    if not article.lead_image:
        raise Http404("This story has no lead image")
    name = article.lead_image.name
    if copy is not None:
        # Only a copy the story's image has: never a path the address made up.
        made = renditions.names(article.lead_image_renditions)
        name = posixpath.join(renditions.folder_of(name), copy)
        if name not in made:
            raise Http404("No such copy of this image")
    response = serve(request, name, document_root=settings.MEDIA_ROOT)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
