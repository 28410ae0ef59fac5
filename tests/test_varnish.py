"""Newsroom behind a real Varnish 7 with xkey, running deploy/varnish/newsroom.vcl.

gunicorn serves a throwaway SQLite site; varnishd (Debian's varnish and varnish-modules) runs
on a free loopback port in front of it; changes are made by a separate `manage.py shell`
process, as an editor's save would be, which purges Varnish by tag when it commits. Skipped,
saying why, without varnishd, unless NEWSROOM_REQUIRE_VARNISH is set (CI sets it).
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from bench import load
from newsroom.consent import policy
from tests.browser import _free_port, manage, migrate, serve, server_env, skip_unless_available

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(Varnish's base URL, the site's environment, the consent revision)."""
    skip_unless_available(
        "Varnish", load.varnish_missing(), required_by=("NEWSROOM_REQUIRE_VARNISH",)
    )
    workdir = tmp_path_factory.mktemp("varnish-site")
    port = _free_port()
    env = {
        **server_env(workdir),
        "NEWSROOM_PURGE_URLS": f"http://127.0.0.1:{port}/",
        "NEWSROOM_PURGE_REPEAT_SECONDS": "1",
        "NEWSROOM_SHARED_CACHE_SECONDS": "600",
    }
    migrate(env)
    shell(
        env,
        "from tests.factories import make_article, make_author\n"
        "ann, bob = make_author(name='Ann', slug='ann'), make_author(name='Bob', slug='bob')\n"
        "make_article(title='Alpha', slug='alpha', authors=[ann], tags=['Drones'])\n"
        "make_article(title='Bravo', slug='bravo', authors=[bob], tags=['Ships'])\n"
        "make_article(title='Gamma', slug='gamma', authors=[ann], tags=['Drones'])\n",
    )
    revision = int(
        shell(
            env,
            "from newsroom.consent.models import Category\n"
            "print(sum(Category.objects.values_list('version', flat=True)))\n",
        ).split()[-1]
    )
    with serve(env) as base:
        backend_port = int(base.rsplit(":", 1)[1])
        # On the port the site's environment already names as its purge address.
        with load.Varnish(workdir / "varnish", backend_port=backend_port, port=port) as front:
            yield front.url(""), env, revision


def shell(env: dict[str, str], code: str) -> str:
    """Run `code` in `manage.py shell`, as a separate process writing to the site's database
    (its purges are sent before it exits)."""
    return manage(env, "shell", "-c", code)


def get(url: str, **headers: str) -> tuple[int, str, str]:
    """(status, X-Cache, body) of one request through Varnish."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("X-Cache", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("X-Cache", ""), error.read().decode()


def warm(front: str, path: str, **headers: str) -> str:
    get(front + path, **headers)
    status, cached, body = get(front + path, **headers)
    assert (status, cached) == (200, "HIT"), path
    return body


def cookie(revision: int, *, consent_id: str, **granted: bool) -> str:
    decision = policy.Decision(
        consent_id=consent_id,
        version="1",
        granted=frozenset(key for key, on in granted.items() if on),
        decided_at=datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1),
        revision=revision,
    )
    return f"{policy.COOKIE_NAME}={policy.serialise(decision)}"


def test_a_save_purges_exactly_the_tagged_pages(site):
    front, env, _ = site
    for path in ("/news/alpha/", "/news/bravo/", "/", "/tags/drones/", "/tags/ships/"):
        warm(front, path)
    shell(
        env,
        "from newsroom.news.models import Article\n"
        "story = Article.objects.get(slug='bravo')\n"
        "story.body = '<p>Bravo, rewritten.</p>'\n"
        "story.save()\n",
    )
    status, cached, body = get(front + "/news/bravo/")
    assert (status, cached) == (200, "MISS")
    assert "Bravo, rewritten." in body
    assert get(front + "/tags/ships/")[1] == "MISS"
    assert get(front + "/")[1] == "MISS"
    assert get(front + "/news/alpha/")[1] == "HIT"
    assert get(front + "/tags/drones/")[1] == "HIT"


def test_an_unpublished_story_is_gone_from_varnish_at_once(site):
    front, env, _ = site
    warm(front, "/news/gamma/")
    warm(front, "/tags/drones/")
    shell(
        env,
        "from newsroom.news.models import Article\n"
        "story = Article.objects.get(slug='gamma')\n"
        "story.status = Article.Status.UNPUBLISHED\n"
        "story.save()\n",
    )
    assert get(front + "/news/gamma/")[0] == 404
    assert "Gamma" not in get(front + "/tags/drones/")[2]


def test_a_scheduled_story_appears_on_time_through_varnish(site):
    front, env, _ = site
    warm(front, "/")
    shell(
        env,
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from tests.factories import make_article\n"
        "make_article(title='Scheduled Delta', slug='delta',\n"
        "             published_at=timezone.now() + timedelta(seconds=4))\n",
    )
    assert "Scheduled Delta" not in get(front + "/")[2]
    deadline = time.monotonic() + 15
    while "Scheduled Delta" not in get(front + "/")[2]:
        assert time.monotonic() < deadline, "the scheduled story never appeared"
        time.sleep(0.5)
    assert get(front + "/news/delta/")[0] == 200


def test_readers_with_the_same_choices_share_a_copy_and_others_get_their_own(site):
    front, _, revision = site
    path = "/news/alpha/"
    yes_a = cookie(revision, consent_id="reader-one-aaaaaaaaaa", analytics=True)
    yes_b = cookie(revision, consent_id="reader-two-bbbbbbbbbb", analytics=True)
    no_c = cookie(revision, consent_id="reader-three-cccccccc", analytics=False)
    asked = warm(front, path)
    status, cached, chose = get(front + path, Cookie=yes_a)
    assert (status, cached) == (200, "MISS")
    assert "data-consent-banner" in asked and "data-consent-banner" not in chose
    assert get(front + path, Cookie=yes_b)[1] == "HIT"
    # Rendered for this reader's choices, not served from the other variant's copy.
    assert get(front + path, Cookie=no_c)[:2] == (200, "MISS")
    assert get(front + path, Cookie=no_c)[:2] == (200, "HIT")
    assert get(front + path, **{"Sec-GPC": "1"})[1] == "MISS"


def test_a_consent_category_change_purges_the_pages_with_the_banner(site):
    front, env, _ = site
    warm(front, "/news/alpha/")
    warm(front, "/feeds/latest.rss")
    shell(
        env,
        "from newsroom.consent.models import Category\n"
        "category = Category.objects.get(key='analytics')\n"
        "category.name = 'Audience measurement'\n"
        "category.save()\n",
    )
    _status, cached, body = get(front + "/news/alpha/")
    assert (cached, "Audience measurement" in body) == ("MISS", True)
    assert get(front + "/feeds/latest.rss")[1] == "HIT"


def test_nothing_with_a_session_or_a_set_cookie_is_stored(site):
    front, _, revision = site
    for _ in range(2):
        assert get(front + "/news/alpha/", Cookie="sessionid=abc")[1] == "MISS"
        # The admin's login page sets the CSRF cookie.
        assert get(front + "/admin/login/")[1] == "MISS"
        assert get(front + "/search/?q=alpha")[1] == "MISS"
    # A cookie Newsroom reads otherwise (expired, forged) is never stored under its choices.
    stale = cookie(revision, consent_id="reader-four-dddddddddd", analytics=True).replace(
        f"rev:{revision}", f"rev:{revision}x"
    )
    for _ in range(2):
        assert get(front + "/news/alpha/", Cookie=stale)[1] == "MISS"


def test_purges_are_refused_from_addresses_outside_the_list(site):
    front, _, _ = site
    port = int(front.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.3", 0)) as s:
        s.sendall(
            b"PURGE / HTTP/1.1\r\nHost: x\r\nxkey-purge: stories\r\nConnection: close\r\n\r\n"
        )
        answer = s.recv(200).decode()
    assert answer.startswith("HTTP/1.1 403")


# Each change of tests/test_pagecache_tags.py, through Varnish: the pages a change retires are
# purged, every other one stays a hit. (A scheduled go-live is the exception by design: while a
# story is scheduled no page's s-maxage reaches past its time, so Varnish lets every page go
# then; test_a_scheduled_story_appears_on_time_through_varnish shows it.)

WORLD = """
from tests.factories import make_article, make_author
from newsroom.news.models import Article
ann = make_author(name="{p} Ann", slug="{p}-ann")
bob = make_author(name="{p} Bob", slug="{p}-bob")
make_article(title="{p} Alpha", slug="{p}-alpha", authors=[ann], tags=["{p} drones"])
make_article(title="{p} Bravo", slug="{p}-bravo", authors=[bob], tags=["{p} ships"])
make_article(title="{p} Delta", slug="{p}-delta", authors=[ann], tags=["{p} ships"],
             status=Article.Status.DRAFT)
"""

ADMIN = """
from django.contrib.auth.models import User
from django.test import Client
desk = Client(SERVER_NAME="localhost")
desk.force_login(User.objects.create_superuser("{p}-desk", password="x" * 20))
"""

CHANGES = {
    "publish": (
        "from newsroom.news import writing\n"
        "from tests.factories import make_user\n"
        "writing.move(Article.objects.get(slug='{p}-delta'), Article.Status.PUBLISHED,\n"
        "              user=make_user(role='Editor', username='{p}-editor'))\n",
        {"home", "ships", "ann"},
    ),
    "edit": (
        "story = Article.objects.get(slug='{p}-bravo')\n"
        "story.body = '<p>Rewritten.</p>'\n"
        "story.save()\n",
        {"bravo", "home", "ships", "bob"},
    ),
    "unpublish": (
        "from newsroom.news import writing\n"
        "from tests.factories import make_user\n"
        "writing.move(Article.objects.get(slug='{p}-bravo'), Article.Status.UNPUBLISHED,\n"
        "              user=make_user(role='Editor', username='{p}-editor'))\n",
        {"bravo", "home", "ships", "bob"},
    ),
    "byline": (
        "from newsroom.news.models import Author, Byline\n"
        "Byline.objects.create(article=Article.objects.get(slug='{p}-bravo'),\n"
        "                      author=Author.objects.get(slug='{p}-ann'), position=1)\n",
        {"bravo", "home", "ships", "bob", "ann"},
    ),
    "topic merge": (
        ADMIN + "from taggit.models import Tag\n"
        "ships = Tag.objects.get(name='{p} ships')\n"
        "answer = desk.post('/admin/news/topic/', {{'action': 'merge_tags',\n"
        "    '_selected_action': [ships.pk], 'target': '{p} drones'}})\n"
        "assert answer.status_code == 302, answer.status_code\n",
        {"bravo", "home", "drones", "ships", "bob"},
    ),
    "author rename": (
        "from newsroom.news.models import Author\n"
        "bob = Author.objects.get(slug='{p}-bob')\n"
        "bob.name = '{p} Robert'\n"
        "bob.save()\n",
        {"bravo", "home", "ships", "bob"},
    ),
    "correction": (
        "from newsroom.news.models import Correction\n"
        "Correction.objects.create(article=Article.objects.get(slug='{p}-alpha'),\n"
        "                          text='The date was wrong.')\n",
        {"alpha", "home", "drones", "ann"},
    ),
    "related link": (
        "from newsroom.news.models import RelatedLink\n"
        "RelatedLink.objects.create(article=Article.objects.get(slug='{p}-alpha'),\n"
        "                           title='Background', url='https://a.test/')\n",
        {"alpha"},
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_each_change_purges_exactly_the_pages_that_show_it(site, change):
    front, env, _ = site
    p = "v" + str(list(CHANGES).index(change))
    pages = {
        "home": "/",
        "alpha": f"/news/{p}-alpha/",
        "bravo": f"/news/{p}-bravo/",
        "drones": f"/tags/{p}-drones/",
        "ships": f"/tags/{p}-ships/",
        "ann": f"/authors/{p}-ann/",
        "bob": f"/authors/{p}-bob/",
    }
    code, retired = CHANGES[change]
    shell(env, WORLD.format(p=p))
    for path in pages.values():
        warm(front, path)
    shell(env, WORLD.format(p=p).split("ann = ")[0] + code.format(p=p))
    missed = {name for name, path in pages.items() if get(front + path)[1] != "HIT"}
    assert missed == retired
