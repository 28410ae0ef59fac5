"""Signed, expiring preview links: show a story that is not live to someone with no account.

A token names the story, its status and when it was made, signed with the site's secret key.
It expires after NEWSROOM_PREVIEW_MAX_AGE seconds, and as soon as the story changes status: a
story that is unpublished (pulled for legal reasons, say) can't go on being read through a link
handed out while it was a draft. Changing the secret key revokes every link at once.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Article

_SALT = "newsroom.news.preview"


class PreviewExpired(Exception):
    pass


class PreviewInvalid(Exception):
    pass


def make_token(article: Article) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(f"{article.pk}.{article.status}")


def preview_url(article: Article) -> str:
    return reverse("news:article_preview", kwargs={"token": make_token(article)})


def article_for(token: str) -> Article:
    """The story a token names; raises PreviewExpired or PreviewInvalid."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        value = signer.unsign(token, max_age=settings.NEWSROOM_PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise PreviewExpired from None
    except signing.BadSignature:
        raise PreviewInvalid from None
    pk, _, status = value.partition(".")
    if not pk.isdigit():
        raise PreviewInvalid
    article = Article.objects.with_page_data().filter(pk=int(pk)).first()
    if article is None:
        raise PreviewInvalid
    if article.status != status:
        raise PreviewExpired
    return article


def max_age() -> int:
    return settings.NEWSROOM_PREVIEW_MAX_AGE
