"""Content Security Policy: the header on every kind of public page, and Chromium finding no
violation on the public pages (consent banner open and after accepting) or in the admin.

The browser tests serve the site with gunicorn, keeping its log: the CSP report endpoint logs
every report it gets, so "nothing reported" is checked at the server as well as in the page.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from newsroom.desk import preview
from newsroom.news.models import Article
from tests.browser import manage, migrate, require_browser, serve, server_env
from tests.factories import make_article, make_author

UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'nonce-", "*", "data:", "http:")
ARTICLE = "/news/japans-defence-minister-visits-turkey-for-defence-cooperation-drones/"


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def public_site(db):
    author = make_author(name="Ann Lee", slug="ann-lee")
    story = make_article(title="Harbour news", slug="harbour-news", authors=[author], tags=["Sea"])
    draft = make_article(status=Article.Status.DRAFT, slug="draft")
    month = timezone.localtime(story.published_at)
    return {
        "home": "/",
        "story": story.get_absolute_url(),
        "topics": reverse("news:tag_list"),
        "tag": "/tags/sea/",
        "author": author.get_absolute_url(),
        "archive": reverse("news:archive"),
        "archive month": f"/archive/{month.year}/{month.month:02d}/",
        "search": reverse("search:search") + "?q=harbour",
        "cookie settings": reverse("consent:settings"),
        "cookie policy": reverse("consent:policy"),
        "preview": preview.preview_url(draft),
        "404": "/news/no-such-story/",
        "400": "/search/?q=" + "x" * 5000,
    }


def test_every_public_page_kind_has_a_strict_policy(client, public_site):
    for kind, path in public_site.items():
        response = client.get(path)
        assert response.status_code in (200, 404, 400), kind
        policy = directives(response["Content-Security-Policy"])
        for name in ("default-src", "script-src", "style-src"):
            assert policy[name] == ["'self'"], (kind, name)
            assert not any(v.startswith(UNSAFE) for v in policy[name]), (kind, name)
        assert policy["frame-ancestors"] == ["'none'"], kind
        assert policy["object-src"] == ["'none'"], kind
        assert policy["base-uri"] == ["'none'"], kind
        assert policy["form-action"] == ["'self'"], kind
        assert policy["report-uri"] == ["/csp-report/"], kind


def test_public_pages_carry_no_nonce_so_a_cached_copy_is_the_same_for_everyone(client, public_site):
    first = client.get(public_site["story"])
    second = client.get(public_site["story"])
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]
    assert "nonce" not in first["Content-Security-Policy"]
    assert "nonce=" not in first.content.decode()


def test_the_admin_has_its_own_policy_with_a_fresh_nonce_for_the_editor(admin_client, db):
    story = make_article(status=Article.Status.DRAFT)
    url = reverse("admin:news_article_change", args=[story.pk])
    first, second = admin_client.get(url), admin_client.get(url)
    policy = directives(first["Content-Security-Policy"])
    nonce = next(v for v in policy["script-src"] if v.startswith("'nonce-"))
    assert policy["script-src"] == ["'self'", nonce]
    assert f'<script type="importmap" nonce="{nonce[7:-1]}">' in first.content.decode()
    assert nonce not in second["Content-Security-Policy"]
    assert "'unsafe-inline'" not in first["Content-Security-Policy"]
    assert "'unsafe-eval'" not in first["Content-Security-Policy"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_admin_pages_without_the_editor_send_no_nonce(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]


# In Chromium

# Runs before any page script, outside the page's CSP (Playwright injects it), and records
# every violation the page sees.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.effectiveDirective} blocked ${e.blockedURI} at ${where}`);
});
"""
EDITOR = """
from django.contrib.auth.models import User
User.objects.create_superuser("boss", "boss@example.org", "a-long-boss-password-1")
"""


@contextmanager
def logged_site(workdir: Path) -> Iterator[tuple[str, Path]]:
    """The seed site served by gunicorn, with its stderr (where reports are logged) kept in a
    file; yields the base URL and the log's path."""
    require_browser()
    env = server_env(workdir)
    migrate(env)
    manage(env, "import_seeds", "--publish", "-v0")
    manage(env, "shell", "-c", EDITOR)
    log = workdir / "server.log"
    with serve(env, log=log) as base:
        yield base, log


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with logged_site(tmp_path_factory.mktemp("csp-site")) as served:
        yield served


def reports(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if "CSP violation" in line]


class Watch:
    """A browser context that records CSP violations and console errors on every page."""

    def __init__(self, browser, base: str):
        self.base = base
        self.context = browser.new_context()
        self.context.add_init_script(WATCH_VIOLATIONS)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.console.append(f"{message.type}: {message.text}")

    def visit(self, path: str) -> list[str]:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return self.violations()

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__violations")


def wait_for_reports(log: Path, *, at_least: int = 0, seconds: float = 3.0) -> list[str]:
    deadline = time.monotonic() + seconds
    while len(found := reports(log)) < at_least and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


PUBLIC_PAGES = [ARTICLE, "/", "/consent/cookies/", "/tags/", "/search/?q=drones", "/consent/"]
# The cookie settings page is the banner's second layer, so it shows no banner itself.
WITH_BANNER = PUBLIC_PAGES[:-1]


def test_public_pages_have_no_violation_with_the_banner_open_and_after_accepting(browser, site):
    base, log = site
    watch = Watch(browser, base)
    for path in PUBLIC_PAGES:
        assert watch.visit(path) == [], path
        expected = 1 if path in WITH_BANNER else 0
        assert watch.page.locator("[data-consent-banner]").count() == expected, path
    # JSON-LD is a data block: present, and not counted as a script by the policy.
    watch.visit(ARTICLE)
    assert watch.page.locator('script[type="application/ld+json"]').count() == 1
    watch.page.get_by_role("button", name="Accept all").first.click()
    watch.page.locator(".consent-banner__done").wait_for()
    assert watch.violations() == []
    for path in PUBLIC_PAGES:
        assert watch.visit(path) == [], path
        assert watch.page.locator("[data-consent-banner]").count() == 0, path
    assert watch.console == []
    assert wait_for_reports(log) == []
    watch.context.close()


def test_the_admin_works_under_its_policy_without_a_violation(browser, site):
    base, log = site
    watch = Watch(browser, base)
    assert watch.visit("/admin/login/") == []
    watch.page.get_by_label("Username").fill("boss")
    watch.page.get_by_label("Password").fill("a-long-boss-password-1")
    watch.page.get_by_role("button", name="Log in").click()
    watch.page.wait_for_load_state()
    assert watch.violations() == []
    story = "/admin/news/article/1/change/"
    admin_pages = ("/admin/", "/admin/news/article/", story, "/admin/news/article/add/")
    people_and_topics = ("/admin/desk/person/", "/admin/desk/person/add/", "/admin/news/topic/")
    for path in (*admin_pages, *people_and_topics):
        assert watch.visit(path) == [], path
    watch.visit(story)
    # The body editor came up (its import map ran under the nonce) and takes typing.
    editor = watch.page.locator('.ProseMirror[contenteditable="true"]')
    editor.click()
    watch.page.keyboard.type(" More words.")
    assert "More words." in editor.inner_text()
    # The byline's autocomplete (select2) builds its widgets when a row is added.
    watch.page.get_by_role("link", name="Add another author").click()
    assert watch.page.locator(".select2-container").count() >= 1
    assert watch.violations() == []
    assert [m for m in watch.console if "Content Security Policy" in m] == []
    assert wait_for_reports(log) == []
    watch.context.close()


def test_a_violation_is_seen_in_the_page_and_reported_to_the_server(browser, site):
    """The control for the two tests above: their "nothing" can be trusted because a real
    violation shows up in both places."""
    base, log = site
    before = len(reports(log))
    watch = Watch(browser, base)
    watch.visit("/")
    with pytest.raises(Exception, match=r"Content Security Policy|violates"):
        watch.page.add_script_tag(content="window.injected = true;")
    assert watch.page.evaluate("window.injected === undefined")
    assert any(v.startswith("script-src-elem blocked inline") for v in watch.violations())
    found = wait_for_reports(log, at_least=before + 1)
    assert len(found) > before
    assert "directive='script-src-elem'" in found[-1]
    watch.context.close()
