"""The consent component in Debian's Chromium, with JavaScript on and off (issue 5).

The site is served by gunicorn with the seed story published and one analytics cookie in the
inventory ("newsroom_stats"), so withdrawing can be seen to expire it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import running_site, skip_unless_available

ARTICLE = "/news/japans-defence-minister-visits-turkey-for-defence-cooperation-drones/"
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
STATS_COOKIE = """
from newsroom.consent.models import Category, Cookie
Cookie.objects.create(
    category=Category.objects.get(key="analytics"), name="newsroom_stats",
    provider="Newsroom", purpose="Counts visits.", duration="1 year",
)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    commands = (("import_seeds", "--publish", "-v0"), ("shell", "-c", STATS_COOKIE))
    with running_site(tmp_path_factory.mktemp("consent-site"), *commands) as base:
        yield base


def consent_value(context) -> str | None:
    return next((c["value"] for c in context.cookies() if c["name"] == "newsroom_consent"), None)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_accept_and_reject_are_equal_and_each_works(browser, site, javascript):
    for choice, expected in (("Accept all", "analytics:1"), ("Reject all", "analytics:0")):
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        page.goto(site + ARTICLE)
        accept = page.get_by_role("button", name="Accept all").bounding_box()
        reject = page.get_by_role("button", name="Reject all").bounding_box()
        assert abs(accept["width"] - reject["width"]) <= 2
        assert abs(accept["height"] - reject["height"]) <= 2
        page.get_by_role("button", name=choice).click()
        if javascript:
            page.locator(".consent-banner__done").wait_for()
        else:
            page.wait_for_load_state()
            assert page.url == site + ARTICLE
        assert expected in (consent_value(context) or "")
        page.goto(site + ARTICLE)
        assert page.locator("[data-consent-banner]").count() == 0
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_customise_then_withdraw_expires_the_category_cookies(browser, site, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(site + ARTICLE)
    page.get_by_role("link", name="Customise").click()
    page.wait_for_load_state()
    page.get_by_label("Allow analytics cookies").check()
    page.get_by_role("button", name="Save choices").click()
    page.wait_for_load_state()
    assert "analytics:1" in consent_value(context)
    assert "marketing:0" in consent_value(context)
    # What an analytics script would have set once allowed.
    context.add_cookies([{"name": "newsroom_stats", "value": "1", "url": site}])
    page.goto(site + "/consent/")
    page.get_by_role("button", name="Withdraw consent").click()
    page.wait_for_load_state()
    names = {c["name"] for c in context.cookies()}
    assert "newsroom_stats" not in names
    assert "analytics:0" in consent_value(context)
    context.close()


def test_nothing_is_requested_from_another_host_before_a_choice(browser, site):
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site + ARTICLE)
    page.wait_for_load_state("networkidle")
    assert requested and all(url.startswith(site) for url in requested)
    assert context.cookies() == []
    context.close()


def test_the_banner_works_from_the_keyboard_alone(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + ARTICLE)
    focused = []
    for _ in range(4):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert focused[1:4] == ["Accept all", "Reject all", "Customise"]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # "Reject all"
    page.locator(".consent-banner__done").wait_for()
    assert "analytics:0" in consent_value(context)
    context.close()


def test_axe_finds_nothing_on_the_banner_and_the_settings_page(browser, site):
    skip_unless_available(
        "axe-core",
        None if AXE.is_file() else f"not installed at {AXE} (make test runs npm ci)",
        required_by=("NEWSROOM_REQUIRE_BROWSER", "NEWSROOM_REQUIRE_VALIDATORS"),
    )
    context = browser.new_context()
    page = context.new_page()
    for path in (ARTICLE, "/consent/", "/consent/cookies/"):
        page.goto(site + path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']})"
        )
        assert [v["id"] for v in result["violations"]] == [], path
    context.close()
