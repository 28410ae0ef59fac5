"""The trash screen and "someone else is editing" in a real browser: axe, and the banner's script.

A gunicorn site with two editors and two stories, one of them in the trash (tests/browser.py
says when these tests skip or fail). axe-core runs as in tests/test_accessibility.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.browser import running_site
from tests.test_accessibility import axe_violations

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site

PASSWORD = "desk-browser-password-1234"
MAKE_DESK = f"""
from django.contrib.auth.models import Group, User

from newsroom.news import writing
from tests.factories import make_article, make_author

editors = []
for username, first, last in (("eddie", "Eddie", "Okafor"), ("erin", "Erin", "Quist")):
    user = User.objects.create_user(
        username, password={PASSWORD!r}, is_staff=True, first_name=first, last_name=last
    )
    user.groups.add(Group.objects.get(name="Editor"))
    editors.append(user)
author = make_author(name="Ann Lee", slug="ann-lee")
for title in ("Harbour talks resume", "Ferry timetable changes", "Bridge repairs begin"):
    make_article(title=title, authors=[author])
gone = make_article(title="Gulls over the pier", slug="gulls-over-the-pier", authors=[author])
writing.trash(gone, user=editors[0])
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    with running_site(tmp_path_factory.mktemp("desk"), ("shell", "-c", MAKE_DESK)) as base:
        yield base


@contextmanager
def signed_in(browser, site: str, username: str, *, javascript: bool = True) -> Iterator:
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(site + "/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(site + "/admin/")
        yield page
        assert errors == []
    finally:
        context.close()


def open_story(page, site: str, title: str) -> None:
    page.goto(site + "/admin/news/article/")
    page.get_by_role("link", name=title).click()
    page.wait_for_url(re.compile(r".*/admin/news/article/\d+/change/$"))


def ping_now(page) -> None:
    """What the script does every 45 seconds, now: it pings again when the page is shown."""
    with page.expect_response(re.compile(r".*/presence/$")):
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")


def wait_for_note(page, text: str) -> None:
    """The banner's script writes the answer once it has read it: wait for it."""
    page.locator("[data-presence-notes]").get_by_text(text).wait_for(timeout=5000)


def notes(page) -> str:
    return page.locator("[data-presence-notes]").inner_text()


def test_axe_finds_no_violations_on_the_trash_screen(browser, site):
    with signed_in(browser, site, "eddie") as page:
        page.goto(site + "/admin/news/article/")
        page.locator("#content-main").get_by_role("link", name="Trash").click()
        page.wait_for_url(site + "/admin/desk/deletedstory/")
        assert page.locator("#result_list").inner_text().count("Gulls over the pier") == 1
        assert axe_violations(page) == []


def test_axe_finds_no_violations_on_a_story_page_showing_another_editor(browser, site):
    with signed_in(browser, site, "erin") as first, signed_in(browser, site, "eddie") as second:
        open_story(first, site, "Harbour talks resume")
        open_story(second, site, "Harbour talks resume")
        assert "Someone else is editing this story: Erin Quist, since" in notes(second)
        assert second.get_by_role("button", name="Take over").is_visible()
        assert axe_violations(second, within="#newsroom-presence") == []


def test_the_banner_follows_who_comes_and_who_takes_over_while_the_page_is_open(browser, site):
    with signed_in(browser, site, "eddie") as first, signed_in(browser, site, "erin") as second:
        open_story(first, site, "Ferry timetable changes")
        assert not first.locator("[data-presence-notes]").is_visible()
        assert not first.get_by_role("button", name="Take over").is_visible()

        open_story(second, site, "Ferry timetable changes")
        ping_now(first)
        wait_for_note(first, "Someone else is editing this story: Erin Quist")
        assert first.get_by_role("button", name="Take over").is_visible()

        second.get_by_role("button", name="Take over").click()
        second.wait_for_url(re.compile(r".*/change/$"))
        second.get_by_text("You took over").wait_for()
        ping_now(first)
        wait_for_note(first, "Erin Quist took over this story at")
        assert "your unsaved changes may conflict" in notes(first)
        assert axe_violations(first, within="#newsroom-presence") == []


def test_without_javascript_the_banner_shows_and_take_over_works(browser, site):
    with (
        signed_in(browser, site, "erin") as first,
        signed_in(browser, site, "eddie", javascript=False) as second,
    ):
        open_story(first, site, "Bridge repairs begin")
        open_story(second, site, "Bridge repairs begin")
        assert "Someone else is editing this story: Erin Quist" in notes(second)
        second.get_by_role("button", name="Take over").click()
        second.wait_for_url(re.compile(r".*/change/$"))
        second.get_by_text("You took over").wait_for()
        ping_now(first)
        wait_for_note(first, "Eddie Okafor took over this story at")
