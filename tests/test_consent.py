"""The consent component through real requests: banner, settings page, cookie and refusals."""

from datetime import date
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from newsroom.consent import policy
from newsroom.consent.context_processors import consent
from newsroom.consent.middleware import ConsentMiddleware
from tests.factories import make_article

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/consent/"
SIX_MONTHS = 182 * 24 * 60 * 60


class _StartTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def start_tags(response, tag: str) -> list[dict[str, str | None]]:
    parser = _StartTags()
    parser.feed(response.content.decode())
    return [attrs for name, attrs in parser.tags if name == tag]


def banner_shown(response) -> bool:
    return any("data-consent-banner" in attrs for attrs in start_tags(response, "section"))


def consent_cookie(*, granted: tuple[str, ...] = (), version: str = "1") -> str:
    return policy.serialise(
        policy.Decision(version=version, granted=frozenset(granted), decided_on=date(2025, 1, 2))
    )


def choose(client, *, action: str, next: str = "/", choices: tuple[str, ...] = (), **extra):
    data = {"action": action, "next": next, **dict.fromkeys(choices, "on")}
    return client.post(SETTINGS_URL, data, **extra)


def stored_decision(response) -> policy.Decision | None:
    return policy.parse_cookie(response.cookies[policy.COOKIE_NAME].value, version="1")


# Before a choice


def test_home_page_sets_no_cookie_before_a_choice(client):
    response = client.get("/")

    assert response.status_code == 200
    assert not response.cookies


def test_article_page_sets_no_cookie_before_a_choice(client):
    article = make_article(title="Council opens new library")

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert banner_shown(response)
    assert not response.cookies


def test_settings_page_sets_no_cookie_before_a_choice(client):
    response = client.get(SETTINGS_URL)

    assert response.status_code == 200
    assert not response.cookies


def test_banner_offers_accept_and_reject_as_equal_buttons(client):
    response = client.get("/")

    assert banner_shown(response)
    buttons = {b["value"]: b for b in start_tags(response, "button") if b.get("name") == "action"}
    assert buttons["accept_all"]["class"] == buttons["reject_all"]["class"]
    assert buttons["accept_all"]["type"] == buttons["reject_all"]["type"] == "submit"
    posting = [f for f in start_tags(response, "form") if f.get("method") == "post"]
    assert [f["action"] for f in posting] == [SETTINGS_URL]


def test_banner_returns_the_reader_to_the_page_they_were_on(client):
    response = client.get("/?page=1")

    hidden = [i for i in start_tags(response, "input") if i.get("name") == "next"]
    assert [i["value"] for i in hidden] == ["/?page=1"]
    links = [a["href"] for a in start_tags(response, "a")]
    assert f"{SETTINGS_URL}?next=/%3Fpage%3D1" in links


def test_banner_loads_only_same_host_assets(client):
    response = client.get("/")

    sources = [s["src"] for s in start_tags(response, "script")]
    sheets = [link["href"] for link in start_tags(response, "link") if link["rel"] == "stylesheet"]
    assert any("consent/consent" in src for src in sources)
    assert all(url.startswith("/static/") for url in sources + sheets)
    others = [link["href"] for link in start_tags(response, "link")]
    assert all(url.startswith("/") and not url.startswith("//") for url in others)
    assert not [s for s in start_tags(response, "script") if not s.get("src")]


def test_pages_showing_the_banner_vary_on_cookie(client):
    response = client.get("/")

    assert "Cookie" in response.headers["Vary"]


def test_footer_links_to_cookie_settings(client):
    response = client.get("/")

    assert f'<a href="{SETTINGS_URL}">Cookie settings</a>' in response.content.decode()


# Choosing


def test_accept_all_stores_every_category_and_returns_to_next(client):
    response = choose(client, action="accept_all", next="/tags/")

    assert response.status_code == 303
    assert response.headers["Location"] == "/tags/"
    decision = stored_decision(response)
    assert decision is not None
    assert decision.granted == set(policy.OPTIONAL_KEYS)
    assert decision.decided_on == timezone.localdate()


def test_consent_cookie_is_first_party_lax_httponly_and_lasts_six_months(client):
    cookie = choose(client, action="accept_all").cookies[policy.COOKIE_NAME]

    assert cookie["max-age"] == SIX_MONTHS
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""
    assert not cookie["secure"]


def test_consent_cookie_is_secure_over_https(client):
    cookie = choose(client, action="accept_all", secure=True).cookies[policy.COOKIE_NAME]

    assert cookie["secure"] is True


def test_reject_all_stores_no_optional_category_and_hides_the_banner(client):
    response = choose(client, action="reject_all")

    assert response.status_code == 303
    assert stored_decision(response).granted == frozenset()
    assert not banner_shown(client.get("/"))


def test_customise_saves_only_the_ticked_categories(client):
    response = choose(client, action="save", choices=("analytics",), next="/tags/")

    assert response.status_code == 303
    assert stored_decision(response).granted == {"analytics"}
    page = client.get(SETTINGS_URL)
    ticked = {i["name"] for i in start_tags(page, "input") if "checked" in i and i.get("name")}
    assert ticked == {"analytics"}


def test_settings_page_shows_every_category_with_necessary_locked_on(client):
    response = client.get(SETTINGS_URL)

    boxes = {i["id"]: i for i in start_tags(response, "input") if i["type"] == "checkbox"}
    assert set(boxes) == {f"consent-{c.key}" for c in policy.CATEGORIES}
    assert "checked" in boxes["consent-necessary"]
    assert "disabled" in boxes["consent-necessary"]
    assert all("checked" not in boxes[f"consent-{key}"] for key in policy.OPTIONAL_KEYS)
    labels = {label["for"] for label in start_tags(response, "label")}
    assert set(boxes) <= labels
    assert len(start_tags(response, "fieldset")) == len(policy.CATEGORIES)


def test_settings_page_has_no_banner_and_is_not_indexed(client):
    response = client.get(SETTINGS_URL)

    assert not banner_shown(response)
    assert {"name": "robots", "content": "noindex"} in start_tags(response, "meta")


def test_choice_made_on_the_settings_page_lands_back_there_with_a_confirmation(client):
    response = choose(client, action="save", next="/consent/?saved=1&next=/tags/")

    assert response.headers["Location"] == "/consent/?saved=1&next=/tags/"
    page = client.get(response.headers["Location"])
    content = page.content.decode()
    assert "Your cookie choices have been updated." in content
    assert '<a href="/tags/">Continue to the page you were reading</a>' in content


def test_saved_confirmation_is_not_shown_to_a_reader_who_has_not_chosen(client):
    response = client.get(SETTINGS_URL, {"saved": "1"})

    assert "have been updated" not in response.content.decode()


def test_withdraw_after_accept_turns_every_optional_category_off(client):
    choose(client, action="accept_all")
    page = client.get(SETTINGS_URL)
    assert "withdraw" in [b.get("value") for b in start_tags(page, "button")]

    response = choose(client, action="withdraw")

    assert response.status_code == 303
    assert stored_decision(response).granted == frozenset()
    assert not banner_shown(client.get("/"))


def test_withdraw_is_offered_only_once_a_decision_exists(client):
    page = client.get(SETTINGS_URL)

    assert "withdraw" not in [b.get("value") for b in start_tags(page, "button")]


# Cookies the reader already has


def test_decided_reader_sees_no_banner(client):
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("analytics",))

    assert not banner_shown(client.get("/"))


@pytest.mark.parametrize(
    "junk", ["yes", "version:1|analytics:1", 'a "quoted" value', "\u00e9" * 50, "x" * 5000]
)
def test_malformed_cookie_shows_the_banner_again(client, junk):
    client.cookies[policy.COOKIE_NAME] = junk

    response = client.get("/")

    assert response.status_code == 200
    assert banner_shown(response)


def test_cookie_from_an_older_policy_shows_the_banner_again(client, settings):
    settings.CONSENT_POLICY_VERSION = "2"
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("analytics",), version="1")

    response = client.get("/")

    assert response.status_code == 200
    assert banner_shown(response)


# Refusals: each changes nothing


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_next_outside_this_site_returns_home(client, next_url):
    response = choose(client, action="accept_all", next=next_url)

    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_https_page_never_returns_to_plain_http(client):
    response = choose(client, action="accept_all", next="http://testserver/tags/", secure=True)

    assert response.headers["Location"] == "/"


def test_next_with_a_line_break_cannot_add_headers(client):
    response = choose(client, action="accept_all", next="/tags/\r\nSet-Cookie: x=1")

    assert response.status_code == 303
    assert "\n" not in response.headers["Location"]
    assert set(response.cookies) == {policy.COOKIE_NAME}


@pytest.mark.parametrize("action", ["", "accept", "delete_everything"])
def test_unknown_action_is_refused_with_a_message_and_no_cookie(client, action):
    response = choose(client, action=action)

    assert response.status_code == 400
    assert (
        "recognise that choice, so your cookie settings were not changed"
        in response.content.decode()
    )
    assert not response.cookies


def test_unknown_action_leaves_an_earlier_choice_alone(client):
    choose(client, action="accept_all")

    choose(client, action="bogus")

    page = client.get(SETTINGS_URL)
    ticked = {i["name"] for i in start_tags(page, "input") if "checked" in i and i.get("name")}
    assert ticked == set(policy.OPTIONAL_KEYS)


@pytest.mark.parametrize("fetch_site", ["cross-site", "same-site"])
def test_post_from_another_site_is_refused(client, fetch_site):
    response = choose(client, action="accept_all", headers={"Sec-Fetch-Site": fetch_site})

    assert response.status_code == 403
    assert "came from another website" in response.content.decode()
    assert not response.cookies


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
def test_post_with_a_foreign_origin_is_refused(client, origin):
    response = choose(client, action="accept_all", headers={"Origin": origin})

    assert response.status_code == 403
    assert not response.cookies


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},
        {"Origin": "http://testserver"},
    ],
)
def test_post_from_our_own_pages_is_accepted(client, headers):
    response = choose(client, action="reject_all", headers=headers)

    assert response.status_code == 303
    assert policy.COOKIE_NAME in response.cookies


def test_banner_form_works_without_a_csrf_token():
    strict = Client(enforce_csrf_checks=True)

    response = choose(strict, action="reject_all")

    assert response.status_code == 303
    assert set(response.cookies) == {policy.COOKIE_NAME}


def test_other_methods_are_not_allowed(client):
    response = client.put(SETTINGS_URL)

    assert response.status_code == 405
    assert not response.cookies


def test_unusable_policy_version_stops_start_up_with_a_clear_message(settings):
    settings.CONSENT_POLICY_VERSION = "2 (March)"

    with pytest.raises(ImproperlyConfigured, match="CONSENT_POLICY_VERSION"):
        ConsentMiddleware(lambda request: None)


# Asking from templates

OPTIONAL_SCRIPT = Template(
    "{% load consent_tags %}"
    "{% if consent.granted.analytics %}analytics-script{% endif %}"
    "{% consent_granted 'marketing' as ads %}{% if ads %}ads-script{% endif %}"
)


def render_for(*, cookie: str | None) -> str:
    request = RequestFactory().get("/")
    if cookie is not None:
        request.COOKIES[policy.COOKIE_NAME] = cookie
    return OPTIONAL_SCRIPT.render(Context(consent(request)))


def test_template_includes_an_optional_script_only_when_its_category_is_granted():
    assert render_for(cookie=None) == ""
    assert render_for(cookie=consent_cookie(granted=("analytics",))) == "analytics-script"
    assert render_for(cookie=consent_cookie(granted=("marketing",))) == "ads-script"


def test_template_without_consent_in_context_includes_no_optional_script():
    assert OPTIONAL_SCRIPT.render(Context({})) == ""


def test_banner_renders_nothing_without_a_request_context():
    banner = Template('{% include "consent/_banner.html" %}')

    assert banner.render(Context({})).strip() == ""
