"""The page cache's middleware and view wrapper: anonymous readers' stored pages.

`cached_page(view)` marks a public view in the URLconf as storable, and PageCacheMiddleware,
near the top of the stack, stores and serves it. A reader with no session cookie gets the stored
copy for their variant: method, scheme and host, full path with query string, language (as
LocaleMiddleware picks it) and the registered variant (the consent app's). A hit is answered
before URL resolution, sessions, locale, CSRF, auth, messages or consent run, and costs no SQL:
the page and the schedule in one cache round trip, its tags' versions in a second. A request
with a session cookie (an editor) neither reads nor writes the cache, so editors always see the
database and never leave a page behind for readers.

While a cached page renders, the view's app names what it shows with `tag(request, ...)`. The
response then carries those tags in the headers shared caches read (`xkey` for Varnish,
`Surrogate-Key` for Fastly, `Cache-Tag` for Cloudflare) and a `s-maxage` that never reaches
past the next change due with time, so a scheduled story appears on time through them too.

The middleware comes first in MIDDLEWARE. Pages are stored on the way out, after every other
middleware added its headers (security and CSP headers, Vary, Content-Language, X-Frame-Options,
the ETag), so a hit carries exactly the headers of a miss without running any of them; a hit
answers If-None-Match and If-Modified-Since with a 304 itself, as ConditionalGetMiddleware does
on a miss. Public pages carry no CSP nonce (newsroom/security), so a stored header is never a
replayed nonce. Static files skip the lookup: WhiteNoise serves them.

`NEWSROOM_PAGE_CACHE = False` turns storing off (the tag headers stay, for a cache in front);
`NEWSROOM_PAGE_CACHE_SECONDS` caps how long a page is kept (a safety net: invalidation does not
depend on it).
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime
from http.client import responses
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import parse_http_date_safe

from newsroom import routers

from . import registry, versions
from .versions import CACHE_ERRORS, SETTLE_KEY, logger

PAGE_KEY_PREFIX = "newsroom:page:"
# Where the WSGI front leaves the lookup of a page it did not find, for the middleware.
LOOKUP_ENVIRON_KEY = "newsroom.pagecache.lookup"
CACHED_METHODS = frozenset({"GET", "HEAD"})
# The headers each shared cache reads its tags from, and how it separates them.
TAG_HEADERS = {"xkey": " ", "Surrogate-Key": " ", "Cache-Tag": ","}

__all__ = ["PageCacheMiddleware", "cached_page", "tag"]


def tag(request: HttpRequest, *tags: str) -> None:
    """Name rows or listings the page being rendered shows; a change to any retires it. Does
    nothing outside a cached page (a preview, an editor's request)."""
    collected = getattr(request, "newsroom_page_tags", None)
    if collected is not None:
        collected.update(tags)


def page_keys(request: HttpRequest, *, language: str, variant: str) -> dict[bool, str]:
    """The keys of a page's stored copies, by whether it varies by the variant: method,
    scheme, host, path and query string as the request gave them, language and variant (""
    for pages kept once for every reader: feeds and sitemaps).

    Each part goes in with its length, so no two requests share a key unless every part is
    the same (a host "example.com/news/x" with the path "/" is not example.com's /news/x).
    The host is the raw one, not validated: a host ALLOWED_HOSTS refuses never gets a page
    stored (its render fails first), so under its key there is only ever a miss. Reading the
    raw values spares a hit the validation and re-quoting of `build_absolute_uri`.
    """
    parts = (
        request.method,
        request.scheme,
        request._get_raw_host(),  # what get_host() validates
        request.path,
        request.META.get("QUERY_STRING", ""),
        language,
    )
    start = "".join(f"{len(part)}:{part}|" for part in parts)
    digest = hashlib.sha256(start.encode(errors="surrogatepass"))
    shared = digest.copy()
    digest.update(f"{len(variant)}:{variant}".encode(errors="surrogatepass"))
    return {True: PAGE_KEY_PREFIX + digest.hexdigest(), False: PAGE_KEY_PREFIX + shared.hexdigest()}


def is_anonymous_read(request: HttpRequest) -> bool:
    """An anonymous reader's GET or HEAD: the only requests that may use cached pages or the
    replica. A session cookie (anyone who has logged in) is enough to be left out."""
    if request.method not in CACHED_METHODS:
        return False
    # Without a session there is no login; asking request.user would load the session and
    # make every page say `Vary: Cookie`, feeds and sitemaps included.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def shared_seconds() -> int:
    return int(getattr(settings, "NEWSROOM_SHARED_CACHE_SECONDS", 600))


def tag_headers() -> list[str]:
    return list(getattr(settings, "NEWSROOM_CACHE_TAG_HEADERS", list(TAG_HEADERS)))


def _shareable(response: HttpResponse) -> bool:
    """A page, or the 304 that stands for it, that shared caches may keep."""
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code in (200, 304)
        and not response.streaming
        # A response that sets a cookie belongs to one reader (Django's cache middleware agrees).
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


class StoredPage(NamedTuple):
    """A page as the cache holds it: the status, headers and body of the response stored."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def status_line(self) -> str:
        """The WSGI status, as Django's handler writes it."""
        return f"{self.status} {responses.get(self.status, 'Unknown Status Code')}"

    def response(self) -> HttpResponse:
        response = HttpResponse(self.body, status=self.status)
        # The headers were checked and encoded by HttpResponse when the page was stored;
        # setting them one by one again would check each a second time on every hit. The
        # mapping is the one ResponseHeaders keeps: lower-cased name -> (name, value).
        response.headers._store = {name.lower(): (name, value) for name, value in self.headers}
        return response


def _render(view, request: HttpRequest, *args, **kwargs) -> HttpResponse:
    response = view(request, *args, **kwargs)
    if hasattr(response, "render") and not response.is_rendered:
        # Rendered here, not later by the handler, so a template's queries are public reads
        # too, its tags are collected, and the body exists to be stored.
        response.render()
    return response


class Lookup:
    """What the middleware worked out before the view: the language and variant the page will
    be rendered in, when the render started, when the next change with time is due, and whether
    pages may be stored and read from the replica now."""

    def __init__(self, *, language: str, variant: str, found: dict | None):
        self.language = language
        self.variant = variant
        self.reachable = found is not None
        found = found or {}
        self.found = found
        # Where the version counter stood as the view started (see `cached_page`).
        self.started = 0
        now = timezone.now()
        settle = found.get(SETTLE_KEY)
        self.settling = isinstance(settle, datetime) and now < settle
        self.upcoming: datetime | None = None
        if self.reachable:
            try:
                self.upcoming = versions.schedule_state(versions.stored_schedule(found), now=now)
            except CACHE_ERRORS:
                logger.warning("Page cache unreachable: pages not cached", exc_info=True)
                self.reachable = False
        # Set by the wrapper: whether the page varies by the variant (None: not a cached page).
        self.per_variant: bool | None = None


def static_prefix() -> str | None:
    """The path static files are served under (by WhiteNoise), which never holds a page."""
    static = urlsplit(settings.STATIC_URL or "").path
    return static if static.startswith("/") and static != "/" else None


def wants_stored_page(request: HttpRequest, static_prefix: str | None) -> bool:
    """Whether the request may be answered with a stored page, or have its page stored."""
    return is_anonymous_read(request) and not (
        static_prefix and request.path_info.startswith(static_prefix)
    )


def find(request: HttpRequest) -> tuple[HttpResponse | None, Lookup, dict[bool, str]]:
    """The stored page for an anonymous read (or its 304), else None; with what the lookup
    worked out and the page's keys, for storing what the view renders."""
    stored, lookup, keys = find_stored(request)
    return (None if stored is None else answer(request, stored, lookup)), lookup, keys


def find_stored(request: HttpRequest) -> tuple[StoredPage | None, Lookup, dict[bool, str]]:
    """The stored page for an anonymous read as the cache holds it, else None; with what the
    lookup worked out and the page's keys. `answer` makes the response it stands for."""
    language = translation.get_language_from_request(request)
    variant = registry.variant_of(request)
    keys = page_keys(request, language=language, variant=variant)
    # Most pages are kept per variant: that copy comes with the schedule in one round trip,
    # and the copy kept for every reader (feeds, sitemaps) only after a miss.
    found = _fetch(request, [*versions.lookup_keys(), keys[True]]) if versions.enabled() else None
    lookup = Lookup(language=language, variant=variant, found=found)
    if not lookup.reachable or lookup.settling:
        return None, lookup, keys
    hit = _hit(found.get(keys[True]))
    if hit is None and keys[False] != keys[True]:
        hit = _hit((_fetch(request, [keys[False]]) or {}).get(keys[False]))
    return hit, lookup, keys


def sent_as_stored(request: HttpRequest, lookup: Lookup) -> bool:
    """Whether a stored page goes out exactly as it was stored: no go-live is due to shorten
    its s-maxage, and the reader holds no copy to revalidate (no If-None-Match or
    If-Modified-Since). Otherwise `answer` makes the response."""
    meta = request.META
    return (
        lookup.upcoming is None
        and "HTTP_IF_NONE_MATCH" not in meta
        and "HTTP_IF_MODIFIED_SINCE" not in meta
    )


def answer(request: HttpRequest, stored: StoredPage, lookup: Lookup) -> HttpResponse:
    """The response a stored page stands for: its s-maxage cut to the next go-live, and 304
    Not Modified when the reader already holds it."""
    hit = stored.response()
    if lookup.upcoming is not None:
        # The page's s-maxage was worked out when it was stored: a shared cache fetching it
        # now must still let it go at the next go-live.
        patch_cache_control(hit, s_maxage=_shared_lifetime(lookup.upcoming))
    return _conditional(request, hit)


def _hit(entry) -> StoredPage | None:
    # Anything else under the key (say, from an older release) is simply a miss.
    if not (isinstance(entry, tuple) and len(entry) == 4 and isinstance(entry[0], dict)):
        return None
    stored_versions = entry[0]
    try:
        if versions.current(stored_versions) != stored_versions:
            return None
    except CACHE_ERRORS:
        return None
    return StoredPage(*entry[1:])


class PageCacheMiddleware:
    """Answers a cache hit before the rest of the stack runs, and stores what a miss produced.

    Placed first, before the security, CSP, limits, WhiteNoise and ConditionalGet middleware.
    Only responses of views wrapped in `cached_page` are stored.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = static_prefix()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not wants_stored_page(request, self.static_prefix):
            return self.get_response(request)
        made = request.META.pop(LOOKUP_ENVIRON_KEY, None)
        if isinstance(made, tuple) and isinstance(made[0], Lookup):
            # The WSGI front looked it up and found no page (newsroom/pagecache/wsgi.py).
            lookup, keys = made
        else:
            hit, lookup, keys = find(request)
            if hit is not None:
                return hit
        request.newsroom_page_lookup = lookup
        response = self.get_response(request)
        self._finish(lookup, keys, request, response)
        return response

    @staticmethod
    def _finish(lookup: Lookup, keys: dict, request: HttpRequest, response: HttpResponse) -> None:
        tags = getattr(request, "newsroom_page_tags", None)
        if lookup.per_variant is None or tags is None or not _shareable(response):
            return
        if lookup.per_variant:
            tags |= set(registry.variant_tags())
        # A 304 (ConditionalGetMiddleware, below, answering a shared cache's revalidation)
        # carries them too: the cache takes its new lifetime from it.
        _announce(response, tags, upcoming=lookup.upcoming)
        if response.status_code != 200:
            return
        if not (versions.enabled() and lookup.reachable) or lookup.settling:
            return
        if translation.get_language() != lookup.language:
            return
        try:
            page_versions = versions.ensure(tags, started=lookup.started)
            if page_versions is None:
                return
            if not response.has_header("ETag"):
                set_response_etag(response)  # computed once, not on every hit
            entry = (page_versions, response.status_code, list(response.items()), response.content)
            cache.set(keys[lookup.per_variant], entry, timeout=versions.max_seconds())
        except CACHE_ERRORS:
            logger.warning("Page cache unreachable: %s not stored", request.path, exc_info=True)


def _fetch(request: HttpRequest, keys: list[str]) -> dict | None:
    """What the cache holds under `keys`; None, logged, when it cannot be reached."""
    try:
        return cache.get_many(keys)
    except CACHE_ERRORS:
        logger.warning("Page cache unreachable: %s not cached", request.path, exc_info=True)
        return None


def _conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A stored page, or 304 Not Modified when the reader already holds it: what
    ConditionalGetMiddleware does on a miss."""
    meta = request.META
    if "HTTP_IF_NONE_MATCH" not in meta and "HTTP_IF_MODIFIED_SINCE" not in meta:
        return response
    last_modified = response.get("Last-Modified")
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(last_modified) if last_modified else None,
        response=response,
    )


def _announce(response: HttpResponse, tags: set[str], *, upcoming: datetime | None) -> None:
    """The tags, in each shared cache's header, and how long a shared cache may keep the page:
    never past the next change due with time."""
    ordered = sorted(tags)
    for header in tag_headers():
        separator = TAG_HEADERS.get(header, " ")
        response[header] = separator.join(ordered)
    patch_cache_control(response, s_maxage=_shared_lifetime(upcoming))


def _shared_lifetime(upcoming: datetime | None) -> int:
    """How long a shared cache may keep a page: never past the next change due with time."""
    seconds = shared_seconds()
    if upcoming is not None:
        seconds = min(seconds, max(0, int((upcoming - timezone.now()).total_seconds())))
    return seconds


def cached_page(view, *, per_variant: bool = True):
    """Mark `view` as a page PageCacheMiddleware may store for anonymous readers, whose reads
    may then use the replica.

    `per_variant=False` for feeds and sitemaps, which show nothing a registered variant
    changes: one copy serves every reader, and the response does not vary on it."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        lookup = getattr(request, "newsroom_page_lookup", None)
        if lookup is None or not is_anonymous_read(request):
            return view(request, *args, **kwargs)
        request.newsroom_page_tags = set()
        lookup.per_variant = per_variant
        # Taken before the view reads anything: a retirement after it keeps the page unstored.
        lookup.started = versions.started(lookup.found)
        if lookup.settling:
            # A change is still reaching the replica: the primary.
            response = _render(view, request, *args, **kwargs)
        else:
            with routers.public_reads():
                response = _render(view, request, *args, **kwargs)
        if per_variant:
            patch_vary_headers(response, registry.variant_vary())
        return response

    return wrapper
