"""Real Chromium against a real server: the site as a reader gets it.

The server is gunicorn on the WSGI entry point, with a throwaway SQLite file migrated and the
seeds imported, exactly as `make run` prepares it. Chromium is Debian's (/usr/bin/chromium),
driven by Playwright; without it these tests skip with the reason, unless
NEWSROOM_REQUIRE_BROWSER is set (CI sets it), in which case they fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("NEWSROOM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTICLE = "/news/japans-defence-minister-visits-turkey-for-defence-cooperation-drones/"


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not Path(CHROMIUM).is_file():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = _unavailable()
    if missing:
        if os.environ.get("NEWSROOM_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests required but unavailable: {missing}")
        pytest.skip(f"browser unavailable: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    """A gunicorn server on 127.0.0.1 with the seed story published; yields its base URL."""
    if _unavailable() and not os.environ.get("NEWSROOM_REQUIRE_BROWSER"):
        pytest.skip(f"browser unavailable: {_unavailable()}")
    workdir = tmp_path_factory.mktemp("site")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SECRET_KEY": "browser-test-secret-key-" + "x" * 30,
        "DATABASE_URL": f"sqlite:///{workdir / 'site.sqlite3'}",
        "NEWSROOM_MEDIA_ROOT": str(workdir / "media"),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "-v0"], ["import_seeds", "--publish", "-v0"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "newsroom.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urlopen(base + "/", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _consent_cookie(context) -> str | None:
    return next((c["value"] for c in context.cookies() if c["name"] == "newsroom_consent"), None)


def test_without_javascript_reject_all_works_through_the_form(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + ARTICLE)
    assert context.cookies() == []
    banner = page.locator("[data-consent-banner]")
    assert banner.is_visible()
    page.get_by_role("button", name="Reject all").click()
    page.wait_for_load_state()
    assert page.url == site + ARTICLE
    assert page.locator("[data-consent-banner]").count() == 0
    cookie = _consent_cookie(context)
    assert cookie and "analytics" in cookie
    context.close()


def test_without_javascript_accept_all_and_customise_work(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/")
    page.get_by_role("link", name="Customise").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Cookie settings", level=1).is_visible()
    page.get_by_label("Allow analytics cookies").check()
    page.get_by_role("button", name="Save choices").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your cookie choices have been updated.").is_visible()
    assert page.get_by_label("Allow analytics cookies").is_checked()
    assert not page.get_by_label("Allow marketing cookies").is_checked()
    page.get_by_role("button", name="Accept all").click()
    page.wait_for_load_state()
    page.goto(site + "/consent/")
    assert page.get_by_label("Allow marketing cookies").is_checked()
    context.close()


def test_with_javascript_the_banner_closes_in_place_and_focus_moves(browser, site):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(site + ARTICLE)
    page.get_by_role("button", name="Accept all").click()
    confirmation = page.locator(".consent-banner__done")
    confirmation.wait_for()
    assert page.url == site + ARTICLE
    assert page.evaluate("document.activeElement.className") == "consent-banner__done"
    assert _consent_cookie(context)
    page.reload()
    assert page.locator("[data-consent-banner]").count() == 0
    assert errors == []
    context.close()


def test_the_article_page_loads_nothing_from_another_host(browser, site):
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site + ARTICLE)
    page.wait_for_load_state("networkidle")
    assert requested and all(url.startswith(site) for url in requested)
    stylesheet_applied = page.evaluate(
        "getComputedStyle(document.querySelector('.story__title')).fontFamily"
    )
    assert "Georgia" in stylesheet_applied
    context.close()
