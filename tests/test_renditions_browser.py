"""Lead images in real Chromium: a narrow phone and a wide screen each load the one copy that
fits (WebP, the smallest wide enough), and the story form's focal-point picker sets the point
with a click.

With NEWSROOM_UPDATE_SCREENSHOTS=1 the picker is pictured for the editors' guide
(docs/images/desk-focal-point.png); without it nothing in the repository is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser import manage, migrate, require_browser, serve, server_env
from tests.test_desk_tour import PASSWORD, Camera, log_in

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site

SLUG = "harbour-at-dawn"

MAKE_STORY = f"""
import io
from django.core.files.base import ContentFile
from PIL import Image
from newsroom.news.models import Article
from tests.factories import make_article, make_user

make_user(username="eddie", role="Editor", password={PASSWORD!r})
picture = Image.new("RGB", (2400, 1350), (11, 79, 138))
picture.paste((240, 200, 40), (1500, 300, 2100, 900))
out = io.BytesIO()
picture.save(out, "JPEG", quality=85)
story = make_article(title="The harbour at dawn", slug={SLUG!r})
story.lead_image.save("harbour.jpg", ContentFile(out.getvalue()), save=False)
story.lead_image_alt = "The harbour's blue water with a yellow ferry on the right."
story.save()
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    require_browser()
    env = server_env(tmp_path_factory.mktemp("renditions"))
    env["NEWSROOM_PAGE_CACHE"] = "0"
    migrate(env)
    manage(env, "shell", "-c", MAKE_STORY)
    with serve(env) as base:
        yield base


def images_loaded(browser, site: str, width: int) -> list[str]:
    """The lead-image files a fresh window `width` pixels wide (scale 1) fetched for the story."""
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    loaded: list[str] = []
    page.on(
        "response",
        lambda response: (
            loaded.append(response.url.rsplit("/", 1)[-1])
            if "/media/" in response.url and response.ok
            else None
        ),
    )
    page.goto(f"{site}/news/{SLUG}/")
    page.wait_for_load_state("networkidle")
    current = page.eval_on_selector(".story__figure img", "img => img.currentSrc")
    context.close()
    assert current.rsplit("/", 1)[-1] in loaded
    return loaded


@pytest.mark.parametrize(("width", "copy"), [(320, "w480.webp"), (1600, "w800.webp")])
def test_the_browser_loads_only_the_copy_that_fits_its_screen(browser, site, width, copy):
    assert images_loaded(browser, site, width) == [copy]


def test_the_focal_point_picker_sets_the_point_with_a_click(browser, site):
    camera = Camera()
    errors: list[str] = []
    context, page = log_in(browser, site, "eddie", errors)
    page.goto(site + "/admin/news/article/")
    page.get_by_role("link", name="The harbour at dawn", exact=True).click()
    page.wait_for_url(re.compile(r".*/admin/news/article/\d+/change/$"))
    picture = page.get_by_role("img", name="The lead image: click to set its focal point")
    picture.scroll_into_view_if_needed()
    box = picture.bounding_box()
    # The yellow ferry: three quarters across, not quite half way down.
    picture.click(position={"x": box["width"] * 0.75, "y": box["height"] * 0.45})
    assert page.input_value("#id_lead_image_focal_x") == "0.75"
    assert page.input_value("#id_lead_image_focal_y") == "0.45"
    mark = page.locator(".focal-picker__mark").bounding_box()
    assert abs(mark["x"] + mark["width"] / 2 - (box["x"] + box["width"] * 0.75)) < 2
    # The guide's picture: the Lead image section from its heading.
    page.locator("#id_lead_image").evaluate("input => input.closest('fieldset').scrollIntoView()")
    camera.shoot(page, "focal-point")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(site + "/admin/news/article/")
    context.close()
    assert errors == []
    # The reader's sharing card is now cut around the ferry (its name says the point).
    reader = browser.new_context()
    story = reader.new_page()
    story.goto(f"{site}/news/{SLUG}/")
    card = story.locator('meta[property="og:image"]').get_attribute("content")
    reader.close()
    assert card.endswith("/card-750-450.jpg")
