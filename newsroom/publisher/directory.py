"""Which policies readers see, read once per change rather than per page.

Every reader page links the live policies in its footer, and a story's structured data names
them, so the answer must cost neither a query per render nor a page left linking a policy taken
down. The process keeps it under the page cache's version of the `policies` tag, which a change
retires here or in any other process (cachetags.py); pages showing it carry the same tag.
`policy_url(kind)` is how other apps link a policy (the AI-use label links the AI-use policy):
the page's address while it is live, else None, never a link to a 404.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import DatabaseError
from django.http import HttpRequest
from django.urls import reverse

from newsroom import pagecache

from . import cachetags
from .models import Policy

logger = logging.getLogger("newsroom.publisher")

# The order readers find them in: the footer, the list of policies.
ORDER = [kind.value for kind in Policy.Kind]


@dataclass(frozen=True, kw_only=True)
class PolicyLink:
    kind: str
    label: str
    path: str


# (token, links): replaced whole, so a thread never mixes two answers.
_kept: tuple[int | None, tuple[PolicyLink, ...]] = (None, ())


def live() -> tuple[PolicyLink, ...]:
    """The live policies in reading order: no query while the kept answer holds."""
    global _kept
    token = pagecache.version_of(cachetags.POLICIES)
    if token is not None and token == _kept[0]:
        return _kept[1]
    # Read after the token: never older than what the token stands for.
    kinds = set(Policy.objects.live().values_list("kind", flat=True))
    links = tuple(
        PolicyLink(
            kind=kind,
            label=Policy.Kind(kind).label,
            path=reverse("publisher:policy_detail", kwargs={"kind": kind}),
        )
        for kind in ORDER
        if kind in kinds
    )
    if token is not None:
        _kept = (token, links)
    return links


def policy_url(kind: str) -> str | None:
    """The address of the live policy of `kind` (a `Policy.Kind`), or None."""
    return next((link.path for link in live() if link.kind == kind), None)


def for_page(request: HttpRequest | None) -> tuple[PolicyLink, ...]:
    """The live policies for a page being rendered, which then carries the `policies` tag.
    None without a request, and none when the database fails: the server-error and CSRF
    pages are rendered without one, and the failure behind an error page may be the
    database."""
    if request is None:
        return ()
    pagecache.tag(request, cachetags.POLICIES)
    try:
        return live()
    except DatabaseError:
        logger.warning("Policies unreadable: the page links none", exc_info=True)
        return ()


def forget() -> None:
    """Drop the kept answer (tests: a rolled-back database is a change no tag records)."""
    global _kept
    _kept = (None, ())
