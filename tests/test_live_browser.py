"""Live coverage in real Chromium against a real server: an editor posts, a reader's open page
shows it without a reload (with JavaScript) or on a reload (without).

The site is gunicorn with a throwaway SQLite file (tests/browser.py), its pages polled every
two seconds instead of twenty (NEWSROOM_LIVE_POLL_SECONDS) so the test need not wait long.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import manage, migrate, require_browser, serve, server_env
from tests.test_accessibility import axe_violations

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site

PASSWORD = "a-long-test-password-1"
MAKE_SITE = f"""
from datetime import timedelta

from django.utils import timezone

from tests.factories import make_author, make_live_story, make_update, make_user

editor = make_user(username="live-editor", role="Editor", password="{PASSWORD}")
ann = make_author(name="Ann Lee", slug="ann-lee")
story = make_live_story(title="Count night", slug="count-night", authors=[ann])
for n in range(3):
    make_update(
        article=story,
        headline=f"Seat {{n}} declared",
        shown_at=timezone.now() - timedelta(minutes=10 - n),
    )
print(story.pk)
"""
LIVE = "/news/count-night/"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[dict]:
    require_browser()
    env = {**server_env(tmp_path_factory.mktemp("live-site")), "NEWSROOM_LIVE_POLL_SECONDS": "2"}
    migrate(env)
    story_pk = int(manage(env, "shell", "-c", MAKE_SITE).strip().splitlines()[-1])
    with serve(env) as base:
        yield {"base": base, "change": f"{base}/admin/news/article/{story_pk}/change/"}


def editor_posts(browser, site: dict, *, headline: str, body: str) -> None:
    """A second browser context: the editor logs in and posts through the story's page."""
    context = browser.new_context()
    page = context.new_page()
    try:
        log_in(page, site)
        page.goto(site["change"])
        form = page.locator("form.newsroom-live__post")
        form.get_by_label("Headline").fill(headline)
        form.get_by_label("Update").fill(body)
        form.get_by_role("button", name="Post update").click()
        page.get_by_text("Update posted: readers see it now.").wait_for()
        panel = page.locator("#live-coverage")
        assert panel.get_by_role("cell", name=headline, exact=False).count() == 1
    finally:
        context.close()


def log_in(page, site: dict) -> None:
    page.goto(site["base"] + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("live-editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_an_update_posted_elsewhere_appears_on_the_open_page_without_a_reload(browser, site):
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(site["base"] + LIVE)
    page.evaluate("window.loadedOnce = true")
    first = page.locator("[data-live-list] .update").first
    before = first.bounding_box()

    editor_posts(browser, site, headline="Result declared", body="The count is over.")

    button = page.get_by_role("button", name="Show 1 new update")
    button.wait_for(timeout=20_000)
    assert page.locator("[data-live-status]").text_content() == "1 new update"
    # Held back: nothing has moved under the reader's eyes.
    assert first.bounding_box() == before
    assert page.get_by_text("Result declared").count() == 0
    assert axe_violations(page) == []

    button.click()
    newest = page.locator("[data-live-list] .update").first
    assert newest.locator("h3").text_content() == "Result declared"
    assert page.evaluate("document.activeElement.id") == newest.get_attribute("id")
    assert button.is_hidden()
    assert page.evaluate("window.loadedOnce") is True  # the same page: no reload
    assert page.locator("[data-live-list] .update").count() == 4
    assert problems == []
    context.close()


def test_without_javascript_a_reload_shows_a_new_update(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site["base"] + LIVE)
    assert page.get_by_text("Polls reopen").count() == 0
    assert page.locator("[data-live-show]").is_hidden()

    editor_posts(browser, site, headline="Polls reopen", body="A recount is ordered.")

    page.reload()
    assert page.get_by_role("heading", name="Polls reopen").is_visible()
    update = page.locator("[data-live-list] .update").first
    assert update.get_by_text("A recount is ordered.").is_visible()
    context.close()


def test_posting_an_update_keeps_the_stories_unsaved_edits(browser, site):
    """The panel's "Post update" used to reload the story's page and throw away what the editor
    had typed in the story; now it posts in the background and leaves the story's form alone."""
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        log_in(page, site)
        page.goto(site["change"])
        page.evaluate("window.loadedOnce = true")
        title = page.locator("#id_title")
        title.fill("Count night: the final seats")
        form = page.locator("form.newsroom-live__post")

        # A mistake comes back in the panel, with what was typed, and the story's edit stays.
        form.get_by_label("Headline").fill("No text yet")
        form.get_by_label("Update").fill("   ")  # passes the browser's check, not the server's
        form.get_by_role("button", name="Post update").click()
        page.locator("form.newsroom-live__post .errornote").first.wait_for()
        assert form.get_by_text("Write the update first: it has no text.").is_visible()
        assert form.get_by_label("Headline").input_value() == "No text yet"
        assert title.input_value() == "Count night: the final seats"

        form.get_by_label("Update").fill("Seat 4 goes to a recount.")
        form.get_by_role("button", name="Post update").click()
        page.get_by_text("Update posted: readers see it now.").wait_for()
        assert page.evaluate("window.loadedOnce") is True  # the same page: no reload
        assert title.input_value() == "Count night: the final seats"
        panel = page.locator("#live-coverage")
        assert panel.get_by_role("cell", name="No text yet", exact=False).count() == 1
        assert page.locator("form.newsroom-live__post").get_by_label("Update").input_value() == ""

        # Leaving with the story's edits unsaved asks first; staying keeps them.
        asked: list[str] = []

        def stay(dialog) -> None:
            asked.append(dialog.type)
            dialog.dismiss()

        page.on("dialog", stay)
        page.locator("a", has_text="All updates of this story").click(no_wait_after=True)
        page.wait_for_timeout(500)
        assert asked == ["beforeunload"]
        assert title.input_value() == "Count night: the final seats"
        assert problems == []
    finally:
        context.close()
