"""Signed, expiring preview links: show a story that is not live to someone with no account.

A token names the story and when it was made, signed with the site's secret key. It expires
after NEWSROOM_PREVIEW_MAX_AGE seconds; changing the secret key revokes every link at once.
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
    return signing.TimestampSigner(salt=_SALT).sign(str(article.pk))


def preview_url(article: Article) -> str:
    return reverse("news:article_preview", kwargs={"token": make_token(article)})


def article_pk(token: str) -> int:
    """The story a token names; raises PreviewExpired or PreviewInvalid."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        value = signer.unsign(token, max_age=settings.NEWSROOM_PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise PreviewExpired from None
    except signing.BadSignature:
        raise PreviewInvalid from None
    if not value.isdigit():
        raise PreviewInvalid
    return int(value)


def max_age() -> int:
    return settings.NEWSROOM_PREVIEW_MAX_AGE
