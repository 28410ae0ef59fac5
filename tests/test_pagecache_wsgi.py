"""The page cache's WSGI front (newsroom/pagecache/wsgi.py), called as gunicorn calls it.

Django's test client calls the handler itself, so these tests call `newsroom.wsgi.application`
with WSGI environs. A stored page must be answered before Django's handler runs (no
request_started signal), with exactly the status, headers and bytes the handler would send;
everything else must reach Django, which stores what it renders.
"""

import importlib
import io
import logging
from datetime import timedelta
from urllib.parse import unquote_to_bytes

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone

from newsroom.pagecache import middleware, versions
from newsroom.pagecache import wsgi as front
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def application(collected_static):
    """`newsroom.wsgi`'s application, imported once the static files are collected: building
    Django's handler makes WhiteNoise look for them."""
    return importlib.import_module("newsroom.wsgi").application


@pytest.fixture
def serve(application):
    """Call the WSGI application with an environ, as gunicorn does."""
    return lambda env: Served(application, env)


def environ(url: str, method: str = "GET", **headers: str) -> dict:
    """The environ gunicorn makes: PATH_INFO holds the path's bytes, decoded as Latin-1 (PEP
    3333), not the percent-encoded address."""
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": unquote_to_bytes(url).decode("latin-1"),
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    env.update({"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()})
    return env


class Served:
    """One WSGI call's answer, and whether Django's handler saw the request."""

    def __init__(self, application, env: dict):
        self.started = 0

        def count(**kwargs):
            self.started += 1

        def start_response(status, headers, exc_info=None):
            self.status, self.headers = status, headers

        # As Django's test client does: the test's transaction must outlive the request.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        request_started.connect(count)
        try:
            body = application(env, start_response)
            self.body = b"".join(body)
            if hasattr(body, "close"):
                body.close()
        finally:
            request_started.disconnect(count)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    @property
    def by_django(self) -> bool:
        return self.started == 1


def test_a_stored_page_is_answered_before_djangos_handler_with_the_same_bytes(serve):
    url = make_article().get_absolute_url()
    first = serve(environ(url))
    assert first.status == "200 OK" and first.by_django
    second = serve(environ(url))
    assert second.status == "200 OK" and not second.by_django
    assert second.body == first.body
    # The same headers, in the same order, s-maxage included.
    assert second.headers == first.headers


def test_a_stored_page_served_later_by_the_front_still_lets_shared_caches_go_at_the_go_live(
    serve, settings, monkeypatch
):
    # A go-live is due: the stored page's s-maxage was right when it was stored, and the front
    # must cut it to the time left, as the middleware does (tests/test_pagecache.py).
    settings.NEWSROOM_SHARED_CACHE_SECONDS = 300
    now = timezone.now()
    url = make_article().get_absolute_url()
    make_article(published_at=now + timedelta(seconds=100))
    first = serve(environ(url))
    assert first.by_django and 95 <= s_maxage(first) <= 100
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(seconds=90))
    later = serve(environ(url))
    assert not later.by_django and later.body == first.body
    assert 5 <= s_maxage(later) <= 10
    # Every other header as stored, in the same order.
    assert [h for h in later.headers if h[0] != "Cache-Control"] == [
        h for h in first.headers if h[0] != "Cache-Control"
    ]


def s_maxage(served: Served) -> int:
    control = dict(served.headers)["Cache-Control"]
    return int(control.split("s-maxage=")[1].split(",")[0])


def test_a_stored_page_answers_a_revalidation_with_304_and_a_head_request(serve):
    url = make_article().get_absolute_url()
    etag = dict(serve(environ(url)).headers)["ETag"]
    revalidated = serve(environ(url, **{"If-None-Match": etag}))
    assert revalidated.status == "304 Not Modified" and not revalidated.by_django
    assert revalidated.body == b""
    head = serve(environ(url, method="HEAD"))
    assert head.status == "200 OK" and head.by_django  # a HEAD is stored apart from a GET
    assert not serve(environ(url, method="HEAD")).by_django


def test_a_miss_is_looked_up_once_and_stored_by_the_middleware(serve, monkeypatch):
    url = make_article().get_absolute_url()
    # Another page first, so the schedule is known and the front needs no database.
    serve(environ(make_article().get_absolute_url()))
    calls = []

    def counting(find):
        def counted(request):
            calls.append(request.path)
            return find(request)

        return counted

    monkeypatch.setattr(front, "find_stored", counting(middleware.find_stored))
    monkeypatch.setattr(middleware, "find", counting(middleware.find))
    assert serve(environ(url)).by_django
    assert calls == [url]  # the front's lookup, handed on to the middleware
    assert not serve(environ(url)).by_django


def test_editors_and_posts_go_to_django(serve):
    url = make_article().get_absolute_url()
    serve(environ(url))
    assert serve(environ(url, Cookie="sessionid=abc")).by_django
    assert serve(environ(url, method="POST")).by_django


def test_with_the_page_cache_off_django_answers_every_request(serve, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    url = make_article().get_absolute_url()
    assert serve(environ(url)).by_django
    assert serve(environ(url)).by_django


def test_a_front_that_fails_is_logged_and_django_answers(serve, monkeypatch, caplog):
    url = make_article().get_absolute_url()
    serve(environ(url))

    def broken(request):
        raise RuntimeError("a bug in the front")

    monkeypatch.setattr(front, "find_stored", broken)
    with caplog.at_level(logging.ERROR, logger="newsroom.pagecache"):
        served = serve(environ(url))
    assert served.status == "200 OK" and served.by_django
    assert "Page cache front failed" in caplog.text


def test_a_change_is_seen_through_the_front_at_once(serve):
    story = make_article(title="Before the change")
    url = story.get_absolute_url()
    serve(environ(url))
    assert b"Before the change" in serve(environ(url)).body
    story.title = "After the change"
    story.save()
    served = serve(environ(url))
    assert served.by_django and b"After the change" in served.body


def test_an_address_in_any_script_is_decoded_once_and_stored(serve):
    # The front must leave the server's environ as it found it: Django decodes the path again.
    for slug in ("türkiye-votes", "山田太郎の記事"):
        url = make_article(slug=slug, title=f"Story {slug}").get_absolute_url()
        first = serve(environ(url))
        assert first.status == "200 OK" and first.by_django, slug
        assert f"Story {slug}".encode() in first.body
        second = serve(environ(url))
        assert second.status == "200 OK" and not second.by_django, slug
        assert second.body == first.body


def test_a_lookup_that_needs_the_database_is_left_to_django(serve, django_assert_num_queries):
    url = make_article().get_absolute_url()
    serve(environ(url))
    assert not serve(environ(url)).by_django
    # A new process, or a go-live passed: the schedule must be worked out from the database.
    versions.forget_schedule()
    served = serve(environ(url))
    assert served.status == "200 OK" and served.by_django
    with django_assert_num_queries(0):
        assert not serve(environ(url)).by_django  # Django worked it out; the front answers


def test_a_host_that_spells_out_a_path_never_gets_that_pages_copy(serve):
    url = make_article().get_absolute_url()
    serve(environ(url))
    assert not serve(environ(url)).by_django
    forged = serve(environ("/", Host="testserver" + url.rstrip("/")))
    assert forged.by_django and forged.status.startswith("400")
