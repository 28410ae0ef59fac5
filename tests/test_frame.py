"""The frame around every reader's page (templates/frame.jinja) is written once: the story page
extends it in Jinja2, and Django's pages reach it through base.html's `{% frame %}`."""

import re

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from newsroom.consent.context_processors import consent
from newsroom.news.context_processors import site
from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db


def part(page: str, start: str, end: str, *, path: str) -> str:
    """The piece of `page` from `start` to `end`, with the page's own address (the consent
    forms send the reader back to it) written as PATH."""
    found = re.search(re.escape(start) + ".*?" + re.escape(end), page, re.S)
    assert found, start
    return found.group(0).replace(path, "PATH")


def test_the_story_page_and_a_django_page_share_one_frame(client, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    author = make_author(name="Ada Reporter")
    story = make_article(authors=[author])
    for language in ("en", "fr"):
        headers = {"accept-language": language}
        pages = [
            (client.get(url, headers=headers).content.decode(), url)
            for url in (story.get_absolute_url(), author.get_absolute_url())
        ]
        for start, end in [
            ('<section class="consent-banner"', "</section>"),
            ('<header class="masthead">', "</header>"),
            ('<footer class="site-footer">', "</footer>"),
            ("<div hidden data-consent-gate", "</script>"),
        ]:
            story_part, author_part = (part(page, start, end, path=url) for page, url in pages)
            assert story_part == author_part
            assert "PATH" in story_part or not start.startswith("<section")


def render_django(source: str) -> str:
    request = RequestFactory().get("/somewhere/")
    context = {**site(request), **consent(request), "request": request}
    with translation.override("en-gb"):
        return engines["django"].from_string(source).render(context)


def test_a_block_a_django_page_leaves_alone_is_the_frames_own(settings):
    settings.NEWSROOM_SITE_NAME = "The Daily Test"
    page = render_django('{% extends "base.html" %}{% block content %}<p>Hi</p>{% endblock %}')
    assert page.startswith("<!DOCTYPE html>\n<html lang=")
    assert page.endswith("</html>\n")
    assert "<title>The Daily Test</title>" in page
    assert '<meta name="robots" content="max-image-preview:large">' in page
    assert 'title="The Daily Test: latest stories (RSS)"' in page
    assert '<main id="main" class="wrap" tabindex="-1">\n    <p>Hi</p>\n  </main>' in page


def test_a_django_pages_block_super_is_what_the_frame_writes_there(settings):
    settings.NEWSROOM_SITE_NAME = "The Daily Test"
    page = render_django(
        '{% extends "base.html" %}{% block title %}Mine · {{ block.super }}{% endblock %}'
        '{% block robots %}<meta name="x">{{ block.super }}{% endblock %}'
        '{% block feeds %}{{ block.super }}<link rel="x">{% endblock %}'
    )
    assert "<title>Mine · The Daily Test</title>" in page
    assert '<meta name="x"><meta name="robots" content="max-image-preview:large">' in page
    assert re.search(r'latest stories \(Atom\)" href="[^"]+"><link rel="x">', page)
    # Nothing of the blocks is written twice, nor outside the frame.
    assert page.count("<title") == 1
    assert page.count('<link rel="x">') == 1


def test_a_django_page_in_two_levels_gives_the_frame_its_own_blocks(client):
    page = client.get("/no-such-page/").content.decode()
    assert page.count("<!DOCTYPE html>") == 1
    assert page.count('<header class="masthead">') == 1
