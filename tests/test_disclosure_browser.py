"""Story types and AI-use disclosure in a real browser, as the editors' guide pictures them.

An editor marks a new story as an AI-generated opinion piece and presses "Publish now" without
naming a reviewing editor: the form refuses, says why beside the field, and nothing is saved;
named as reviewer, she publishes it. A reader then sees the story's labels, and a fact check its
claim and verdict, with no axe violation in them.

With NEWSROOM_UPDATE_SCREENSHOTS=1 the guide's pictures are saved as docs/images/desk-*.png and
docs/images/story-*.png (the Camera of tests/test_desk_tour.py); otherwise nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser import manage, migrate, require_browser, serve, server_env
from tests.test_accessibility import axe_violations
from tests.test_desk_tour import DOCS_IMAGES, LARGEST_PICTURE, PASSWORD, Camera, log_in

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site

MAKE_DESK = f"""
from django.contrib.auth.models import User
from newsroom.news.models import Article
from tests.factories import make_article, make_author, make_fact_check, make_user

ann = make_author(name="Ann Lee", slug="ann-lee")
eddie = make_user(username="eddie", role="Editor", password={PASSWORD!r})
eddie.first_name, eddie.last_name = "Eddie", "Stone"
eddie.save()
make_fact_check(
    title="Did the harbour close for a month?",
    slug="harbour-fact-check",
    standfirst="A claim shared widely this week does not match the port's own records.",
    body="<p>The port's records show the harbour closed for four days, not a month.</p>",
    claim="The harbour was closed for a whole month.",
    claim_author="A post shared on social media",
    verdict="False",
    verdict_score=1,
    authors=[ann],
    ai_use=Article.AIUse.ASSISTED,
    ai_note="An AI tool transcribed the port's records; a reporter checked every figure.",
    reviewed_by=eddie,
)
"""


class GuideCamera(Camera):
    """The desk tour's camera, also for reader pages (story-*.png)."""

    def shoot_reader(self, page, name: str) -> None:
        if not self.on:
            return
        path = DOCS_IMAGES / f"story-{name}.png"
        page.screenshot(path=path)
        assert path.stat().st_size < LARGEST_PICTURE, f"{path.name} is too heavy for the docs"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    require_browser()
    env = server_env(tmp_path_factory.mktemp("disclosure"))
    env["NEWSROOM_PAGE_CACHE"] = "0"  # two workers, two local caches: see test_desk_tour.py
    migrate(env)
    manage(env, "shell", "-c", MAKE_DESK)
    with serve(env) as base:
        yield base


def test_an_ai_generated_story_is_published_only_once_an_editor_is_named(browser, site):
    camera = GuideCamera()
    errors: list[str] = []
    title = "Why the harbour needs a second breakwater"
    context, page = log_in(browser, site, "eddie", errors)
    page.goto(site + "/admin/news/article/add/")
    page.fill("#id_title", title)
    page.fill("#id_standfirst", "The storm showed what one wall cannot do.")
    body = page.get_by_role("textbox", name=re.compile(r"^Body:?$"))
    body.click()
    body.type("A second wall would have kept the ferries running.")
    page.locator("#bylines-group .add-row a").click()
    page.locator("#bylines-0 .select2-selection").click()
    page.locator(".select2-search__field").fill("Ann")
    page.get_by_role("option", name="Ann Lee").click()
    page.get_by_label("Type:").select_option(label="Opinion")
    page.get_by_label("Use of AI:").select_option(label="AI-generated")
    page.get_by_label("Note on AI use:").fill(
        "First draft written by an AI tool from our reporting; rewritten by Ann Lee."
    )

    page.get_by_role("button", name="Publish now").click()
    error = page.locator(".field-reviewed_by .errorlist")
    assert "without a reviewing editor" in error.inner_text()
    page.locator(".field-reviewed_by").scroll_into_view_if_needed()
    camera.shoot(page, "ai-review-refused")

    page.get_by_label("Reviewing editor:").select_option(label="Eddie Stone (eddie)")
    page.locator("fieldset", has_text="Type and disclosure").evaluate(
        "el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 16)"
    )
    camera.shoot(page, "type-and-disclosure")
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_url(site + "/admin/news/article/")
    assert title in page.locator(".messagelist .success").inner_text()
    # One story: the refused publish saved nothing.
    assert page.locator("#result_list").get_by_role("link", name=title, exact=True).count() == 1
    context.close()

    reader = browser.new_context(viewport={"width": 1280, "height": 800})
    story = reader.new_page()
    story.goto(site + "/")
    story.get_by_role("button", name="Reject all").click()
    card = story.locator("article.card", has_text=title)
    assert card.locator(".kind-label").all_text_contents() == ["Opinion", "AI-generated"]
    story.get_by_role("link", name=title).click()
    assert story.locator(".story__kind").text_content() == "Opinion"
    assert story.locator(".ai-label").text_content().startswith("AI-generated: First draft")
    assert axe_violations(story, within=".story__header") == []

    story.goto(site + "/news/harbour-fact-check/")
    assert "The harbour was closed for a whole month." in story.locator(".fact-check").inner_text()
    assert axe_violations(story, within=".story") == []
    camera.shoot_reader(story, "fact-check")
    reader.close()
    assert errors == []
