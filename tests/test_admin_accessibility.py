"""axe-core on every screen of the desk (issue 15), signed in as the role that uses it.

The site is prepared in `manage.py shell` with the test factories: a writer, an editor and an
editor-in-chief; a writer's draft with a byline, a related link, topics and three revisions,
which another editor has open (so its change form shows the presence banner); a live story
with updates (the live-coverage panel); and a story in the trash. The axe helpers are
tests/test_accessibility.py's, so these screens meet the same rules as the reader's pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.browser import ROOT, manage, migrate, require_browser, serve, server_env
from tests.test_accessibility import axe_violations

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site

PASSWORD = "a-long-desk-password-1"
SEED = ROOT / "seeds" / "000_25d00d43ab60b8b4.txt"

MAKE_DESK = f"""
from newsroom.desk import presence
from newsroom.news import writing
from tests.factories import make_article, make_author, make_live_story, make_update, make_user

wanda = make_user(username="wanda", role="Writer", password="{PASSWORD}")
eddie = make_user(username="eddie", role="Editor", password="{PASSWORD}")
make_user(username="chief", role="Editor-in-chief", password="{PASSWORD}")
ann = make_author(name="Ann Lee")
draft = make_article(
    title="Drones at the fair", status="draft", created_by=wanda, authors=[ann],
    tags=["Defence", "Drones"], related=[("Earlier: the fair opens", "https://example.org/a")],
)
writing.finish(draft, user=wanda, summary="Created")
for title in ("Drones on show at the fair", "Drones take centre stage at the fair"):
    draft.title = title
    writing.save(draft, user=wanda)
    writing.finish(draft, user=wanda, summary="Changed the headline")
presence.opened(draft, eddie)
live = make_live_story(title="Count night", authors=[ann])
for n in range(3):
    make_update(article=live, headline=f"Seat {{n}} declared", authors=[ann])
gone = make_article(title="A story nobody wants", created_by=wanda)
writing.trash(gone, user=eddie)
print(draft.pk, live.pk)
"""


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Iterator[tuple[str, int, int]]:
    """The site's URL, the writer's draft's id and the live story's id."""
    require_browser()
    env = server_env(tmp_path_factory.mktemp("desk-axe"))
    migrate(env)
    draft, live = manage(env, "shell", "-c", MAKE_DESK).split()[-2:]
    with serve(env) as base:
        yield base, int(draft), int(live)


@contextmanager
def signed_in(browser, site: str, username: str) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(site + "/admin/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(site + "/admin/")
        yield page
    finally:
        context.close()


def editor_ready(page) -> None:
    """Wait for the body editor, where the page has one: axe must see it, not the textarea."""
    if page.locator("textarea[data-django-prose-editor-configurable]").count():
        page.locator(".prose-editor:has(#id_body) .tiptap[contenteditable]").wait_for()


# (who, address): {draft} and {live} are the stories' ids.
SCREENS = {
    "index": ("chief", "/admin/"),
    "story list": ("eddie", "/admin/news/article/"),
    "story list, writer": ("wanda", "/admin/news/article/"),
    "add a story, writer": ("wanda", "/admin/news/article/add/"),
    "add a story, editor": ("eddie", "/admin/news/article/add/"),
    "change a story, writer, with the presence banner": (
        "wanda",
        "/admin/news/article/{draft}/change/",
    ),
    "change a story, editor": ("eddie", "/admin/news/article/{draft}/change/"),
    "change a live story, with the live-coverage panel": (
        "eddie",
        "/admin/news/article/{live}/change/",
    ),
    "revisions": ("eddie", "/admin/news/article/{draft}/revisions/"),
    "revision preview": ("eddie", "/admin/news/article/{draft}/revisions/1/preview/"),
    "restore confirmation": ("eddie", "/admin/news/article/{draft}/revisions/1/restore/"),
    "trash": ("eddie", "/admin/desk/deletedstory/"),
    "people": ("chief", "/admin/desk/person/"),
    "add a person": ("chief", "/admin/desk/person/add/"),
    "topics": ("eddie", "/admin/news/topic/"),
    "authors": ("eddie", "/admin/news/author/"),
    "import upload": ("eddie", "/admin/news/article/import/"),
}


@pytest.mark.parametrize("name", SCREENS)
def test_axe_finds_no_violations_on_the_desk_screen(browser, desk, name):
    site, draft, live = desk
    who, address = SCREENS[name]
    with signed_in(browser, site, who) as page:
        response = page.goto(site + address.format(draft=draft, live=live))
        assert response.status == 200
        editor_ready(page)
        violations = axe_violations(page)
        assert violations == [], "\n".join(violations)


def test_the_presence_banner_is_on_the_screen_axe_checks(browser, desk):
    """The banner's screen is checked above only if the banner really shows on it."""
    site, draft, _ = desk
    with signed_in(browser, site, "wanda") as page:
        page.goto(f"{site}/admin/news/article/{draft}/change/")
        assert "eddie" in page.locator("#newsroom-presence .warning").inner_text()


def test_the_live_coverage_panel_is_on_the_screen_axe_checks(browser, desk):
    site, _, live = desk
    with signed_in(browser, site, "eddie") as page:
        page.goto(f"{site}/admin/news/article/{live}/change/")
        assert page.get_by_text("Seat 2 declared").count() >= 1


def test_the_body_editor_is_a_text_box_named_by_its_label(browser, desk):
    site, draft, _ = desk
    with signed_in(browser, site, "wanda") as page:
        page.goto(f"{site}/admin/news/article/{draft}/change/")
        editable = page.get_by_role("textbox", name=re.compile(r"^Body:?$"))
        assert editable.get_attribute("contenteditable") == "true"
        assert editable.get_attribute("aria-multiline") == "true"


def test_axe_finds_no_violations_on_the_login_page(browser, desk):
    site, _, _ = desk
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(site + "/admin/login/")
        violations = axe_violations(page)
        assert violations == [], "\n".join(violations)
        page.get_by_label("Username").fill("nobody")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        assert page.locator(".errornote").count() == 1
        violations = axe_violations(page)
        assert violations == [], "\n".join(violations)
    finally:
        context.close()


def test_axe_finds_no_violations_on_the_import_dry_run(browser, desk):
    site, _, _ = desk
    with signed_in(browser, site, "eddie") as page:
        page.goto(site + "/admin/news/article/import/")
        page.set_input_files("input[name=files]", str(SEED))
        page.get_by_role("button", name="Upload and check").click()
        page.wait_for_load_state()
        assert "Dry run, nothing written" in page.locator("#content-main").inner_text()
        violations = axe_violations(page)
        assert violations == [], "\n".join(violations)


def test_axe_finds_no_violations_on_a_refused_story_form(browser, desk):
    """The error list, the error note and the fields' messages checked too."""
    site, _, _ = desk
    with signed_in(browser, site, "wanda") as page:
        page.goto(site + "/admin/news/article/add/")
        page.get_by_role("button", name="Save draft").click()
        page.wait_for_load_state()
        assert page.locator(".errornote").count() == 1
        editor_ready(page)
        violations = axe_violations(page)
        assert violations == [], "\n".join(violations)


def test_axe_finds_no_violations_on_a_topic_and_the_merge(browser, desk):
    site, _, _ = desk
    with signed_in(browser, site, "eddie") as page:
        page.goto(site + "/admin/news/topic/")
        page.get_by_role("link", name="Drones", exact=True).click()
        page.wait_for_load_state()
        assert page.get_by_label("Address").input_value() == "drones"
        violations = axe_violations(page)
        assert violations == [], "\n".join(violations)
