"""An embed's facade in the body editor, in a real browser (static/desk/admin/prose-embed.js).

A gunicorn site with an editor and a draft whose body holds a YouTube and an X facade, as the
sanitiser stores them (tests/browser.py says when these tests skip or fail). Opening the story,
editing it and saving must keep each facade exactly: the editor once dropped any figure it did
not know, so a save lost the embed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from newsroom.markup.sanitize import clean_html
from tests.browser import manage, migrate, serve, server_env
from tests.test_desk_browser import PASSWORD, open_story, signed_in

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site

# What an editor pasted: two players, one with a title that needs escaping.
PASTED = (
    "<p>Before the clip.</p>"
    '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ?si=abc" '
    'title="It&#x27;s the &quot;harbour&quot; clip &amp; more"></iframe>'
    "<p>Between.</p>"
    '<iframe src="https://platform.twitter.com/embed/Tweet.html?id=20&amp;theme=dark"></iframe>'
    "<p>After the post.</p>"
)
BODY = clean_html(PASTED)
FACADES = re.findall(r"<figure\b.*?</figure>", BODY)
MAKE_DESK = f"""
from django.contrib.auth.models import Group, User

from newsroom.news.models import Article
from tests.factories import make_article

user = User.objects.create_user("eddie", password={PASSWORD!r}, is_staff=True)
user.groups.add(Group.objects.get(name="Editor"))
for title, slug in (("Harbour clip", "harbour-clip"), ("Ferry post", "ferry-post")):
    make_article(title=title, slug=slug, status=Article.Status.DRAFT, body={BODY!r})
"""
READ_STORIES = """
import json
from newsroom.news.models import Article
print(json.dumps({a.slug: [a.title, a.body] for a in Article.objects.all()}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    env = server_env(tmp_path_factory.mktemp("embed"))
    migrate(env)
    manage(env, "shell", "-c", MAKE_DESK)
    with serve(env) as base:
        yield base, env


def stored(env: dict[str, str], slug: str) -> list[str]:
    """The story's headline and body as the database holds them."""
    return json.loads(manage(env, "shell", "-c", READ_STORIES).splitlines()[-1])[slug]


def stored_body(env: dict[str, str], slug: str) -> str:
    return stored(env, slug)[1]


def stored_title(env: dict[str, str], slug: str) -> str:
    return stored(env, slug)[0]


def open_editor(page, base: str, title: str):
    """Open the story once its body editor has started; the embeds' placeholders in it."""
    open_story(page, base, title)
    page.locator(".prose-editor:has(#id_body) .tiptap[contenteditable]").wait_for()
    return page.locator(".prose-editor .ProseMirror .prose-embed")


def save(page) -> None:
    page.get_by_role("button", name="Save and keep editing").click()
    page.wait_for_load_state()
    assert page.locator(".errornote").count() == 0, page.locator(".errornote").inner_text()


def test_the_sanitisers_facades_are_what_the_test_body_holds():
    assert len(FACADES) == 2
    assert 'data-embed-provider="YouTube"' in FACADES[0]
    assert "Tweet.html?id=20&amp;dnt=true" in FACADES[1]


def test_editor_shows_each_embed_as_a_labelled_placeholder_that_fetches_nothing(browser, site):
    base, _env = site
    with signed_in(browser, base, "eddie") as page:
        placeholders = open_editor(page, base, "Harbour clip")
        assert placeholders.all_inner_texts() == [
            'Embedded YouTube video: YouTube: It\'s the "harbour" clip & more',
            "Embedded X post: X",
        ]
        link = placeholders.first.get_by_role("link")
        assert link.get_attribute("href") == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        assert page.locator(".prose-editor iframe").count() == 0


def test_saving_with_a_new_headline_keeps_the_bodys_embeds(browser, site):
    base, env = site
    with signed_in(browser, base, "eddie") as page:
        open_editor(page, base, "Harbour clip")
        page.fill("#id_title", "Harbour clip, retitled")
        # A key pressed and taken back: the body is the same, but it is now the editor's
        # output that the form sends, not the textarea's untouched first value.
        page.locator(".prose-editor .ProseMirror > p").first.click()
        page.keyboard.type("x")
        page.keyboard.press("Backspace")
        assert page.input_value("#id_body") == BODY
        save(page)
    assert stored_body(env, "harbour-clip") == BODY
    assert stored_title(env, "harbour-clip") == "Harbour clip, retitled"


def test_editing_the_body_keeps_its_embeds_exactly(browser, site):
    base, env = site
    with signed_in(browser, base, "eddie") as page:
        open_editor(page, base, "Ferry post")
        page.locator(".prose-editor .ProseMirror > p").last.click()
        page.keyboard.press("End")
        page.keyboard.type(" Typed.")
        sent = page.input_value("#id_body")
        save(page)
    # The editor writes back each facade byte for byte, and its output is already what the
    # sanitiser makes of it (__wrapped__: the cleaner itself, not its memory of its outputs).
    typed = BODY.replace("After the post.</p>", "After the post. Typed.</p>")
    assert sent == typed
    assert clean_html.__wrapped__(sent) == sent
    assert stored_body(env, "ferry-post") == typed


def test_an_embed_is_deleted_whole_like_any_block(browser, site):
    base, env = site
    with signed_in(browser, base, "eddie") as page:
        placeholders = open_editor(page, base, "Ferry post")
        placeholders.last.locator(".prose-embed__kind").click()
        page.keyboard.press("Delete")
        assert placeholders.count() == 1
        save(page)
    assert re.findall(r"<figure\b.*?</figure>", stored_body(env, "ferry-post")) == [FACADES[0]]
