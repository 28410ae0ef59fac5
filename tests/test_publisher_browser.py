"""The policies in a real browser: an editor writes the ethics policy with the body editor and
publishes it; a reader finds it in every page's footer, reads it, and finds it under /about/.
axe-core checks the Policies screens with tests/test_admin_accessibility.py's rules (in this
module, so that one's timed presence banner is not kept waiting).

With NEWSROOM_UPDATE_SCREENSHOTS=1 the steps the editors' guide shows are saved as
docs/images/policies-*.png (tests/test_desk_tour.py's Camera); without it nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser import running_site
from tests.test_accessibility import axe_violations
from tests.test_admin_accessibility import editor_ready
from tests.test_desk_tour import PASSWORD, Camera, log_in, success_message

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site

MAKE_DESK = f"""
from newsroom.publisher.models import Policy
from tests.factories import make_policy, make_user

make_user(username="eddie", role="Editor", password={PASSWORD!r})
make_policy(
    kind=Policy.Kind.CORRECTIONS,
    title="How we correct mistakes",
    summary="What we change, and how we tell you.",
    body="<p>When we get something wrong we say so at the foot of the story.</p>",
)
make_policy(kind=Policy.Kind.MASTHEAD, title="Who we are", is_live=False)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    with running_site(tmp_path_factory.mktemp("policies"), ("shell", "-c", MAKE_DESK)) as base:
        yield base


def test_an_editor_publishes_the_ethics_policy_and_readers_find_it(browser, site):
    camera = Camera(prefix="policies")
    errors: list[str] = []
    context, page = log_in(browser, site, "eddie", errors)
    try:
        page.get_by_role("link", name="Policies").first.click()
        page.wait_for_url(site + "/admin/publisher/policy/")
        page.get_by_role("link", name=re.compile("Add policy")).click()
        page.get_by_label("Kind").select_option("ethics")
        page.fill("#id_title", "Our ethics")
        page.fill("#id_summary", "How we report, and what we never do.")
        editor = page.get_by_role("textbox", name=re.compile(r"^Body:?$"))
        editor.click()
        editor.type("We name our sources unless that would put someone in danger.")
        page.get_by_label("Published").check()
        camera.shoot(page, "write")
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_url(site + "/admin/publisher/policy/")
        assert "Our ethics" in success_message(page)
        camera.shoot(page, "list")
    finally:
        context.close()

    reader = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = reader.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        page.goto(site + "/")
        footer = page.get_by_role("contentinfo")
        assert footer.get_by_role("link", name="Corrections policy").is_visible()
        # Not published: no link, and its address says not found.
        assert footer.get_by_role("link", name="Masthead").count() == 0
        footer.get_by_role("link", name="Ethics policy").click()
        page.wait_for_url(site + "/about/ethics/")
        assert page.get_by_role("heading", level=1).inner_text() == "Our ethics"
        assert "We name our sources" in page.locator("main").inner_text()
        page.get_by_role("button", name="Reject all").click()
        page.locator(".consent-banner__done").wait_for()
        page.reload()
        camera.shoot(page, "page")
        page.get_by_role("link", name="About us").first.click()
        page.wait_for_url(site + "/about/")
        titles = page.locator(".policy-list__title").all_inner_texts()
        assert titles == ["Our ethics", "How we correct mistakes"]
        assert page.goto(site + "/about/masthead/").status == 404
    finally:
        reader.close()
    assert errors == []


@pytest.mark.parametrize(
    "address",
    [
        "/admin/publisher/policy/",
        "/admin/publisher/policy/add/",
        "/admin/publisher/policy/1/change/",
    ],
)
def test_axe_finds_no_violations_on_the_policies_screens(browser, site, address):
    errors: list[str] = []
    context, page = log_in(browser, site, "eddie", errors)
    try:
        assert page.goto(site + address).status == 200
        editor_ready(page)
        violations = axe_violations(page)
        assert violations == [], "\n".join(violations)
    finally:
        context.close()
    assert errors == []
