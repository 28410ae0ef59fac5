"""Consent that stays honest after "Reject all", in Debian's Chromium (issue 14, part 5).

The site declares one optional script per category (NEWSROOM_CONSENT_SCRIPTS), each on its own
fake third-party host, runs Google Consent Mode "basic" with a fake Google tag host, and shows a
story whose body holds a YouTube embed (stored as a facade by the sanitiser). Every fake host is
a small server on 127.0.0.1; Chromium reaches it through `--host-resolver-rules`, and any other
name resolves to nothing, so no request can leave the machine. YouTube's player is served over
HTTPS with a throwaway certificate, which Chromium is told to accept.

Each fake script does what such scripts do: sets a cookie and a storage key on the page's site.
The inventory lists them, so withdrawing a category can be seen to remove them.
"""

from __future__ import annotations

import http.server
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser import (
    launch_chromium,
    manage,
    migrate,
    require_browser,
    serve,
    server_env,
    skip_unless_available,
)
from tests.test_consent_browser import AXE, axe_violations

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site

VIDEO_ID = "dQw4w9WgXcQ"
# What each category's fake script leaves on the page's own site once it runs.
SCRIPTS = {
    "analytics": (
        "analytics.test",
        "document.cookie = 'newsroom_stats=1; path=/';"
        "localStorage.setItem('newsroom_stats_queue', '[1]');",
    ),
    "marketing": (
        "ads.test",
        "document.cookie = 'ads_seen=1; path=/';sessionStorage.setItem('ads_frequency', '1');",
    ),
    "preferences": ("prefs.test", "localStorage.setItem('reader_prefs', 'large');"),
}
GTAG_HOST = "gtag.test"
YOUTUBE_HOST = "www.youtube-nocookie.com"
OPTIONAL_NAMES = {"newsroom_stats", "newsroom_stats_queue", "ads_seen", "ads_frequency"}
OPTIONAL_NAMES |= {"reader_prefs"}
INVENTORY = """
from newsroom.consent.models import Category, Cookie
for key, name, storage in [
    ("analytics", "newsroom_stats", "cookie"),
    ("analytics", "newsroom_stats_queue", "localStorage"),
    ("marketing", "ads_seen", "cookie"),
    ("marketing", "ads_frequency", "sessionStorage"),
    ("preferences", "reader_prefs", "localStorage"),
]:
    Cookie.objects.create(
        category=Category.objects.get(key=key), name=name, storage=storage,
        provider="Test", purpose="Test.", duration="1 year",
    )
"""
# Through writing.save, as an editor's save goes: the body is cleaned on the way in.
EMBED_STORY = f"""
from newsroom.news import writing
from newsroom.news.models import Article
story = Article.objects.published().order_by("pk").first()
story.body += '<iframe src="https://www.youtube.com/embed/{VIDEO_ID}" title="The clip"></iframe>'
writing.save(story, user=None)
print(story.get_absolute_url())
"""


class _FakeHost(http.server.BaseHTTPRequestHandler):
    """Serves anything asked of it (a script's body, or a small page for a player)."""

    bodies: dict[str, tuple[str, bytes]] = {}
    seen: list[str]

    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        self.seen.append(f"{host}{self.path}")
        content_type, body = self.bodies.get(host, ("text/html", b"<p>player</p>"))
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def fake_hosts(workdir: Path) -> Iterator[tuple[dict[str, int], list[str]]]:
    """One server per fake host; yields each host's port and the list of what was fetched."""
    seen: list[str] = []
    bodies = {host: ("text/javascript", js.encode()) for host, js in SCRIPTS.values()}
    bodies[GTAG_HOST] = ("text/javascript", b"window.fakeGtagLoaded = true;")
    handler = type("Handler", (_FakeHost,), {"bodies": bodies, "seen": seen})
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", f"/CN={YOUTUBE_HOST}", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    servers, ports = [], {}
    for host in [*(h for h, _js in SCRIPTS.values()), GTAG_HOST, YOUTUBE_HOST]:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        if host == YOUTUBE_HOST:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        ports[host] = server.server_address[1]
    try:
        yield ports, seen
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    with fake_hosts(tmp_path_factory.mktemp("fake-hosts")) as found:
        yield found


@pytest.fixture(scope="module")
def site(tmp_path_factory, hosts) -> Iterator[tuple[str, str]]:
    require_browser()
    env = server_env(tmp_path_factory.mktemp("consent-reject-site"))
    env["NEWSROOM_CONSENT_SCRIPTS"] = ",".join(
        f"{key}=http://{host}/{key}.js" for key, (host, _js) in SCRIPTS.items()
    )
    env["NEWSROOM_CONSENT_MODE"] = "basic"
    env["NEWSROOM_CONSENT_MODE_TAG_ID"] = "G-TEST123"
    env["NEWSROOM_CONSENT_MODE_TAG_URL"] = f"http://{GTAG_HOST}/gtag/js"
    migrate(env)
    manage(env, "import_seeds", "--publish", "-v0")
    manage(env, "shell", "-c", INVENTORY)
    story = manage(env, "shell", "-c", EMBED_STORY).strip().splitlines()[-1]
    with serve(env) as base:
        yield base, story


@pytest.fixture(scope="module")
def chromium(hosts):
    ports, _seen = hosts
    rules = [f"MAP {host} 127.0.0.1:{port}" for host, port in ports.items()]
    # Everything else that is not this machine resolves to nothing.
    rules += ["MAP * ~NOTFOUND", "EXCLUDE 127.0.0.1"]
    with launch_chromium(
        f"--host-resolver-rules={', '.join(rules)}", "--ignore-certificate-errors"
    ) as browser:
        yield browser


def third_party(urls: list[str], base: str) -> list[str]:
    return [url for url in urls if not url.startswith(base)]


def optional_traces(context, page) -> set[str]:
    """Every optional cookie, local-storage and session-storage name the browser holds."""
    cookies = {c["name"] for c in context.cookies()}
    storage = set(page.evaluate("[...Object.keys(localStorage), ...Object.keys(sessionStorage)]"))
    return (cookies | storage) - {"newsroom_consent"}


def consent_calls(page) -> list[list]:
    """The Consent Mode commands in the page's dataLayer, in order."""
    return page.evaluate(
        "(window.dataLayer || []).map(a => Array.from(a)).filter(a => a[0] === 'consent')"
    )


ALL_DENIED = dict.fromkeys(
    [
        "analytics_storage",
        "ad_storage",
        "ad_user_data",
        "ad_personalization",
        "functionality_storage",
        "personalization_storage",
        "security_storage",
    ],
    "denied",
)


def test_after_reject_all_nothing_optional_loads_or_stays(chromium, site, hosts):
    base, story = site
    _ports, seen = hosts
    context = chromium.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(base + story)
    page.wait_for_load_state("networkidle")
    # Before a choice: nothing from any refused host, Consent Mode denied by default.
    assert third_party(requested, base) == [] and seen == []
    assert consent_calls(page) == [["consent", "default", ALL_DENIED]]
    facade = page.locator("figure.embed")
    assert facade.get_by_text("This YouTube content is hidden until you allow Marketing").count()
    assert page.locator("iframe").count() == 0
    assert page.get_by_role("link", name="YouTube: The clip").get_attribute("href") == (
        f"https://www.youtube.com/watch?v={VIDEO_ID}"
    )

    page.get_by_role("button", name="Reject all").click()
    page.locator(".consent-banner__done").wait_for()
    page.wait_for_load_state("networkidle")
    assert consent_calls(page)[1] == [
        "consent",
        "update",
        {**ALL_DENIED, "security_storage": "granted"},
    ]
    for path in (story, "/", story):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-consent-banner]").count() == 0
        assert page.locator("iframe").count() == 0
        assert optional_traces(context, page) == set()
    assert third_party(requested, base) == [] and seen == []
    assert page.evaluate("window.fakeGtagLoaded") is None
    context.close()


def test_an_embed_loads_only_once_its_category_is_allowed_and_withdrawing_clears_it(
    chromium, site, hosts
):
    base, story = site
    _ports, seen = hosts
    seen.clear()
    context = chromium.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(base + story)
    page.get_by_role("button", name="Reject all").click()
    page.locator(".consent-banner__done").wait_for()

    # The embed's own button: marketing only, recorded, then the player and its script.
    with page.expect_request(lambda r: r.url.startswith(f"https://{YOUTUBE_HOST}/embed/")):
        page.get_by_role("button", name="Allow Marketing cookies and show it").click()
    page.wait_for_function("() => document.cookie.includes('ads_seen=1')")
    stored = next(c["value"] for c in context.cookies() if c["name"] == "newsroom_consent")
    assert "marketing:1" in stored and "analytics:0" in stored
    assert page.locator(f'iframe[src="https://{YOUTUBE_HOST}/embed/{VIDEO_ID}"]').count() == 1
    hosts_asked = {url.split("/")[2] for url in third_party(requested, base)}
    assert hosts_asked == {YOUTUBE_HOST, "ads.test", GTAG_HOST}
    assert consent_calls(page)[-1][2]["ad_storage"] == "granted"
    assert consent_calls(page)[-1][2]["analytics_storage"] == "denied"

    # On the next page the allowed script is rendered as it is, the others still inert.
    requested.clear()
    page.goto(base + "/")
    page.wait_for_load_state("networkidle")
    assert {url.split("/")[2] for url in third_party(requested, base)} == {"ads.test", GTAG_HOST}
    assert optional_traces(context, page) == {"ads_seen", "ads_frequency"}

    # Withdrawn: its cookie expired by the server, its storage cleared by the page.
    page.goto(base + "/consent/")
    page.get_by_role("button", name="Withdraw consent").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your cookie choices have been updated.").is_visible()
    requested.clear()
    for path in (story, "/", story):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert optional_traces(context, page) == set()
        assert page.locator("iframe").count() == 0
    assert third_party(requested, base) == []
    context.close()


def test_consent_mode_loads_the_google_tag_only_after_a_choice_allows_it(chromium, site, hosts):
    base, story = site
    context = chromium.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(base + "/")
    page.wait_for_load_state("networkidle")
    assert not [url for url in requested if GTAG_HOST in url]

    with page.expect_request(lambda r: r.url == f"http://{GTAG_HOST}/gtag/js?id=G-TEST123"):
        page.get_by_role("button", name="Accept all").click()
    calls = consent_calls(page)
    assert calls[0] == ["consent", "default", ALL_DENIED]
    assert calls[1] == ["consent", "update", dict.fromkeys(ALL_DENIED, "granted")]
    page.wait_for_function("() => window.fakeGtagLoaded === true")

    # The next page: denied first, then the stored choice, before the tag is asked for.
    page.goto(base + story)
    page.wait_for_function("() => window.fakeGtagLoaded === true")
    calls = consent_calls(page)
    assert calls[:2] == [
        ["consent", "default", ALL_DENIED],
        ["consent", "update", dict.fromkeys(ALL_DENIED, "granted")],
    ]
    context.close()


@pytest.mark.parametrize(
    ("locale", "sentence", "button"),
    [
        (
            "en-GB",
            "This YouTube content is hidden until you allow Marketing cookies.",
            "Allow Marketing cookies and show it",
        ),
        (
            "fr-FR",
            "Ce contenu YouTube est masqué tant que vous n\u2019autorisez pas les cookies "
            "« Publicité ».",
            "Autoriser les cookies « Publicité » et l\u2019afficher",
        ),
    ],
)
def test_the_embed_facade_speaks_the_reader_s_language_and_axe_finds_nothing(
    chromium, site, locale, sentence, button
):
    skip_unless_available(
        "axe-core",
        None if AXE.is_file() else f"not installed at {AXE} (make test runs npm ci)",
        required_by=("NEWSROOM_REQUIRE_BROWSER", "NEWSROOM_REQUIRE_VALIDATORS"),
    )
    base, story = site
    context = chromium.new_context(locale=locale)
    page = context.new_page()
    page.goto(base + story)
    facade = page.locator("figure.embed")
    assert facade.get_by_text(sentence).is_visible()
    assert facade.get_by_role("button", name=button).is_visible()
    assert axe_violations(page) == []
    context.close()


def test_accepting_in_the_banner_shows_the_embed_without_a_reload(chromium, site):
    base, story = site
    context = chromium.new_context()
    page = context.new_page()
    page.goto(base + story)
    assert page.locator("iframe").count() == 0

    with page.expect_request(lambda r: r.url.startswith(f"https://{YOUTUBE_HOST}/embed/")):
        page.get_by_role("button", name="Accept all").click()

    assert page.locator('figure.embed iframe[title="The clip"]').count() == 1
    assert page.locator(".embed__allow").count() == 0
    context.close()
