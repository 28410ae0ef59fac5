"""Real Chromium against a real server: the site as a reader gets it.

The site is migrated with the seeds imported and published, as `make run` prepares it; see
tests/browser.py for the server and the browser, and for when these tests skip or fail.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import running_site

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site

ARTICLE = "/news/japans-defence-minister-visits-turkey-for-defence-cooperation-drones/"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    """A gunicorn server with the seed story published; yields its base URL."""
    seeds = ("import_seeds", "--publish", "-v0")
    with running_site(tmp_path_factory.mktemp("site"), seeds) as base:
        yield base


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
    # Without JavaScript the choice confirms itself on a page of its own, which leads back.
    assert page.get_by_role("heading", name="Your choice is saved").is_visible()
    page.get_by_role("link", name="Continue reading").click()
    page.wait_for_load_state()
    assert page.url == site + ARTICLE
    assert page.locator("[data-consent-banner]").count() == 0
    cookie = _consent_cookie(context)
    assert cookie and "analytics:0" in cookie and "analytics:1" not in cookie
    context.close()


def test_without_javascript_accept_all_and_customise_work(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/")
    page.get_by_role("link", name="Settings", exact=True).click()
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


def test_the_site_stylesheet_is_applied(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + ARTICLE)
    font = page.evaluate("getComputedStyle(document.querySelector('.story__title')).fontFamily")
    assert "Georgia" in font
    context.close()
