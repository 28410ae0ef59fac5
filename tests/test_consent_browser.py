"""The consent component in Debian's Chromium, with JavaScript on and off (issue 5).

The site is served by gunicorn with the seed story published and, in the analytics category of
the inventory, one cookie ("newsroom_stats") and one local-storage key ("newsroom_stats_queue"),
so withdrawing can be seen to remove both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import running_site, skip_unless_available

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site

ARTICLE = "/news/japans-defence-minister-visits-turkey-for-defence-cooperation-drones/"
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
STATS_COOKIE = """
from newsroom.consent.models import Category, Cookie
Cookie.objects.create(
    category=Category.objects.get(key="analytics"), name="newsroom_stats",
    provider="Newsroom", purpose="Counts visits.", duration="1 year",
)
Cookie.objects.create(
    category=Category.objects.get(key="analytics"), name="newsroom_stats_queue",
    provider="Newsroom", purpose="Queues visits to count.", duration="Until cleared",
    storage="localStorage",
)
"""
GPC_IN_BROWSER = (
    "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
)


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
            # Without JavaScript the post lands on the confirmation, which leads back.
            page.wait_for_load_state()
            assert page.get_by_role("heading", name="Your choice is saved").is_visible()
            page.get_by_role("link", name="Continue reading").click()
            page.wait_for_load_state()
            assert page.url == site + ARTICLE
        assert expected in (consent_value(context) or "")
        page.goto(site + ARTICLE)
        assert page.locator("[data-consent-banner]").count() == 0
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_settings_then_withdraw_removes_the_category_cookies_and_storage(browser, site, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(site + ARTICLE)
    page.get_by_role("link", name="Settings", exact=True).click()
    if javascript:
        # The same choices, in a dialog over the page.
        assert page.get_by_role("dialog", name="Cookie settings").is_visible()
    else:
        page.wait_for_load_state()
        assert page.url.startswith(site + "/consent/")
    page.get_by_label("Allow analytics cookies").check()
    page.get_by_role("button", name="Save choices").click()
    if javascript:
        page.locator(".consent-banner__done").wait_for()
        assert page.url == site + ARTICLE
    else:
        page.wait_for_load_state()
    assert "analytics:1" in consent_value(context)
    assert "marketing:0" in consent_value(context)
    # What an analytics script would have set once allowed.
    context.add_cookies([{"name": "newsroom_stats", "value": "1", "url": site}])
    page.goto(site + "/consent/")
    if javascript:
        page.evaluate("localStorage.setItem('newsroom_stats_queue', '[1]')")
        page.evaluate("localStorage.setItem('reader_font_size', 'large')")
    page.get_by_role("button", name="Withdraw consent").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your cookie choices have been updated.").is_visible()
    names = {c["name"] for c in context.cookies()}
    assert "newsroom_stats" not in names
    assert "analytics:0" in consent_value(context)
    if javascript:
        assert page.evaluate("localStorage.getItem('newsroom_stats_queue')") is None
        # Only the inventory's keys go: the reader's other storage is not ours to clear.
        assert page.evaluate("localStorage.getItem('reader_font_size')") == "large"
    context.close()


def test_refusing_in_the_dialog_clears_the_category_storage_without_a_reload(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + ARTICLE)
    page.evaluate("localStorage.setItem('newsroom_stats_queue', '[1]'); window.notReloaded = 1")
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_label("Allow marketing cookies").check()
    page.get_by_role("button", name="Save choices").click()
    page.locator(".consent-banner__done").wait_for()
    assert "your choice is saved" in page.get_by_role("status").text_content()
    assert page.evaluate("window.notReloaded") == 1
    assert page.evaluate("localStorage.getItem('newsroom_stats_queue')") is None
    value = consent_value(context)
    assert "marketing:1" in value and "analytics:0" in value
    context.close()


def test_global_privacy_control_in_the_browser_counts_as_refusal(browser, site):
    context = browser.new_context()
    context.add_init_script(GPC_IN_BROWSER)
    page = context.new_page()
    page.goto(site + ARTICLE)
    note = page.locator("[data-consent-banner]")
    assert note.get_by_role("heading", name="Your privacy signal is honoured").is_visible()
    assert "Global Privacy Control" in note.text_content()
    assert page.get_by_role("button", name="Accept all").count() == 0
    assert page.get_by_role("link", name="Settings", exact=True).count() == 0
    page.wait_for_load_state("networkidle")
    assert context.cookies() == []
    context.close()


def test_global_privacy_control_keeps_an_inert_script_inert(browser, site):
    """A gated script on the page stays text until a choice; GPC makes no choice for it."""
    context = browser.new_context()
    context.add_init_script(GPC_IN_BROWSER)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site + ARTICLE)
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<script type="text/plain" data-consent-category="analytics" data-src="/static/x.js">'
        + '</' + 'script>')"""
    )
    page.wait_for_load_state("networkidle")
    assert not [url for url in requested if url.endswith("/static/x.js")]
    assert page.locator('script[type="text/plain"]').count() == 1
    context.close()


def test_accepting_in_the_banner_starts_inert_scripts_without_a_reload(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + ARTICLE)
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<script type="text/plain" data-consent-category="analytics"'
        + ' data-src="/static/consent/consent.css?started"></' + 'script>')"""
    )
    with page.expect_request(lambda request: request.url.endswith("?started")):
        page.get_by_role("button", name="Accept all").click()
    assert page.locator('script[type="text/plain"]').count() == 0
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


def focused_text(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def test_the_banner_works_from_the_keyboard_alone(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + ARTICLE)
    focused = []
    for _ in range(4):
        page.keyboard.press("Tab")
        focused.append(focused_text(page))
    # In reading order: "Settings" sits beside the banner's heading, then the two choices.
    assert focused == ["Skip to main content", "Settings", "Accept all", "Reject all"]
    page.keyboard.press("Enter")  # "Reject all"
    page.locator(".consent-banner__done").wait_for()
    assert "analytics:0" in consent_value(context)
    # The pressed button is gone; focus is on the confirmation, not lost to the page's top.
    assert page.evaluate("document.activeElement.getAttribute('role')") == "status"
    context.close()


IN_DIALOG = "document.activeElement.closest('dialog') !== null"


def test_the_settings_dialog_works_from_the_keyboard_alone(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + ARTICLE)
    for _ in range(2):
        page.keyboard.press("Tab")
    assert focused_text(page) == "Settings"
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Cookie settings")
    assert dialog.is_visible()
    assert page.evaluate(IN_DIALOG)
    first = page.evaluate("document.activeElement.outerHTML")
    # Round the dialog once: focus never leaves it and comes back to where it started.
    stops = dialog.evaluate(
        "d => [...d.querySelectorAll("
        "'a[href], button, input:not([disabled]):not([type=hidden])')].length"
    )
    for _ in range(stops):
        page.keyboard.press("Tab")
        assert page.evaluate(IN_DIALOG)
    assert page.evaluate("document.activeElement.outerHTML") == first
    page.keyboard.press("Shift+Tab")
    assert focused_text(page) == "Reject all"
    assert page.evaluate(IN_DIALOG)
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert focused_text(page) == "Settings"
    # And a choice from the keyboard: open, tick analytics with Space, save.
    page.keyboard.press("Enter")
    page.get_by_label("Allow analytics cookies").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save choices").focus()
    page.keyboard.press("Enter")
    page.locator(".consent-banner__done").wait_for()
    assert "analytics:1" in consent_value(context)
    assert page.get_by_role("dialog").count() == 0
    context.close()


def test_the_close_button_closes_the_dialog_and_returns_focus(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + ARTICLE)
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("button", name="Close").click()
    assert not page.get_by_role("dialog", name="Cookie settings").is_visible()
    assert focused_text(page) == "Settings"
    assert consent_value(context) is None
    context.close()


def test_every_banner_and_dialog_control_is_at_least_24_px(browser, site):
    for viewport in ({"width": 320, "height": 640}, {"width": 1280, "height": 720}):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(site + ARTICLE)
        page.get_by_role("link", name="Settings", exact=True).click()
        small = page.evaluate(
            # Links inside a sentence are exempt (WCAG 2.5.8, "inline").
            """() => [...document.querySelectorAll(
                 '[data-consent-banner] :is(a, button, input:not([type=hidden]))')]
               .filter(el => el.getClientRects().length && !el.closest('p'))
               .map(el => [el.outerHTML.slice(0, 60), el.getBoundingClientRect()])
               .filter(([, box]) => box.width < 24 || box.height < 24)
               .map(([html]) => html)"""
        )
        assert small == [], viewport
        context.close()


def test_french_reader_gets_the_french_banner_and_dialog(browser, site):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(site + ARTICLE)
    assert page.get_by_role("region", name="Cookies sur Newsroom").is_visible()
    page.get_by_role("link", name="Paramètres", exact=True).click()
    dialog = page.get_by_role("dialog", name="Paramètres des cookies")
    assert dialog.is_visible()
    dialog.get_by_label("Autoriser les cookies « mesure d\u2019audience »").check()
    dialog.get_by_role("button", name="Enregistrer mes choix").click()
    page.locator(".consent-banner__done").wait_for()
    assert (
        page.get_by_role("status").text_content().startswith("Merci : votre choix est enregistré.")
    )
    assert "analytics:1" in consent_value(context)
    assert page.evaluate("document.documentElement.lang") == "en-gb"
    assert page.locator("footer ul").get_attribute("lang") == "fr"
    context.close()


def axe_violations(page) -> list[str]:
    # Evaluated through the DevTools protocol, which the site's CSP (script-src 'self') allows;
    # a <script> tag added to the page would rightly be refused.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',"
        " 'best-practice']})"
    )
    return [f"{v['id']}: {n['target']}" for v in result["violations"] for n in v["nodes"]]


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_axe_finds_nothing_on_the_banner_the_dialog_and_the_consent_pages(browser, site, locale):
    skip_unless_available(
        "axe-core",
        None if AXE.is_file() else f"not installed at {AXE} (make test runs npm ci)",
        required_by=("NEWSROOM_REQUIRE_BROWSER", "NEWSROOM_REQUIRE_VALIDATORS"),
    )
    context = browser.new_context(locale=locale)
    page = context.new_page()
    for path in (ARTICLE, "/consent/", "/consent/cookies/"):
        page.goto(site + path)
        assert axe_violations(page) == [], path
    page.goto(site + ARTICLE)
    page.locator("[data-consent-open]").click()
    assert page.locator("[data-consent-dialog]").is_visible()
    assert axe_violations(page) == [], "dialog"
    context.close()


# The banner must leave most of a small phone's first screen to the story (issue 15).
SMALL_SCREEN = {"width": 320, "height": 640}
COMPACT_BANNER_PX = 200


@pytest.mark.parametrize(
    ("language", "accept", "reject"),
    [("en", "Accept all", "Reject all"), ("fr", "Tout accepter", "Tout refuser")],
)
def test_banner_takes_under_a_third_of_a_small_screen(browser, site, language, accept, reject):
    context = browser.new_context(
        viewport=SMALL_SCREEN, extra_http_headers={"Accept-Language": language}
    )
    page = context.new_page()
    page.goto(site + ARTICLE)

    banner = page.locator("[data-consent-banner]").bounding_box()
    assert banner["height"] <= COMPACT_BANNER_PX
    boxes = [page.get_by_role("button", name=name).bounding_box() for name in (accept, reject)]
    for box in boxes:
        # Whole, inside the first screen, and a comfortable target.
        assert box["y"] >= 0 and box["y"] + box["height"] <= SMALL_SCREEN["height"]
        assert box["height"] >= 44
    # Equal prominence: the same size in every language.
    assert abs(boxes[0]["width"] - boxes[1]["width"]) <= 1
    assert abs(boxes[0]["height"] - boxes[1]["height"]) <= 1
    settings_link = page.locator("[data-consent-open]").bounding_box()
    assert settings_link["height"] >= 24
    assert settings_link["y"] + settings_link["height"] <= banner["y"] + banner["height"]
    context.close()


def test_reject_without_javascript_confirms_and_leads_back_to_the_story(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + ARTICLE)
    page.get_by_role("button", name="Reject all").click()
    page.wait_for_load_state()

    heading = page.get_by_role("heading", name="Your choice is saved")
    assert heading.is_visible()
    assert page.evaluate("document.activeElement.tagName") == "H1"
    assert "only necessary cookies will be used" in page.get_by_role("status").text_content()
    page.get_by_role("link", name="Continue reading").click()
    page.wait_for_load_state()
    assert page.url == site + ARTICLE
    assert page.locator("[data-consent-banner]").count() == 0
    assert "analytics:0" in consent_value(context)
    context.close()
