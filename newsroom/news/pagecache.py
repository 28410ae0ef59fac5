"""Whole-page caching for anonymous readers, emptied the moment anything they could see changes.

`cached_page(view)` marks a public view in the URLconf as storable, and PageCacheMiddleware,
near the top of the stack, stores and serves it. A reader with no session cookie gets the stored
copy of the page for their variant: method, scheme and host, full path with query string,
language (as LocaleMiddleware picks it) and consent variant (from the consent cookie and
Sec-GPC, as the consent middleware reads them). A hit is answered before URL resolution,
sessions, locale, CSRF, auth, messages or consent run. A request with a session cookie (an
editor, or anyone who has logged in) neither reads nor writes the cache, so editors always see
the database and never leave a page behind for readers.

Invalidation is a *generation*: one cache entry holds a random token and the next moment a
scheduled story or a future-dated correction note goes live. Every stored page carries the
token it was rendered under, and both are fetched in one round trip, so a hit costs no SQL.
Any save, delete or topic change of a story, byline, related link, correction, author or topic
retires the generation, once at once and once more when the transaction commits (a reader
rendering between the two would otherwise store the old rows under the new token); the next
reader starts a new one. With a read replica, a new generation waits NEWSROOM_REPLICA_LAG_SECONDS
after a change, pages meanwhile coming from the primary unstored, so a lagging replica is
never frozen into the cache. When the clock passes the next go-live moment the generation is
replaced too, so a scheduled story appears on time even with a warm cache.

The generation lives in the cache, so with Redis every app server sees a change at once. With
the in-process cache each gunicorn worker has its own, so a change also moves the modification
time of a small stamp file beside the SQLite database (or in the temp directory), which every
worker checks with one stat() per request: a save in one worker empties the others' pages too.

Pages are stored as (token, status, headers, body) by the middleware on the way out, after every
inner middleware added its headers (Vary, Content-Language, X-Frame-Options) and with an ETag, so
a hit carries exactly the headers of a miss; the outer middleware still runs on each hit:
ConditionalGetMiddleware answers If-None-Match with a 304, CSP and security headers are set.
`NEWSROOM_PAGE_CACHE = False` turns it all off; `NEWSROOM_PAGE_CACHE_SECONDS` caps how long a
page is kept (a safety net: invalidation does not depend on it).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import secrets
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import set_response_etag

from newsroom import routers

try:
    from redis import RedisError

    # A shared cache that stops answering costs readers the cache, never the page.
    CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError,)
except ImportError:  # pragma: no cover - redis is a dependency; locmem raises nothing
    CACHE_ERRORS = ()

logger = logging.getLogger(__name__)

GENERATION_KEY = "newsroom:pages:generation"
# A token that changes with every change pagecache sees, page cache on or off: what process-level
# memos of public data (the consent app's categories) are keyed on.
CHANGES_KEY = "newsroom:changes"
PAGE_KEY_PREFIX = "newsroom:page:"
CACHED_METHODS = frozenset({"GET", "HEAD"})
# What readers can see on a page, directly or through a listing, a feed or a sitemap.
WATCHED_MODELS = (
    "news.Article",
    "news.Author",
    "news.Byline",
    "news.RelatedLink",
    "news.Correction",
    "taggit.Tag",
    "taggit.TaggedItem",
    # The consent banner lists the categories and their cookies.
    "consent.Category",
    "consent.Cookie",
)


def enabled() -> bool:
    return bool(getattr(settings, "NEWSROOM_PAGE_CACHE", True))


def max_seconds() -> int:
    return int(getattr(settings, "NEWSROOM_PAGE_CACHE_SECONDS", 600))


def settle_seconds() -> int:
    """How long after a change pages come from the primary and are not stored: the replica's
    lag. Without a replica, none."""
    if not routers.replica_configured():
        return 0
    return int(getattr(settings, "NEWSROOM_REPLICA_LAG_SECONDS", 5))


def invalidate() -> None:
    """Forget every cached page: now, and again when the current transaction commits."""
    _retire_generation()
    connection = transaction.get_connection()
    # Once per transaction is enough at commit: an import that saves 10,000 stories in one
    # transaction queues one callback, not 10,000 (a rollback drops it with the rest).
    queued = any(entry[1] is _retire_generation for entry in connection.run_on_commit)
    if connection.in_atomic_block and not queued:
        transaction.on_commit(_retire_generation)


def _retire_generation() -> None:
    # No token: no stored page matches. The time says when a new generation may start (after
    # the replica has had time to receive the change).
    settled_at = timezone.now() + timedelta(seconds=settle_seconds())
    _touch_stamp()
    try:
        retired = {GENERATION_KEY: (None, settled_at, _stamp()), CHANGES_KEY: None}
        cache.set_many(retired, timeout=None)
    except CACHE_ERRORS:
        # The save stands; pages stored before it may be served for up to the cap.
        logger.exception(
            "Page cache unreachable: cached pages may be up to %s seconds stale", max_seconds()
        )


def next_go_live(now: datetime) -> datetime | None:
    """The next moment a reader could see something new without anyone saving anything: a
    scheduled story's publication time, or a correction note dated in the future. One indexed
    query (news_article status+published_at, news_correction noted_at)."""
    from .models import Article, Correction

    stories = Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
    notes = Correction.objects.filter(noted_at__gt=now)
    soonest = (
        stories.order_by()
        .values_list("published_at", flat=True)
        .union(notes.order_by().values_list("noted_at", flat=True))
        .order_by("published_at")[:1]
    )
    return next(iter(soonest), None)


def page_keys(request: HttpRequest, *, language: str, variant: str) -> dict[bool, str]:
    """The keys of the page's stored copies, by whether it varies by consent: method, scheme,
    host, full path, language and consent variant ("" for feeds and sitemaps, which keep one
    copy for every reader)."""
    start = f"{request.method}|{request.build_absolute_uri()}|{language}|"
    return {
        by_consent: PAGE_KEY_PREFIX + hashlib.sha256((start + part).encode()).hexdigest()
        for by_consent, part in ((True, variant), (False, ""))
    }


def is_anonymous_read(request: HttpRequest) -> bool:
    """An anonymous reader's GET or HEAD: the only requests that may use cached pages or the
    replica. A session cookie (anyone who has logged in) is enough to be left out."""
    if request.method not in CACHED_METHODS:
        return False
    # Without a session there is no login; asking request.user would load the session and
    # make every page say `Vary: Cookie`, feeds and sitemaps included.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def stamp_file() -> Path | None:
    """With a cache each process keeps to itself (local memory), where the processes serving
    one database agree on when pages last changed: a file whose modification time every change
    moves, so a save in one gunicorn worker empties the other workers' pages too. None with a
    shared cache (Redis), which carries the generation itself."""
    backend, database = caches[DEFAULT_CACHE_ALIAS], connections[DEFAULT_DB_ALIAS]
    # Asked on every request; worked out again only when the cache or database is another.
    known = (type(backend), database.vendor, database.settings_dict["NAME"], os.getpid())
    if _stamp_files.get("known") != known:
        _stamp_files["known"], _stamp_files["path"] = known, _stamp_file(backend, database)
    return _stamp_files["path"]


_stamp_files: dict[str, object] = {}


def _stamp_file(backend, database) -> Path | None:
    if not isinstance(backend, LocMemCache):
        return None
    name = str(database.settings_dict["NAME"])
    if database.vendor == "sqlite" and not database.is_in_memory_db():
        return Path(f"{name}-pagecache")
    # An in-memory database belongs to one process; a server's, to every process using it.
    owner = os.getpid() if database.vendor == "sqlite" else ""
    where = f"{database.vendor}|{database.settings_dict.get('HOST')}|{name}|{owner}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"newsroom-pagecache-{digest}"


def _stamp() -> int:
    path = stamp_file()
    if path is None:
        return 0
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _touch_stamp() -> None:
    path = stamp_file()
    if path is None:
        return
    moment = max(time.time_ns(), _stamp() + 1)
    try:
        path.touch()
        os.utime(path, ns=(moment, moment))
    except OSError:
        logger.exception("Page cache stamp %s not writable: other processes keep old pages", path)


def change_token() -> str | None:
    """A token that stays the same until something a reader could see changes, in this process
    or another (the same cache entry and stamp file as the generation). A process may keep what
    it read from the database under it. None when the cache does not answer: read afresh.

    Unlike the generation it needs no query to start, and it works with the page cache off."""
    stamp = _stamp()
    try:
        stored = cache.get(CHANGES_KEY)
        if isinstance(stored, tuple) and len(stored) == 2 and stored[1] == stamp:
            return stored[0]
        token = secrets.token_hex(8)
        cache.set(CHANGES_KEY, (token, stamp), timeout=None)
    except CACHE_ERRORS:
        return None
    return token


def _current_generation(stored) -> tuple[str | None, datetime | None]:
    """The live generation's token and end, starting a new one when there is none, its time is
    up, or another process has recorded a change. No token: a change is still settling, so
    pages are neither read nor stored."""
    now, stamp = timezone.now(), _stamp()
    # Anything else under the key (say, from an older release) just starts a new generation.
    if isinstance(stored, tuple) and len(stored) == 3:
        token, until, stamped = stored
        if stamped == stamp and (until is None or now < until):
            return token, until
    with routers.public_reads():
        token, until = secrets.token_hex(8), next_go_live(now)
    cache.set(GENERATION_KEY, (token, until, stamp), timeout=None)
    return token, until


def _storable(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        # A response that sets a cookie belongs to one reader (Django's cache middleware agrees).
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def _rebuild(status: int, headers: list[tuple[str, str]], body: bytes) -> HttpResponse:
    response = HttpResponse(body, status=status)
    for name, value in headers:
        response[name] = value
    return response


def _render(view, request: HttpRequest, *args, **kwargs) -> HttpResponse:
    response = view(request, *args, **kwargs)
    if hasattr(response, "render") and not response.is_rendered:
        # Rendered here, not later by the handler, so a template's queries are public reads
        # too and the body exists to be stored.
        response.render()
    return response


class _Lookup:
    """What PageCacheMiddleware worked out before the view: the language and consent variant
    the page will be rendered in, and the generation the cache held. The view's wrapper takes
    its token from here (starting a generation only on a miss) and says whether to store."""

    def __init__(self, keys: dict[bool, str], found: dict | None, *, language: str, variant: str):
        self.language = language
        self.variant = variant
        self.keys = keys
        self._stored = found.get(GENERATION_KEY) if found is not None else None
        self._reachable = found is not None
        self._generation: tuple[str | None, datetime | None] | None = None
        # Set by the wrapper when this is a cacheable page rendered under the token.
        self.store_as: bool | None = None

    def generation(self) -> tuple[str | None, datetime | None]:
        if not self._reachable:
            return None, None
        if self._generation is None:
            try:
                self._generation = _current_generation(self._stored)
            except CACHE_ERRORS:
                logger.warning("Page cache unreachable: pages not cached", exc_info=True)
                self._reachable = False
                return None, None
        return self._generation


class PageCacheMiddleware:
    """Answers a cache hit before the rest of the stack runs, and stores what a miss produced.

    Placed right after the security, CSP, limits, WhiteNoise and ConditionalGet middleware: a
    hit skips URL resolution, sessions, locale, CSRF, auth, messages and consent. It computes
    the same key the rest of the stack would have rendered under: the language the way
    LocaleMiddleware picks it, and the consent variant from the cookie and Sec-GPC header the
    way the consent middleware does. Because the page is stored here, after every inner
    middleware has added its headers (Vary, Content-Language, X-Frame-Options, Content-Length)
    and with its ETag, a hit carries exactly the headers of a miss; the outer middleware adds
    CSP, Permissions-Policy and the security headers to both, and answers If-None-Match with
    a 304. Only responses of views wrapped in `cached_page` are stored.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled() or not is_anonymous_read(request):
            return self.get_response(request)
        # Imported here: consent is an app of its own, loaded after this module.
        from newsroom.consent.middleware import consent_state

        language = translation.get_language_from_request(request)
        variant = consent_state(request).page_variant
        keys = page_keys(request, language=language, variant=variant)
        try:
            found = cache.get_many([GENERATION_KEY, *keys.values()])
        except CACHE_ERRORS:
            logger.warning("Page cache unreachable: %s not cached", request.path, exc_info=True)
            found = None
        lookup = _Lookup(keys, found, language=language, variant=variant)
        entry = next((found[k] for k in keys.values() if k in found), None) if found else None
        # Anything else under the key (say, from an older release) is simply a miss.
        if isinstance(entry, tuple) and len(entry) == 4:
            token = lookup.generation()[0]
            if token is not None and entry[0] == token:
                return _rebuild(*entry[1:])
        request.newsroom_page_lookup = lookup
        response = self.get_response(request)
        self._store(lookup, response, request)
        return response

    @staticmethod
    def _store(lookup: _Lookup, response: HttpResponse, request: HttpRequest) -> None:
        if lookup.store_as is None or not _storable(response):
            return
        token, until = lookup.generation()
        if token is None:
            return
        # ConditionalGetMiddleware would compute the same one on every hit; once is enough.
        set_response_etag(response)
        timeout = max_seconds()
        if until is not None:
            timeout = min(timeout, max(1, int((until - timezone.now()).total_seconds())))
        entry = (token, response.status_code, list(response.items()), response.content)
        try:
            cache.set(lookup.keys[lookup.store_as], entry, timeout=timeout)
        except CACHE_ERRORS:
            logger.warning("Page cache unreachable: %s not stored", request.path, exc_info=True)


def cached_page(view, *, by_consent: bool = True):
    """Mark `view` as a page PageCacheMiddleware may store for anonymous readers, whose reads
    may then use the replica.

    `by_consent=False` for feeds and sitemaps, which show no consent banner: one copy serves
    every reader, and the response does not vary on cookies."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_anonymous_read(request):
            return view(request, *args, **kwargs)
        if not enabled():
            with routers.public_reads():
                return _render(view, request, *args, **kwargs)
        lookup = getattr(request, "newsroom_page_lookup", None)
        # Taken before rendering: a change committed meanwhile retires this token.
        token = lookup.generation()[0] if lookup is not None else None
        if token is None:
            # No middleware, no cache, or a change still settling: the primary, nothing stored.
            return _render(view, request, *args, **kwargs)
        with routers.public_reads():
            response = _render(view, request, *args, **kwargs)
        # Reading the variant is what makes the consent middleware add `Vary: Cookie, Sec-GPC`.
        variant = request.consent.page_variant if by_consent else ""
        if translation.get_language() == lookup.language and variant in {"", lookup.variant}:
            lookup.store_as = by_consent
        return response

    return wrapper


def _changed(sender, **kwargs) -> None:
    invalidate()


def _settings_changed(setting, **kwargs) -> None:
    # Only tests change settings at run time; a page rendered under the old ones is stale.
    _retire_generation()


for _model in WATCHED_MODELS:
    post_save.connect(_changed, sender=_model, dispatch_uid=f"pagecache-save-{_model}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"pagecache-delete-{_model}")
m2m_changed.connect(_changed, sender="taggit.TaggedItem", dispatch_uid="pagecache-m2m")
setting_changed.connect(_settings_changed, dispatch_uid="pagecache-settings")
