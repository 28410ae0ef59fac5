"""The byline's order in a real browser (bylines.js): the keyboard buttons, dragging, axe.

A gunicorn site with a writer, an editor and the writer's draft with three authors
(tests/browser.py says when these tests skip or fail). Each test saves the story as the writer,
then an editor publishes it and the reader page shows the byline in the order chosen.
"""

from __future__ import annotations

import pytest

from tests.browser import running_site
from tests.test_accessibility import axe_violations
from tests.test_desk_browser import open_story, signed_in

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site

PASSWORD = "desk-browser-password-1234"
MAKE_DESK = f"""
from django.contrib.auth.models import Group, User

from newsroom.news.models import Article
from tests.factories import make_article, make_author

for username, role in (("wren", "Writer"), ("eddie", "Editor")):
    user = User.objects.create_user(username, password={PASSWORD!r}, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
authors = [make_author(name=name) for name in ("Ann Lee", "Bo Chen", "Cy Dunn")]
for title, slug in (("Keyboard story", "keyboard-story"), ("Dragged story", "dragged-story")):
    make_article(
        title=title,
        slug=slug,
        status=Article.Status.DRAFT,
        authors=authors,
        created_by=User.objects.get(username="wren"),
    )
"""
INLINE = "#bylines-group"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with running_site(tmp_path_factory.mktemp("bylines"), ("shell", "-c", MAKE_DESK)) as base:
        yield base


def save(page) -> None:
    page.get_by_role("button", name="Save and keep editing").click()
    page.wait_for_load_state()
    assert page.locator(".errornote").count() == 0, page.locator(".errornote").inner_text()


def reader_byline(browser, site: str, title: str, slug: str) -> str:
    """Publish the story as the editor and read its byline as readers see it."""
    with signed_in(browser, site, "eddie") as page:
        page.goto(site + "/admin/news/article/")
        page.get_by_role("row").filter(has_text=title).get_by_role("checkbox").check()
        page.select_option("select[name=action]", "publish_now")
        page.get_by_role("button", name="Run").or_(page.locator("button[name=index]")).click()
        page.wait_for_load_state()
        page.goto(f"{site}/news/{slug}/")
        return page.locator("p.byline").inner_text()


def test_writer_reorders_the_byline_with_the_keyboard_and_readers_see_it(browser, site):
    with signed_in(browser, site, "wren") as page:
        open_story(page, site, "Keyboard story")
        inline = page.locator(INLINE)
        # The numbers are hidden: the buttons take their place.
        assert inline.locator("input[name$='-position']:visible").count() == 0
        inline.locator("#bylines-0").get_by_role("button", name="Move down").focus()
        page.keyboard.press("Enter")
        status = inline.get_by_role("status")
        assert status.inner_text() == "Moved Ann Lee to position 2 of 3."
        # Focus stays on the button, which moved with its row: Space moves it again.
        page.keyboard.press("Space")
        assert status.inner_text() == "Moved Ann Lee to position 3 of 3."
        page.keyboard.press("Enter")
        assert status.inner_text() == "Ann Lee is already last."
        save(page)
    assert reader_byline(browser, site, "Keyboard story", "keyboard-story") == (
        "By Bo Chen, Cy Dunn and Ann Lee"
    )


def test_writer_drags_an_author_to_the_top_and_readers_see_it(browser, site):
    with signed_in(browser, site, "wren") as page:
        open_story(page, site, "Dragged story")
        page.drag_and_drop("#bylines-2 .byline-handle", "#bylines-0")
        assert page.locator(INLINE).get_by_role("status").inner_text() == (
            "Moved Cy Dunn to position 1 of 3."
        )
        save(page)
    assert reader_byline(browser, site, "Dragged story", "dragged-story") == (
        "By Cy Dunn, Ann Lee and Bo Chen"
    )


def test_axe_finds_no_violations_in_the_byline_rows(browser, site):
    with signed_in(browser, site, "wren") as page:
        page.goto(site + "/admin/news/article/add/")
        page.locator(INLINE).get_by_role("button", name="Add another author").click()
        # The rows: the table's headers are being fixed on their own (an empty header over the
        # rows' descriptions is Django's), in another change to the same form.
        assert axe_violations(page, within=f"{INLINE} tbody") == []
