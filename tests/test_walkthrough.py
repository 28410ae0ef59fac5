"""The editors' day in a real browser: a writer imports and submits, an editor publishes.

The site starts empty (migrated, no seeds) with one writer and one editor, so everything the
reader finally sees was made through the admin. Each step leaves a screenshot in
test-artifacts/walkthrough/ for a person to look at when the test fails in CI. See
tests/browser.py for the server, the browser, and when these tests skip or fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import ROOT, running_site

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site

SEED = ROOT / "seeds" / "000_25d00d43ab60b8b4.txt"
HEADLINE = "Japan's Defence Minister Visits Turkey for Defence Cooperation, Drones"
NEW_HEADLINE = "Japan and Turkey talk drones as defence ties deepen"
# The address is made from the headline at import and keeps it when the headline changes.
SLUG = "japans-defence-minister-visits-turkey-for-defence-cooperation-drones"
PASSWORD = "walkthrough-password-1234"
SCREENSHOTS = ROOT / "test-artifacts" / "walkthrough"

MAKE_USERS = f"""
from django.contrib.auth.models import Group, User
for username, role in (("wanda", "Writer"), ("eddie", "Editor")):
    user = User.objects.create_user(username, password={PASSWORD!r}, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    """A gunicorn server with no stories, a writer "wanda" and an editor "eddie"."""
    make_users = ("shell", "-c", MAKE_USERS)
    with running_site(tmp_path_factory.mktemp("walkthrough"), make_users) as base:
        yield base


class Camera:
    """Numbered screenshots, in the order the steps happen."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        # Pictures from an earlier run would pass for this one's.
        for old in folder.glob("[0-9][0-9]-*.png"):
            old.unlink()
        self.folder = folder
        self.taken: list[Path] = []

    def shoot(self, page, step: str) -> None:
        path = self.folder / f"{len(self.taken) + 1:02d}-{step}.png"
        page.screenshot(path=path, full_page=True)
        self.taken.append(path)


def log_in(browser, site: str, username: str, errors: list[str]):
    context = browser.new_context()
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    page.goto(site + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(site + "/admin/")
    return context, page


def success_message(page) -> str:
    return page.locator(".messagelist .success").inner_text()


def test_a_writer_imports_and_submits_and_an_editor_publishes_the_new_headline(browser, site):
    camera = Camera(SCREENSHOTS)
    errors: list[str] = []
    changelist = site + "/admin/news/article/"

    # The writer imports the scraped file: a dry run first, then the import.
    writer, page = log_in(browser, site, "wanda", errors)
    page.goto(changelist)
    page.get_by_role("link", name="Import scraped files").click()
    assert page.locator("input[name=publish]").count() == 0
    page.set_input_files("input[name=files]", str(SEED))
    camera.shoot(page, "writer-chooses-the-file")
    page.get_by_role("button", name="Upload and check").click()
    report = page.locator("#content-main").inner_text()
    assert f"{SEED.name}: would be created /news/{SLUG}/ (10 paragraphs, 2 related links)" in report
    assert "Dry run, nothing written" in report
    camera.shoot(page, "writer-reads-the-dry-run")
    page.get_by_role("button", name="Confirm import").click()
    page.wait_for_url(changelist)
    assert "Import done: 1 created" in success_message(page)
    camera.shoot(page, "writer-sees-the-import-done")

    # The writer changes the headline and submits the story for review.
    page.get_by_role("link", name=HEADLINE).click()
    page.wait_for_url(re.compile(r".*/admin/news/article/\d+/change/$"))
    statuses = page.locator("#id_status option").evaluate_all("els => els.map(e => e.value)")
    assert sorted(statuses) == ["draft", "review"]
    assert page.get_by_role("button", name="Publish now").count() == 0
    page.fill("#id_title", NEW_HEADLINE)
    camera.shoot(page, "writer-edits-the-headline")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(changelist)
    assert NEW_HEADLINE in success_message(page)
    camera.shoot(page, "writer-has-submitted-for-review")
    writer.close()

    # The editor previews the story, then publishes it.
    editor, page = log_in(browser, site, "eddie", errors)
    page.goto(changelist)
    page.get_by_role("link", name=NEW_HEADLINE).click()
    page.wait_for_url(re.compile(r".*/admin/news/article/\d+/change/$"))
    change_form = page.url
    assert page.input_value("#id_status") == "review"
    assert page.input_value("#id_slug") == SLUG
    preview = page.input_value("#newsroom-preview-link")
    assert preview.startswith(site + "/preview/")
    page.goto(preview)
    assert page.locator(".preview-notice").inner_text().startswith("Preview.")
    assert page.locator("h1").inner_text() == NEW_HEADLINE
    camera.shoot(page, "editor-previews")
    page.goto(change_form)
    camera.shoot(page, "editor-publishes")
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_url(changelist)
    assert NEW_HEADLINE in success_message(page)
    camera.shoot(page, "editor-has-published")
    editor.close()

    # A reader, with no account, finds the story under its new headline.
    reader = browser.new_context()
    page = reader.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    response = page.goto(f"{site}/news/{SLUG}/")
    assert response is not None
    assert response.status == 200
    assert page.locator("h1").inner_text() == NEW_HEADLINE
    camera.shoot(page, "reader-sees-the-story")
    reader.close()

    assert errors == []
    assert [path.name for path in sorted(SCREENSHOTS.glob("*.png"))] == [
        path.name for path in camera.taken
    ]
