"""The page cache in front of Django's handler: a stored page answered straight from WSGI.

`newsroom.wsgi` wraps Django's WSGI application in `StoredPages`. For an anonymous reader's
GET or HEAD it looks up the stored page exactly as PageCacheMiddleware does (`find_stored` and
`answer`: the same keys, versions, schedule and 304 answers) and, on a hit, answers before
Django's handler runs.
A hit then skips what the handler does around every request and that a stored page needs
none of: the request_started and request_finished signals (resetting the query log, checking
the database connections, closing the caches), setting the URLconf and script prefix, and the
exception-to-response wrappers of each middleware. Those cost about a third of a hit served
through the handler (docs/performance.md). A hit that goes out as stored (no go-live due to
cut its s-maxage, no If-None-Match or If-Modified-Since to answer) is not even made into an
HttpResponse: the stored status, headers and bytes go to the server as they are.

The front never runs a query: a lookup that would ask the database (the schedule to work out
once a go-live has passed or in a new process, the consent categories after a change) is left
to Django, inside its request signals, which look after the connection; the next request finds
what it worked out. Everything else goes to Django unchanged too: a miss (the middleware stores
what the view renders, using the lookup made here, handed on in the WSGI environ), an editor's
request, a POST, a static file, and everything when the page cache is off. So does a request
the front fails on in any way: the failure is logged and Django answers, with its own error
page if it fails too; a reader never sees a traceback from here. Django's test client calls
the handler directly, so tests that use it exercise the middleware's own hit path;
tests/test_pagecache_wsgi.py calls this one.
"""

from __future__ import annotations

import logging

from django.core.handlers.wsgi import WSGIRequest
from django.db import connections

from . import versions
from .middleware import (
    LOOKUP_ENVIRON_KEY,
    StoredPage,
    answer,
    find_stored,
    sent_as_stored,
    static_prefix,
    wants_stored_page,
)

logger = logging.getLogger("newsroom.pagecache")


class NeedsDatabase(Exception):
    """The lookup would ask the database (the schedule to work out after a go-live, the consent
    categories after a change): left to Django, whose request signals look after connections."""


def _refuse(execute, sql, params, many, context):
    raise NeedsDatabase


class StoredPages:
    """WSGI middleware: stored pages for anonymous readers, everything else to `application`."""

    def __init__(self, application):
        self.application = application
        self.static_prefix = static_prefix()

    def __call__(self, environ, start_response):
        try:
            response = self._stored(environ)
        except NeedsDatabase:
            response = None
        except Exception:
            path = environ.get("PATH_INFO")
            logger.exception("Page cache front failed on %s: Django answers it", path)
            response = None
        if response is None:
            return self.application(environ, start_response)
        # As Django's WSGIHandler answers, less the request_finished signal its close() sends:
        # a stored page carries no cookies (none is ever stored) and is bytes, never streamed.
        if isinstance(response, StoredPage):
            # The common hit: the status, headers and bytes as stored, with no HttpResponse
            # made to hold them (a copy of the list: a server may add to the one it is given).
            start_response(response.status_line, list(response.headers))
            return [response.body]
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return [response.content]

    def _stored(self, environ):
        if not versions.enabled():
            return None
        # A copy: WSGIRequest writes the decoded path back into the environ it is given, and
        # Django's handler must get the server's own to decode it once.
        request = WSGIRequest(environ.copy())
        if not wants_stored_page(request, self.static_prefix):
            return None
        # Any query the lookup would make raises NeedsDatabase instead (`_refuse`).
        guarded = [connections[alias] for alias in connections]
        for connection in guarded:
            connection.execute_wrappers.append(_refuse)
        try:
            stored, lookup, keys = find_stored(request)
        finally:
            for connection in guarded:
                connection.execute_wrappers.remove(_refuse)
        if stored is None:
            # The middleware takes the lookup from here rather than making it again.
            environ[LOOKUP_ENVIRON_KEY] = (lookup, keys)
            return None
        return stored if sent_as_stored(request, lookup) else answer(request, stored, lookup)
