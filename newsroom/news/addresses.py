"""Addresses of pages named by a slug (a story, an author, a topic), without a full `reverse()`
for each.

A listing or a story page asks for dozens of them, and Django's `reverse()` walks its
candidates and checks every argument against the route's pattern each time. A route whose one
argument is a slug is the same text on either side of it, so it is reversed once (with a
stand-in slug, per URL configuration, script prefix and language) and each address is that text
with its slug in the middle. Any other slug (a Unicode one, which `reverse()` quotes, or one the
route refuses) goes to `reverse()`: the two give the same address, or the same NoReverseMatch,
for every slug.
"""

from __future__ import annotations

import re
import weakref

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# ASCII slugs, which every slug route accepts (news/urls.py's `uslug` takes any script) and
# whose addresses need no quoting; others ("türkiye") go to `reverse()`, which quotes them.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_STAND_IN = "newsroom-slug-stand-in"

# Per URL resolver (a changed ROOT_URLCONF, as tests make, builds a new one), then per route
# name, script prefix and language (a route under i18n_patterns() is reversed with the active
# language's prefix): the text before and after the slug.
_routes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def slug_url(name: str, slug: str) -> str:
    """`reverse(name, kwargs={"slug": slug})`, for a route whose only argument is `slug` and
    takes any slug of ASCII letters, digits, hyphens and underscores (news/urls.py's `uslug`)."""
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        return reverse(name, kwargs={"slug": slug})
    resolver = get_resolver(get_urlconf())
    known = _routes.get(resolver)
    if known is None:
        known = _routes[resolver] = {}
    key = (name, get_script_prefix(), get_language())
    route = known.get(key)
    if route is None:
        head, found, tail = reverse(name, kwargs={"slug": _STAND_IN}).partition(_STAND_IN)
        if not found or _STAND_IN in tail:
            raise RuntimeError(f"The route {name!r} does not hold its slug once.")
        route = known[key] = (head, tail)
    return route[0] + slug + route[1]


def topic_url(slug: str) -> str:
    """A topic's page (taggit's Tag has no `get_absolute_url`)."""
    return slug_url("news:tag_detail", slug)
