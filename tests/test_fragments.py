"""`{% once %}`: fragments kept per language and per value, never leaking between pages."""

from urllib.parse import quote

import pytest
from django.template import engines
from django.utils import translation

from newsroom.consent.models import Category
from newsroom.pagecache.fragments import VARIANTS_KEPT
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_a_fragment_is_kept_per_value_and_language():
    template = engines["django"].from_string(
        "{% load i18n fragments %}{% once who %}{% translate 'Search' context 'verb' %} "
        "{{ who }} {{ other }}{% endonce %}"
    )
    assert template.render({"who": "a", "other": "1"}) == "Search a 1"
    # `other` is not a key: the kept fragment answers.
    assert template.render({"who": "a", "other": "2"}) == "Search a 1"
    assert template.render({"who": "b", "other": "2"}) == "Search b 2"
    with translation.override("fr"):
        assert template.render({"who": "a", "other": "3"}) == "Rechercher a 3"


def test_a_changed_setting_forgets_what_was_kept(settings):
    template = engines["django"].from_string("{% load fragments %}{% once %}{{ x }}{% endonce %}")
    assert template.render({"x": "old"}) == "old"
    settings.NEWSROOM_SITE_NAME = "Renamed"
    assert template.render({"x": "new"}) == "new"


def test_the_masthead_marks_the_page_it_is_on_and_speaks_the_readers_language(client):
    story = make_article()
    for _ in range(2):
        home = client.get("/").content.decode()
        assert '<a href="/" aria-current="page">Latest</a>' in home
        topics = client.get("/tags/").content.decode()
        assert '<a href="/" aria-current="page">' not in topics
        assert '<a href="/tags/" aria-current="page">Topics</a>' in topics
        page = client.get(story.get_absolute_url()).content.decode()
        assert 'aria-current="page"' not in page
        french = client.get(story.get_absolute_url(), headers={"accept-language": "fr"})
        assert "Aller au contenu principal" in french.content.decode()
        assert "Skip to main content" in client.get(story.get_absolute_url()).content.decode()


def test_the_kept_banner_sends_each_reader_back_to_their_own_page(client, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    first, second = make_article(), make_article()
    for story in (first, second, first):
        page = client.get(story.get_absolute_url() + "?x=1&y=2").content.decode()
        path = story.get_absolute_url() + "?x=1&amp;y=2"
        assert page.count(f'<input type="hidden" name="next" value="{path}">') == 2
        assert f"?next={quote(story.get_absolute_url() + '?x=1&y=2', safe='/')}" in page


def test_a_renamed_category_shows_in_the_kept_banner_at_once(client, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    url = make_article().get_absolute_url()
    assert "Audience counting" not in client.get(url).content.decode()
    analytics = Category.objects.get(key="analytics")
    analytics.name = "Audience counting"
    analytics.save()
    assert "Audience counting" in client.get(url).content.decode()


def test_when_every_place_is_taken_the_fragment_starts_afresh_and_keeps_the_new_value():
    template = engines["django"].from_string(
        "{% load fragments %}{% once key %}{{ key }} {{ other }}{% endonce %}"
    )
    for n in range(VARIANTS_KEPT):
        template.render({"key": n, "other": "first"})
    # A generation that moved on: the newest value is kept although the old ones filled it.
    assert template.render({"key": "new", "other": "first"}) == "new first"
    assert template.render({"key": "new", "other": "second"}) == "new first"


def jinja(source: str):
    return engines["jinja2"].from_string(source)


def test_a_jinja_fragment_is_kept_per_name_value_and_language():
    template = jinja(
        '{% call once("test:a", who) %}{{ pgettext("verb", "Search") }} {{ who }} {{ other }}'
        "{% endcall %}"
    )
    assert template.render({"who": "a", "other": "1"}) == "Search a 1"
    assert template.render({"who": "a", "other": "2"}) == "Search a 1"
    assert template.render({"who": "b", "other": "2"}) == "Search b 2"
    with translation.override("fr"):
        assert template.render({"who": "a", "other": "3"}) == "Rechercher a 3"
    # Another name is another fragment, whatever its values.
    other = jinja('{% call once("test:b", who) %}{{ other }}{% endcall %}')
    assert other.render({"who": "a", "other": "4"}) == "4"


def test_a_jinja_fragment_keeps_nothing_for_none_and_takes_a_missing_name_as_empty():
    template = jinja('{% call once("test:none", key) %}{{ other }}{% endcall %}')
    assert template.render({"key": None, "other": "1"}) == "1"
    assert template.render({"key": None, "other": "2"}) == "2"
    assert template.render({"other": "3"}) == "3"
    assert template.render({"key": "", "other": "4"}) == "3"


def test_a_changed_setting_forgets_what_jinja_kept(settings):
    template = jinja('{% call once("test:setting") %}{{ x }}{% endcall %}')
    assert template.render({"x": "old"}) == "old"
    settings.NEWSROOM_SITE_NAME = "Renamed"
    assert template.render({"x": "new"}) == "new"
