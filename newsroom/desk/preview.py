"""Signed, expiring preview links: show a story that is not live to someone with no account.

A token names the story, its status and when it was made, signed with the site's secret key.
It expires after NEWSROOM_PREVIEW_MAX_AGE seconds, and as soon as the story changes status: a
story that is unpublished (pulled for legal reasons, say) can't go on being read through a link
handed out while it was a draft. A story that has gone live since is the exception: readers may
see it anyway, so the link leads them there. Changing the secret key revokes every link at once.
"""

from __future__ import annotations

import posixpath

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse

from newsroom.news.models import Article

_SALT = "newsroom.desk.preview"


class PreviewExpired(Exception):
    pass


class PreviewInvalid(Exception):
    pass


class PreviewPublished(Exception):
    """The story has gone live since the link was made; `article` is where it now is."""

    def __init__(self, article: Article):
        super().__init__(article.pk)
        self.article = article


def make_token(article: Article) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(f"{article.pk}.{article.status}")


def preview_url(article: Article) -> str:
    return reverse("desk:article_preview", kwargs={"token": make_token(article)})


def lead_image_url(token: str) -> str:
    """The previewed story's lead image, under the same token: /media/ serves live stories'
    images only, and this one works exactly as long as the link does."""
    return reverse("desk:article_preview_image", kwargs={"token": token})


def rendition_url(token: str, name: str) -> str:
    """One of the previewed image's copies (`name` as stored), under the same token."""
    return reverse(
        "desk:article_preview_rendition",
        kwargs={"token": token, "copy": posixpath.basename(name)},
    )


def article_for(token: str, *, queryset: QuerySet[Article] | None = None) -> Article:
    """The story a token names (from `queryset`, by default with everything its page shows);
    raises PreviewInvalid, PreviewPublished or PreviewExpired."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        # The signature first, whatever the link's age: an old link to a story that has gone
        # live since still leads to it.
        value = signer.unsign(token)
    except signing.BadSignature:
        raise PreviewInvalid from None
    pk, _, status = value.partition(".")
    if not pk.isdigit():
        raise PreviewInvalid
    if queryset is None:
        queryset = Article.objects.with_page_data()
    # A story in the trash has no preview: its links die with it (and come back with it).
    article = queryset.filter(pk=int(pk), deleted_at__isnull=True).first()
    if article is None:
        raise PreviewInvalid
    if article.status != status:
        if article.is_live:
            raise PreviewPublished(article)
        raise PreviewExpired
    try:
        signer.unsign(token, max_age=settings.NEWSROOM_PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise PreviewExpired from None
    return article


def max_age() -> int:
    return settings.NEWSROOM_PREVIEW_MAX_AGE
