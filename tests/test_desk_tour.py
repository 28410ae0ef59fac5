"""The editors' guide's tour in a real browser: every step the guide pictures, each checked.

A writer drafts a story with a byline, adds a guest author and drags them first, and submits
it; an editor publishes it with "Publish now" and schedules a second one,
with a lead image, with "Schedule for ..."; a reader with no account opens the scheduled story's
preview link and sees the image; two editors open the same story and see each other, the
second's save is refused with what the first changed; a revision is previewed and restored; a
story goes to the trash and comes back.

With NEWSROOM_UPDATE_SCREENSHOTS=1 the steps the guide shows are saved as
docs/images/desk-*.png (1280 x 800, what the window shows); without it nothing in the repository
is written, so CI checks the steps without rewriting the pictures.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date, timedelta
from io import BytesIO

import pytest
from PIL import Image

from tests.browser import ROOT, manage, migrate, require_browser, serve, server_env

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site

PASSWORD = "desk-tour-password-1234"
DOCS_IMAGES = ROOT / "docs" / "images"
LARGEST_PICTURE = 150 * 1024

MAKE_DESK = f"""
from tests.factories import make_author, make_user

make_author(name="Ann Lee", slug="ann-lee")
for username, role in (("wanda", "Writer"), ("eddie", "Editor"), ("edna", "Editor")):
    make_user(username=username, role=role, password={PASSWORD!r})
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    require_browser()
    env = server_env(tmp_path_factory.mktemp("tour"))
    migrate(env)
    manage(env, "shell", "-c", MAKE_DESK)
    with serve(env) as base:
        yield base


class Camera:
    """The guide's pictures, taken only when NEWSROOM_UPDATE_SCREENSHOTS is set."""

    def __init__(self, *, prefix: str = "desk") -> None:
        self.on = bool(os.environ.get("NEWSROOM_UPDATE_SCREENSHOTS"))
        self.prefix = prefix

    def shoot(self, page, name: str) -> None:
        if not self.on:
            return
        path = DOCS_IMAGES / f"{self.prefix}-{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=path)
        assert path.stat().st_size < LARGEST_PICTURE, f"{path.name} is too heavy for the docs"


def png() -> dict:
    buffer = BytesIO()
    Image.new("RGB", (640, 360), "#0b4f8a").save(buffer, format="PNG")
    return {"name": "harbour.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def log_in(browser, site: str, username: str, errors: list[str]):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(site + "/admin/")
    return context, page


def success_message(page) -> str:
    return page.locator(".messagelist .success").inner_text()


def write_story(page, site: str, *, title: str, body: str, guest: str = "") -> None:
    """Fill the add form: headline, summary, body, and Ann Lee in the byline; with `guest`, a
    new guest author typed in a second row and dragged first."""
    page.goto(site + "/admin/news/article/add/")
    page.fill("#id_title", title)
    page.fill("#id_standfirst", "What happened, in one sentence.")
    editor = page.get_by_role("textbox", name=re.compile(r"^Body:?$"))
    editor.click()
    editor.type(body)
    page.locator("#bylines-group .add-row a").click()
    page.locator("#bylines-0 .select2-selection").click()
    page.locator(".select2-search__field").fill("Ann")
    page.get_by_role("option", name="Ann Lee").click()
    if guest:
        page.locator("#bylines-group .add-row a").click()
        page.fill("#id_bylines-1-new_author", guest)
        # Dragged by its handle above Ann Lee (the Move up/down buttons do the same by keyboard).
        page.drag_and_drop("#bylines-1 .byline-handle", "#bylines-0")
        assert page.locator("#bylines-group").get_by_role("status").inner_text() == (
            f"Moved {guest} to position 1 of 2."
        )


def open_story(page, site: str, title: str) -> str:
    page.goto(site + "/admin/news/article/")
    page.get_by_role("link", name=title, exact=True).click()
    page.wait_for_url(re.compile(r".*/admin/news/article/\d+/change/$"))
    page.locator(".prose-editor .tiptap[contenteditable]").wait_for()
    return page.url


def test_the_editors_guide_tour(browser, site):
    camera = Camera()
    errors: list[str] = []
    changelist = site + "/admin/news/article/"
    first, second = "Harbour reopens after the storm", "Ferry timetable for the summer"

    # A writer drafts a story with a byline and submits it for review.
    writer, page = log_in(browser, site, "wanda", errors)
    write_story(
        page, site, title=first, body="The harbour opened again on Monday.", guest="Port Wire"
    )
    assert page.get_by_role("button", name="Publish now").count() == 0
    page.locator(".submit-row").scroll_into_view_if_needed()
    camera.shoot(page, "writer-drafts")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(changelist)
    assert first in success_message(page)
    writer.close()

    # An editor publishes it with "Publish now"; readers find it.
    editor, page = log_in(browser, site, "eddie", errors)
    story = open_story(page, site, first)
    assert page.input_value("#id_status") == "review"
    page.locator(".submit-row").scroll_into_view_if_needed()
    camera.shoot(page, "editor-publishes")
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_url(changelist)
    assert first in success_message(page)
    reader = browser.new_context(viewport={"width": 1280, "height": 800})
    reader_page = reader.new_page()
    slug = "harbour-reopens-after-the-storm"
    published = reader.request.get(f"{site}/news/{slug}/")
    assert published.status == 200
    # The guest author the writer added, first where the writer moved them.
    byline = re.search(r'<p class="byline"[^>]*>(.*?)</p>', published.text(), re.S).group(1)
    assert " ".join(re.sub(r"<[^>]+>", "", byline).split()) == "By Port Wire and Ann Lee"

    # The editor schedules a second story, with a lead image, for two days ahead.
    write_story(page, site, title=second, body="Boats leave every hour from June.")
    page.set_input_files("#id_lead_image", png())
    page.fill("#id_lead_image_alt", "The harbour's blue ferry at the quay.")
    when = date.today() + timedelta(days=2)
    page.get_by_label("Publication date").fill(when.isoformat())
    page.get_by_label("Publication time").fill("07:00:00")
    page.locator(".submit-row").scroll_into_view_if_needed()
    camera.shoot(page, "editor-schedules")
    page.get_by_role("button", name=re.compile("^Schedule for")).click()
    page.wait_for_url(changelist)
    assert second in success_message(page)
    open_story(page, site, second)
    assert "goes live by itself" in page.locator(".newsroom-status").inner_text()
    preview = page.input_value("#newsroom-preview-link")

    # A reader with no account opens the preview link and sees the lead image.
    reader_page.goto(preview)
    assert reader_page.locator("h1").inner_text() == second
    image = reader_page.get_by_role("img", name="The harbour's blue ferry at the quay.")
    assert image.evaluate("img => img.complete && img.naturalWidth") > 0
    assert reader.request.get(f"{site}/news/ferry-timetable-for-the-summer/").status == 404
    reader_page.goto(preview)
    camera.shoot(reader_page, "reader-previews")

    # Two editors open the same story and see each other; the second save is refused.
    other, other_page = log_in(browser, site, "edna", errors)
    open_story(other_page, site, first)
    assert "eddie" in other_page.locator("#newsroom-presence .warning").inner_text()
    open_story(page, site, first)
    assert "edna" in page.locator("#newsroom-presence .warning").inner_text()
    camera.shoot(page, "presence")
    page.fill("#id_title", "Harbour reopens a week after the storm")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(changelist)
    assert "a week after" in success_message(page)
    other_page.fill("#id_standfirst", "Boats are back.")
    other_page.get_by_role("button", name="Save", exact=True).click()
    conflict = other_page.get_by_role("region", name="What eddie changed since you opened")
    assert "a week after" in conflict.inner_text()
    conflict.scroll_into_view_if_needed()
    camera.shoot(other_page, "conflict")
    other.close()

    # The editor previews the first revision, then restores it through its confirmation.
    page.goto(story.replace("/change/", "/revisions/"))
    camera.shoot(page, "revisions")
    page.get_by_role("link", name="Preview revision 1", exact=True).click()
    assert page.locator("h1").inner_text() == first
    page.go_back()
    page.get_by_role("link", name=re.compile(r"^Restore revision 1\b")).click()
    assert "What would change" in page.locator("#content").inner_text()
    camera.shoot(page, "restore")
    page.get_by_role("button", name="Restore revision 1", exact=False).click()
    page.wait_for_url(story)
    assert page.locator(".messagelist li").filter(has_text="Restored revision 1").count() == 1
    open_story(page, site, first)
    assert page.input_value("#id_title") == first

    # The story goes to the trash, readers lose it, and it comes back from there.
    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Yes, move it to the trash").click()
    page.wait_for_url(changelist)
    assert reader.request.get(f"{site}/news/{slug}/").status == 404
    page.goto(site + "/admin/desk/deletedstory/")
    row = page.get_by_role("row").filter(has_text=first)
    row.get_by_role("checkbox").check()
    page.select_option("select[name=action]", label="Restore selected stories")
    camera.shoot(page, "trash")
    page.get_by_role("button", name="Go").click()
    restored = page.locator(".messagelist li").filter(has_text=f"Restored \u201c{first}")
    restored.wait_for()
    assert restored.count() == 1
    assert reader.request.get(f"{site}/news/{slug}/").status == 200

    reader.close()
    editor.close()
    assert errors == []
