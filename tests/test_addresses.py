"""Slug addresses without a full reverse() each (news/addresses.py): the same address, or the
same error, as reverse() for every slug, under any script prefix or URL configuration."""

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, path, reverse, set_script_prefix
from django.utils import translation
from django.views.generic import View

from newsroom.news.addresses import slug_url, topic_url

ROUTES = ["news:article_detail", "news:author_detail", "news:tag_detail"]
SLUGS = ["plain", "with-hyphens_and_9", "UPPER", "türkiye", "山田太郎", "a"]


@pytest.mark.parametrize("name", ROUTES)
@pytest.mark.parametrize("slug", SLUGS)
def test_the_same_address_as_reverse(name, slug):
    assert slug_url(name, slug) == reverse(name, kwargs={"slug": slug})


@pytest.mark.parametrize("slug", ["", "has space", "a/b", "dot.ted", "new\nline"])
def test_a_slug_the_route_refuses_raises_as_reverse_does(slug):
    with pytest.raises(NoReverseMatch):
        reverse("news:article_detail", kwargs={"slug": slug})
    with pytest.raises(NoReverseMatch):
        slug_url("news:article_detail", slug)


def test_an_unknown_route_raises():
    with pytest.raises(NoReverseMatch):
        slug_url("news:no_such_page", "plain")


def test_follows_the_script_prefix():
    assert slug_url("news:article_detail", "plain") == "/news/plain/"
    set_script_prefix("/site/")
    try:
        assert slug_url("news:article_detail", "plain") == "/site/news/plain/"
        assert slug_url("news:article_detail", "plain") == reverse(
            "news:article_detail", kwargs={"slug": "plain"}
        )
    finally:
        clear_script_prefix()
    assert slug_url("news:article_detail", "plain") == "/news/plain/"


urlpatterns = [
    path("elsewhere/<slug:slug>/page/", View.as_view(), name="article_detail"),
]


class I18nURLs:
    urlpatterns = i18n_patterns(path("story/<slug:slug>/", View.as_view(), name="story"))


def test_follows_the_language_of_a_route_under_i18n_patterns():
    with override_settings(ROOT_URLCONF=I18nURLs):
        for language in ("en-gb", "fr", "en-gb"):
            with translation.override(language):
                assert slug_url("story", "plain") == f"/{language}/story/plain/"


def test_follows_a_changed_url_configuration():
    assert slug_url("news:article_detail", "plain") == "/news/plain/"
    with override_settings(ROOT_URLCONF=__name__):
        assert slug_url("article_detail", "plain") == "/elsewhere/plain/page/"
        with pytest.raises(NoReverseMatch):
            slug_url("news:article_detail", "plain")
    assert slug_url("news:article_detail", "plain") == "/news/plain/"


def test_a_value_that_is_not_text_is_left_to_reverse():
    assert slug_url("news:article_detail", 42) == reverse(
        "news:article_detail", kwargs={"slug": 42}
    )


@pytest.mark.parametrize("slug", SLUGS)
def test_the_topic_filter_gives_what_the_url_tag_gives(slug):
    rendered = (
        engines["django"]
        .from_string(
            "{% load news_tags %}{% url 'news:tag_detail' slug %}|{{ slug|topic_url }}",
        )
        .render({"slug": slug})
    )
    by_tag, by_filter = rendered.split("|")
    assert by_filter == by_tag == topic_url(slug)
