"""The consent component through real requests: banner, settings page, cookie and refusals."""

import gettext
import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.template import Context, Template, engines
from django.test import Client, RequestFactory
from django.utils import timezone

from newsroom.consent import policy
from newsroom.consent.context_processors import consent
from newsroom.consent.middleware import ConsentMiddleware
from newsroom.consent.models import Category, ConsentRecord, Cookie
from newsroom.consent.state import consent_state, page_variant
from tests.factories import make_article

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/consent/"
DECIDE_URL = "/consent/decide/"
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


CONSENT_ID = "Vn3kq0w2ZC1pd1FhWlJmQQ"


def consent_cookie(
    *, granted: tuple[str, ...] = (), version: str = "1", age: timedelta = timedelta(days=1)
) -> str:
    return policy.serialise(
        policy.Decision(
            consent_id=CONSENT_ID,
            version=version,
            granted=frozenset(granted),
            decided_at=timezone.now() - age,
        )
    )


def choose(
    client,
    *,
    action: str,
    next: str = "/",
    choices: tuple[str, ...] = (),
    fields: dict[str, str] | None = None,
    **extra,
):
    data = {"action": action, "next": next, **dict.fromkeys(choices, "on"), **(fields or {})}
    return client.post(DECIDE_URL, data, **extra)


def confirmation_url(next_url: str) -> str:
    """Where a choice posted without JavaScript lands: the confirmation, then `next_url`."""
    return f"/consent/saved/?{urlencode({'next': next_url})}"


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


def test_two_first_visits_get_byte_identical_html_and_no_cookie():
    article = make_article(title="Council opens new library")

    for url in ("/", article.get_absolute_url()):
        first, second = Client().get(url), Client().get(url)

        assert first.status_code == second.status_code == 200
        assert first.content == second.content
        assert "Set-Cookie" not in first.headers
        assert "Set-Cookie" not in second.headers


def test_settings_page_forms_post_to_the_decision_endpoint(client):
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("analytics",))

    response = client.get(SETTINGS_URL)

    posting = [f["action"] for f in start_tags(response, "form") if f.get("method") == "post"]
    assert posting == [DECIDE_URL, DECIDE_URL]


def test_banner_offers_accept_and_reject_as_equal_buttons(client):
    response = client.get("/")

    assert banner_shown(response)
    buttons = {b["value"]: b for b in start_tags(response, "button") if b.get("name") == "action"}
    assert buttons["accept_all"]["class"] == buttons["reject_all"]["class"]
    assert buttons["accept_all"]["type"] == buttons["reject_all"]["type"] == "submit"
    posting = [f for f in start_tags(response, "form") if f.get("method") == "post"]
    # The first layer, and the settings dialog consent.js opens from it.
    assert [f["action"] for f in posting] == [DECIDE_URL, DECIDE_URL]


def test_banner_returns_the_reader_to_the_page_they_were_on(client):
    response = client.get("/?page=1")

    hidden = [i for i in start_tags(response, "input") if i.get("name") == "next"]
    assert [i["value"] for i in hidden] == ["/?page=1", "/?page=1"]
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
    assert response.headers["Location"] == confirmation_url("/tags/")
    decision = stored_decision(response)
    assert decision is not None
    assert decision.granted == set(policy.OPTIONAL_KEYS)
    assert abs(decision.decided_at - timezone.now()) < timedelta(minutes=1)
    assert policy.is_valid_consent_id(decision.consent_id)


def test_consent_cookie_is_first_party_lax_httponly_and_lasts_six_months(client, settings):
    settings.CONSENT_COOKIE_SECURE = False

    cookie = choose(client, action="accept_all").cookies[policy.COOKIE_NAME]

    assert cookie["max-age"] == SIX_MONTHS
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""
    assert not cookie["secure"]


def test_consent_cookie_is_secure_over_https_even_when_not_required(client, settings):
    settings.CONSENT_COOKIE_SECURE = False

    cookie = choose(client, action="accept_all", secure=True).cookies[policy.COOKIE_NAME]

    assert cookie["secure"] is True


def test_consent_cookie_is_secure_when_the_setting_asks(client, settings):
    settings.CONSENT_COOKIE_SECURE = True

    cookie = choose(client, action="accept_all").cookies[policy.COOKIE_NAME]

    assert cookie["secure"] is True


def test_cookie_lifetime_follows_the_maximum_age_setting(client, settings):
    settings.CONSENT_MAX_AGE_DAYS = 30

    cookie = choose(client, action="accept_all").cookies[policy.COOKIE_NAME]

    assert cookie["max-age"] == 30 * 24 * 60 * 60


@pytest.mark.parametrize("days", [396, 1000, 0, -1, "182"])
def test_maximum_age_over_thirteen_months_stops_start_up(settings, days):
    settings.CONSENT_MAX_AGE_DAYS = days

    with pytest.raises(ImproperlyConfigured, match="CONSENT_MAX_AGE_DAYS"):
        ConsentMiddleware(lambda request: None)


def test_maximum_age_of_thirteen_months_is_allowed(settings):
    settings.CONSENT_MAX_AGE_DAYS = 395

    ConsentMiddleware(lambda request: None)


def test_each_consent_gets_a_different_random_id():
    first = stored_decision(choose(Client(), action="accept_all"))
    second = stored_decision(choose(Client(), action="accept_all"))

    assert first.consent_id != second.consent_id


# The consent log


def test_each_decision_writes_one_log_row_matching_the_cookie(client):
    response = choose(client, action="save", choices=("analytics",))

    decision = stored_decision(response)
    [record] = ConsentRecord.objects.all()
    assert record.consent_id == decision.consent_id
    assert record.policy_version == "1"
    assert record.choices == {"preferences": False, "analytics": True, "marketing": False}
    assert record.created_at.utcoffset() == timedelta(0)
    assert record.created_at == decision.decided_at
    assert record.language == "en-gb"
    assert record.gpc is False


def test_later_decisions_keep_the_reader_s_consent_id_and_add_rows(client):
    choose(client, action="accept_all")
    choose(client, action="withdraw")

    records = list(ConsentRecord.objects.order_by("pk"))
    assert [r.choices["analytics"] for r in records] == [True, False]
    assert records[0].consent_id == records[1].consent_id


def test_log_stores_no_ip_address(client):
    choose(client, action="accept_all", REMOTE_ADDR="203.0.113.77")

    record = ConsentRecord.objects.get()
    field_names = {f.name for f in ConsentRecord._meta.get_fields()}
    assert not {"ip", "ip_address", "remote_addr", "user_agent"} & field_names
    values = [str(getattr(record, name)) for name in field_names]
    assert not [v for v in values if "203.0.113.77" in v]


@pytest.mark.parametrize(
    ("data", "method"),
    [
        ({}, "no-js"),
        ({"js": "1"}, "banner"),
        ({"source": "settings"}, "settings"),
    ],
)
def test_log_records_where_the_choice_was_made(client, data, method):
    client.post(DECIDE_URL, {"action": "reject_all", "next": "/", **data})

    assert ConsentRecord.objects.get().method == method


def test_refused_posts_write_no_log_row(client):
    choose(client, action="bogus")
    choose(client, action="save", choices=("tracking",))
    choose(client, action="accept_all", headers={"Sec-Fetch-Site": "cross-site"})

    assert not ConsentRecord.objects.exists()


def test_log_rows_cannot_be_changed():
    record = ConsentRecord.objects.create(
        consent_id=CONSENT_ID, policy_version="1", choices={}, method="banner", language="en"
    )
    record.method = "settings"

    with pytest.raises(ValueError, match="append-only"):
        record.save()


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
    assert set(boxes) == {f"consent-{key}" for key in policy.CATEGORY_KEYS}
    assert "checked" in boxes["consent-necessary"]
    assert "disabled" in boxes["consent-necessary"]
    assert all("checked" not in boxes[f"consent-{key}"] for key in policy.OPTIONAL_KEYS)
    labels = {label["for"] for label in start_tags(response, "label")}
    assert set(boxes) <= labels
    assert len(start_tags(response, "fieldset")) == len(policy.CATEGORY_KEYS)


def test_settings_page_has_no_banner_and_is_not_indexed(client):
    response = client.get(SETTINGS_URL)

    assert not banner_shown(response)
    assert {"name": "robots", "content": "noindex"} in start_tags(response, "meta")


def test_choice_made_on_the_settings_page_lands_back_there_with_a_confirmation(client):
    response = choose(
        client, action="save", next="/consent/?saved=1&next=/tags/", fields={"source": "settings"}
    )

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


def test_forged_old_timestamp_brings_the_banner_back(client, settings):
    settings.CONSENT_MAX_AGE_DAYS = 182
    client.cookies[policy.COOKIE_NAME] = consent_cookie(
        granted=("analytics",), age=timedelta(days=183)
    )

    response = client.get("/")

    assert banner_shown(response)
    assert not render_for(cookie=client.cookies[policy.COOKIE_NAME].value)


def test_choice_within_the_maximum_age_is_honoured(client, settings):
    settings.CONSENT_MAX_AGE_DAYS = 182
    client.cookies[policy.COOKIE_NAME] = consent_cookie(age=timedelta(days=181))

    assert not banner_shown(client.get("/"))


# A refusal's cooldown: "Reject all" is not asked again for CONSENT_REASK_DAYS


def test_refusal_is_not_asked_again_within_the_cooldown(client, settings):
    settings.CONSENT_MAX_AGE_DAYS = 395
    settings.CONSENT_REASK_DAYS = 182
    client.cookies[policy.COOKIE_NAME] = consent_cookie(age=timedelta(days=181))

    assert not banner_shown(client.get("/"))


def test_refusal_is_asked_again_once_the_cooldown_is_over(client, settings):
    settings.CONSENT_MAX_AGE_DAYS = 395
    settings.CONSENT_REASK_DAYS = 182
    client.cookies[policy.COOKIE_NAME] = consent_cookie(age=timedelta(days=183))

    response = client.get("/")

    assert banner_shown(response)
    # Asked as on a first visit, with nothing optional allowed meanwhile.
    assert "Optional cookies (preferences, statistics, advertising) stay off" in (
        response.content.decode()
    )


def test_cooldown_applies_only_to_a_refusal_of_everything(client, settings):
    settings.CONSENT_MAX_AGE_DAYS = 395
    settings.CONSENT_REASK_DAYS = 30
    client.cookies[policy.COOKIE_NAME] = consent_cookie(
        granted=("analytics",), age=timedelta(days=100)
    )

    assert not banner_shown(client.get("/"))


def test_a_changed_category_does_not_ask_again_a_reader_who_refused_it(client):
    client.cookies[policy.COOKIE_NAME] = consent_cookie(age=timedelta(days=10))

    raise_version("analytics")
    response = client.get("/")

    assert not banner_shown(response)


def test_a_new_policy_version_asks_a_refusal_again_within_the_cooldown(client, settings):
    client.cookies[policy.COOKIE_NAME] = consent_cookie(age=timedelta(days=10), version="1")

    settings.CONSENT_POLICY_VERSION = "2"

    assert banner_shown(client.get("/"))


def test_refusal_past_its_cooldown_shares_the_first_visit_page_variant(client, settings):
    settings.CONSENT_REASK_DAYS = 30
    first = RequestFactory().get("/")
    expired = RequestFactory().get("/")
    expired.COOKIES[policy.COOKIE_NAME] = consent_cookie(age=timedelta(days=31))

    assert consent(expired)["consent"].page_variant == consent(first)["consent"].page_variant


def test_refusal_within_its_cooldown_costs_no_query(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.COOKIES[policy.COOKIE_NAME] = consent_cookie()

    with django_assert_num_queries(0):
        assert consent(request)["consent"].page_variant == "ok-000"


def test_timestamp_in_the_future_brings_the_banner_back(client):
    client.cookies[policy.COOKIE_NAME] = consent_cookie(age=-timedelta(days=30))

    assert banner_shown(client.get("/"))


def test_truncated_cookie_gives_a_normal_page_with_the_banner(client):
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("analytics",))[:-7]

    response = client.get("/")

    assert response.status_code == 200
    assert banner_shown(response)


# Global Privacy Control

GPC = {"Sec-GPC": "1"}


def gpc_note_shown(response) -> bool:
    return any("data-consent-gpc-note" in attrs for attrs in start_tags(response, "section"))


def test_gpc_without_a_choice_shows_a_note_instead_of_the_banner(client):
    response = client.get("/", headers=GPC)

    assert response.status_code == 200
    assert not banner_shown(response)
    assert gpc_note_shown(response)
    assert "Global Privacy Control" in response.content.decode()
    assert not response.cookies


def test_gpc_without_a_choice_refuses_every_optional_category():
    request = RequestFactory().get("/", headers=GPC)

    assert OPTIONAL_SCRIPT.render(Context(consent(request))) == ""
    assert consent(request)["consent"].granted == {
        "necessary": True,
        "preferences": False,
        "analytics": False,
        "marketing": False,
    }


def test_settings_page_explains_gpc_to_a_reader_who_has_not_chosen(client):
    response = client.get(SETTINGS_URL, headers=GPC)

    assert "Global Privacy Control signal is honoured" in response.content.decode()
    boxes = [i for i in start_tags(response, "input") if i.get("type") == "checkbox"]
    assert all("checked" not in b for b in boxes if b.get("name"))


@pytest.mark.parametrize("value", ["0", "", "true"])
def test_other_gpc_values_still_show_the_banner(client, value):
    response = client.get("/", headers={"Sec-GPC": value})

    assert banner_shown(response)
    assert not gpc_note_shown(response)


def test_explicit_opt_in_after_gpc_is_honoured(client):
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("analytics",))
    request = RequestFactory().get("/", headers=GPC)
    request.COOKIES[policy.COOKIE_NAME] = client.cookies[policy.COOKIE_NAME].value

    response = client.get("/", headers=GPC)

    assert not banner_shown(response)
    assert not gpc_note_shown(response)
    assert OPTIONAL_SCRIPT.render(Context(consent(request))) == "analytics-script"


def test_opt_in_under_gpc_is_logged_with_the_gpc_flag(client):
    response = choose(client, action="save", choices=("analytics",), headers=GPC)

    assert response.status_code == 303
    assert stored_decision(response).granted == {"analytics"}
    assert ConsentRecord.objects.get().gpc is True


def test_opt_in_without_gpc_is_logged_without_the_flag(client):
    choose(client, action="accept_all")

    assert ConsentRecord.objects.get().gpc is False


@pytest.mark.parametrize("headers", [{}, GPC])
def test_pages_that_depend_on_consent_vary_on_cookie_and_gpc(client, headers):
    response = client.get("/", headers=headers)

    vary = {v.strip().lower() for v in response.headers["Vary"].split(",")}
    assert {"cookie", "sec-gpc"} <= vary


def test_gpc_json_is_served_at_the_site_root(client):
    response = client.get("/.well-known/gpc.json")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["gpc"] is True
    assert date.fromisoformat(body["lastUpdate"]) <= date.today()
    assert not response.cookies


# Refusals: each changes nothing


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_next_outside_this_site_returns_home(client, next_url):
    response = choose(client, action="accept_all", next=next_url)

    assert response.status_code == 303
    assert response.headers["Location"] == confirmation_url("/")


def test_https_page_never_returns_to_plain_http(client):
    response = choose(client, action="accept_all", next="http://testserver/tags/", secure=True)

    assert response.headers["Location"] == confirmation_url("/")


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


@pytest.mark.parametrize("method", ["get", "head", "put", "delete"])
def test_decision_endpoint_accepts_only_post(client, method):
    response = getattr(client, method)(DECIDE_URL, {"action": "accept_all"})

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert not response.cookies


def test_settings_page_no_longer_records_a_post(client):
    response = client.post(SETTINGS_URL, {"action": "accept_all", "next": "/"})

    assert response.status_code == 405
    assert not response.cookies


@pytest.mark.parametrize("field", ["tracking", "Analytics", "analytics_extra"])
def test_unknown_category_is_refused_with_400_and_no_cookie(client, field):
    response = choose(client, action="save", choices=("analytics", field))

    assert response.status_code == 400
    assert "named a cookie category we don" in response.content.decode()
    assert not response.cookies


def test_ticked_necessary_is_a_known_category(client):
    response = choose(client, action="save", choices=("necessary", "analytics"))

    assert response.status_code == 303
    assert stored_decision(response).granted == {"analytics"}


def test_refused_post_shows_the_settings_page_without_a_banner(client):
    response = choose(client, action="save", choices=("tracking",))

    assert not banner_shown(response)


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
    banner = engines["jinja2"].get_template("consent/_banner.jinja")

    assert banner.render({}).strip() == ""


# The inventory: categories, cookies and the public cookie policy

POLICY_URL = "/consent/cookies/"


def make_cookie(*, name: str, category: str, party: str = "first", path: str = "/"):
    return Cookie.objects.create(
        category=Category.objects.get(key=category),
        name=name,
        provider="Example Analytics",
        purpose="Counts visits.",
        duration="Two years",
        party=party,
        path=path,
    )


def test_inventory_is_seeded_with_the_four_categories_and_necessary_cookies():
    assert tuple(Category.objects.values_list("key", flat=True)) == policy.CATEGORY_KEYS
    assert set(Cookie.objects.values_list("name", flat=True)) == {
        "sessionid",
        "csrftoken",
        "newsroom_consent",
    }
    assert set(Cookie.objects.values_list("category__key", flat=True)) == {"necessary"}


def test_cookie_policy_page_lists_every_category_and_cookie(client):
    make_cookie(name="_pk_id", category="analytics")

    response = client.get(POLICY_URL)

    assert response.status_code == 200
    content = response.content.decode()
    for category in Category.objects.all():
        assert f'<h2 id="category-{category.key}">{category.name}' in content
    for name in ("sessionid", "csrftoken", "newsroom_consent", "_pk_id"):
        assert f"<code>{name}</code>" in content
    assert "Example Analytics" in content
    assert not response.cookies


def test_withdrawing_a_category_expires_its_first_party_cookies(client):
    make_cookie(name="_pk_id", category="analytics", path="/news/")
    make_cookie(name="_fbp", category="marketing", party="third")
    make_cookie(name="ads_seen", category="marketing")
    choose(client, action="accept_all")

    response = choose(client, action="withdraw")

    expired = {name for name, c in response.cookies.items() if c["max-age"] == 0}
    assert expired == {"_pk_id", "ads_seen"}
    assert response.cookies["_pk_id"]["path"] == "/news/"
    assert policy.COOKIE_NAME not in expired


def test_refusing_a_category_expires_its_cookies_the_browser_sent(client):
    make_cookie(name="_pk_id", category="analytics")
    make_cookie(name="ads_seen", category="marketing")
    client.cookies["_pk_id"] = "abc"
    client.cookies["ads_seen"] = "1"

    response = choose(client, action="save", choices=("marketing",))

    expired = {name for name, c in response.cookies.items() if c["max-age"] == 0}
    assert expired == {"_pk_id"}


def test_accepting_expires_nothing(client):
    make_cookie(name="_pk_id", category="analytics")
    client.cookies["_pk_id"] = "abc"

    response = choose(client, action="accept_all")

    assert set(response.cookies) == {policy.COOKIE_NAME}


# Gated scripts and embeds

GATED = Template(
    "{% load consent_tags %}"
    '{% consent_script "analytics" "/static/a.js" %}'
    '{% consent_embed "marketing" "https://video.example/v/1" provider="VideoSite" title="Clip" %}'
)


def render_gated(*, cookie: str | None) -> str:
    request = RequestFactory().get("/")
    if cookie is not None:
        request.COOKIES[policy.COOKIE_NAME] = cookie
    return GATED.render(Context(consent(request)))


def test_gated_script_and_embed_are_inert_before_consent():
    html = render_gated(cookie=None)

    assert '<script src="/static/a.js"' not in html
    assert (
        '<script type="text/plain" data-consent-category="analytics" data-src="/static/a.js">'
        in html
    )
    assert "<iframe" not in html
    assert "This VideoSite content is hidden" in html
    assert '<a href="https://video.example/v/1" rel="noopener">' in html


def test_a_gated_embed_is_the_same_facade_a_story_body_holds():
    html = render_gated(cookie=None)

    assert (
        '<figure class="embed" data-embed-provider="VideoSite" data-embed-category="marketing" '
        'data-embed-src="https://video.example/v/1" data-embed-title="Clip">'
    ) in html


def test_gated_script_and_embed_render_once_granted():
    html = render_gated(cookie=consent_cookie(granted=("analytics", "marketing")))

    assert '<script src="/static/a.js" defer></script>' in html
    assert '<iframe src="https://video.example/v/1" title="Clip"' in html
    assert "text/plain" not in html


def test_gated_script_stays_inert_under_gpc():
    request = RequestFactory().get("/", headers=GPC)

    assert 'type="text/plain"' in GATED.render(Context(consent(request)))


# Languages


def test_banner_follows_the_active_language(client):
    # The reader's browser asks for French; LocaleMiddleware makes it the active language.
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")

    buttons = {b["value"] for b in start_tags(response, "button") if b.get("name") == "action"}
    content = response.content.decode()
    assert buttons == {"accept_all", "reject_all", "save"}
    assert ">Tout accepter</button>" in content
    assert ">Tout refuser</button>" in content
    assert "Cookies facultatifs (préférences, statistiques, publicité)" in content


def test_log_records_the_language_shown(client):
    choose(client, action="reject_all", HTTP_ACCEPT_LANGUAGE="fr")

    assert ConsentRecord.objects.get().language == "fr"


# Categories from the admin: banner dialog, settings page and policy page


def dialog_html(response) -> str:
    content = response.content.decode()
    return content[content.index("<dialog") : content.index("</dialog>")]


def test_banner_dialog_offers_the_admin_categories_with_their_cookies(client):
    Category.objects.filter(key="analytics").update(
        name="Audience measurement", description="Counts readers, nothing more."
    )
    make_cookie(name="_pk_id", category="analytics")

    dialog = dialog_html(client.get("/"))

    assert "<legend" in dialog
    assert ">Audience measurement</legend>" in dialog
    assert "Counts readers, nothing more." in dialog
    assert "<code>_pk_id</code>" in dialog
    # The inventory's necessary cookies are named too.
    assert "<code>newsroom_consent</code>" in dialog


def test_dialog_shows_necessary_locked_on_with_a_reason_and_the_rest_off(client):
    response = client.get("/")

    boxes = {
        i["id"]: i
        for i in start_tags(response, "input")
        if i.get("type") == "checkbox" and i["id"].startswith("consent-dialog-")
    }
    assert set(boxes) == {f"consent-dialog-{key}" for key in ("necessary", *policy.OPTIONAL_KEYS)}
    assert "checked" in boxes["consent-dialog-necessary"]
    assert "disabled" in boxes["consent-dialog-necessary"]
    assert "name" not in boxes["consent-dialog-necessary"]
    assert all("checked" not in boxes[f"consent-dialog-{key}"] for key in policy.OPTIONAL_KEYS)
    assert "Always on: the site cannot work or remember your choice without them" in dialog_html(
        response
    )


def test_a_category_removed_in_the_admin_is_no_longer_offered(client):
    Category.objects.filter(key="marketing").delete()

    for url in ("/", SETTINGS_URL, POLICY_URL):
        content = client.get(url).content.decode()
        assert 'id="consent-dialog-marketing"' not in content
        assert 'id="consent-marketing"' not in content
        assert 'id="category-marketing"' not in content


def test_settings_page_takes_names_from_the_admin(client):
    Category.objects.filter(key="preferences").update(name="Your settings")

    response = client.get(SETTINGS_URL)

    assert ">Your settings</legend>" in response.content.decode()


def test_banner_reads_categories_and_cookies_in_two_queries(client, django_assert_num_queries):
    for number in range(6):
        make_cookie(name=f"extra_{number}", category="analytics")
        make_cookie(name=f"ads_{number}", category="marketing")
    request = RequestFactory().get("/")
    banner = engines["jinja2"].get_template("consent/_banner.jinja")

    with django_assert_num_queries(2):
        html = banner.render({**consent(request), "request": request})

    assert "<code>extra_5</code>" in html
    assert "<code>ads_5</code>" in html


def test_decided_reader_costs_one_query_for_the_consent_state(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.COOKIES[policy.COOKIE_NAME] = consent_cookie(granted=("analytics",))

    with django_assert_num_queries(1):
        rendered = OPTIONAL_SCRIPT.render(Context(consent(request)))

    assert rendered == "analytics-script"


# A category's own version: raising it asks again


def raise_version(key: str) -> Category:
    category = Category.objects.get(key=key)
    category.version += 1
    category.save()
    return category


def test_raising_a_category_version_asks_again_those_who_chose_before(client):
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("analytics", "marketing"))

    raise_version("analytics")
    response = client.get("/")

    assert banner_shown(response)
    content = response.content.decode()
    assert "Our cookies have changed" in content
    assert "the cookies in these categories have changed: Analytics." in content
    # Until they answer again, the changed category is off and the others stand.
    ticked = {i["id"] for i in start_tags(response, "input") if "checked" in i}
    assert ticked == {"consent-dialog-necessary", "consent-dialog-marketing"}


def test_changed_category_is_off_until_answered_again():
    request = RequestFactory().get("/")
    request.COOKIES[policy.COOKIE_NAME] = consent_cookie(granted=("analytics", "marketing"))

    raise_version("analytics")
    state = consent(request)["consent"]

    assert state.decided
    assert state.granted == {
        "necessary": True,
        "preferences": False,
        "analytics": False,
        "marketing": True,
    }
    assert OPTIONAL_SCRIPT.render(Context({"consent": state})) == "ads-script"


def test_raising_another_category_leaves_this_reader_alone(client):
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("analytics",))

    raise_version("analytics")
    client.cookies[policy.COOKIE_NAME] = (
        choose(client, action="accept_all").cookies[policy.COOKIE_NAME].value
    )

    assert not banner_shown(client.get("/"))


def test_answer_given_after_the_raise_is_not_asked_again(client):
    raise_version("marketing")

    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("marketing",), age=timedelta(0))

    assert not banner_shown(client.get("/"))


def test_under_gpc_a_changed_category_stays_off_without_asking(client):
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("analytics",))
    raise_version("analytics")

    response = client.get("/", headers=GPC)

    assert not banner_shown(response)
    assert not gpc_note_shown(response)


def test_raising_the_version_records_when_and_lowering_is_refused():
    category = raise_version("analytics")

    assert category.version == 2
    assert category.version_changed_at is not None
    assert category.version_changed_at.microsecond == 0
    category.version = 1
    with pytest.raises(ValidationError, match="can only go up"):
        category.full_clean()


def test_saving_a_category_without_raising_the_version_asks_nobody_again(client):
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("analytics",))
    category = Category.objects.get(key="analytics")
    category.description = "Reworded."
    category.save()

    assert category.version_changed_at is None
    assert not banner_shown(client.get("/"))


def test_log_records_each_category_version_the_reader_saw(client):
    raise_version("analytics")

    choose(client, action="accept_all")

    assert ConsentRecord.objects.get().category_versions == {
        "necessary": 1,
        "preferences": 1,
        "analytics": 2,
        "marketing": 1,
    }


def test_settings_page_shows_a_changed_category_unticked(client):
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("analytics", "marketing"))
    raise_version("analytics")

    response = client.get(SETTINGS_URL)

    ticked = {i["name"] for i in start_tags(response, "input") if "checked" in i and i.get("name")}
    assert ticked == {"marketing"}


# Withdrawing one category, and storage keys


def test_unticking_a_category_allowed_before_expires_every_cookie_of_it(client):
    make_cookie(name="_pk_id", category="analytics", path="/news/")
    make_cookie(name="ads_seen", category="marketing")
    choose(client, action="accept_all")

    # The browser sends neither cookie (one is on another path): both are still expired.
    response = choose(client, action="save", choices=("marketing",))

    expired = {name for name, c in response.cookies.items() if c["max-age"] == 0}
    assert expired == {"_pk_id"}
    assert response.cookies["_pk_id"]["path"] == "/news/"


def test_storage_keys_are_left_to_the_browser_script(client):
    Cookie.objects.create(
        category=Category.objects.get(key="analytics"),
        name="stats_queue",
        provider="Newsroom",
        purpose="Queues page views.",
        duration="Until cleared",
        storage=Cookie.Storage.LOCAL,
    )
    choose(client, action="accept_all")

    response = choose(client, action="withdraw")

    assert "stats_queue" not in response.cookies


def test_banner_and_settings_page_tell_the_script_which_storage_keys_to_clear(client):
    for storage, name in ((Cookie.Storage.LOCAL, "stats_queue"), (Cookie.Storage.SESSION, "tab")):
        Cookie.objects.create(
            category=Category.objects.get(key="analytics"),
            name=name,
            provider="Newsroom",
            purpose="Counts.",
            duration="Until cleared",
            storage=storage,
        )
    make_cookie(name="_pk_id", category="analytics")
    expected = {"analytics": [["localStorage", "stats_queue"], ["sessionStorage", "tab"]]}

    banner = next(s for s in start_tags(client.get("/"), "section") if "data-consent-banner" in s)
    page = next(
        d for d in start_tags(client.get(SETTINGS_URL), "div") if "data-consent-settings" in d
    )

    assert json.loads(banner["data-consent-storage"]) == expected
    assert json.loads(page["data-consent-storage"]) == expected


def test_cookie_policy_page_says_where_each_item_is_kept(client):
    Cookie.objects.create(
        category=Category.objects.get(key="analytics"),
        name="stats_queue",
        provider="Newsroom",
        purpose="Queues page views.",
        duration="Until cleared",
        storage=Cookie.Storage.LOCAL,
    )

    content = client.get(POLICY_URL).content.decode()

    assert "<code>stats_queue</code>" in content
    assert "<td>Local storage</td>" in content


# The page cache's variant


def test_page_variant_tells_apart_every_state_a_public_page_shows(client):
    def variant(**headers) -> str:
        request = RequestFactory().get("/", headers=headers)
        request.COOKIES.update(client.cookies and {k: v.value for k, v in client.cookies.items()})
        return consent(request)["consent"].state.page_variant

    first, gpc = variant(), variant(**GPC)
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("analytics", "marketing"))
    decided = variant()
    raise_version("analytics")
    reasked, reasked_gpc = variant(), variant(**GPC)

    assert len({first, gpc, decided, reasked}) == 4
    # Under GPC the changed category is off and nothing is asked: the page of a reader who
    # allowed only marketing.
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("marketing",), age=timedelta(0))
    assert reasked_gpc == variant()


def test_page_variant_without_a_cookie_is_the_parsed_states(db):
    # The page cache asks `page_variant` before every lookup; without a cookie it answers
    # without parsing. It must name the same variant the parsed state would.
    for headers in ({}, GPC, {"Sec-GPC": "0"}):
        request = RequestFactory().get("/", headers=headers)
        assert page_variant(request) == consent_state(request).page_variant
    assert page_variant(RequestFactory().get("/", headers=GPC)) == "gpc"
    request = RequestFactory().get("/")
    request.COOKIES[policy.COOKIE_NAME] = consent_cookie(granted=("analytics",))
    assert page_variant(request) == consent_state(request).page_variant != "ask"


# Languages: the chrome and the banner in French


def test_french_reader_gets_the_french_banner_dialog_and_footer(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")

    content = response.content.decode()
    dialog = dialog_html(response)
    assert ">Paramètres</a>" in content
    assert ">Paramètres des cookies</h2>" in dialog
    assert ">Mesure d\u2019audience</legend>" in dialog
    assert "Autoriser les cookies « mesure d\u2019audience »" in dialog
    assert ">Enregistrer mes choix</button>" in dialog
    assert ">Politique des cookies</a>" in content
    assert ">Aller au contenu principal</a>" in content
    assert 'data-msg-accepted="Merci : tous les cookies sont désormais autorisés."' in content
    assert "Accept-Language" in response.headers["Vary"]


def test_french_chrome_is_marked_french_inside_an_english_page(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")

    assert start_tags(response, "html")[0]["lang"] == "en-gb"
    marked = [
        attrs
        for tag in ("a", "nav", "form", "ul", "section")
        for attrs in start_tags(response, tag)
        if attrs.get("lang") == "fr"
    ]
    assert len(marked) == 5  # skip link, navigation, search, footer links, banner


def test_english_reader_gets_no_lang_marks(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert start_tags(response, "html")[0]["lang"] == "en-gb"
    assert ">Accept all</button>" in response.content.decode()
    assert not any("lang" in attrs for attrs in start_tags(response, "section"))
    assert 'lang="' not in response.content.decode().split("<body>", 1)[1]


def test_editor_reworded_category_shows_as_written_in_french(client):
    Category.objects.filter(key="analytics").update(name="Statistiques maison")

    dialog = dialog_html(client.get("/", HTTP_ACCEPT_LANGUAGE="fr"))

    assert ">Statistiques maison</legend>" in dialog


def test_french_settings_and_policy_pages(client):
    settings_page = client.get(SETTINGS_URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    policy_page = client.get(POLICY_URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Choisissez les cookies que nous pouvons utiliser" in settings_page
    assert "Toujours actifs : sans eux, le site ne peut ni fonctionner" in settings_page
    assert ">Nom</th>" in policy_page
    assert "Interne (déposé par ce site)" in policy_page


def test_french_refusal_message(client):
    response = choose(client, action="nonsense", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 400
    assert "Nous n\u2019avons pas reconnu ce choix" in response.content.decode()


def test_every_french_string_is_translated_and_compiled():
    root = Path(__file__).resolve().parent.parent / "newsroom"
    for catalogue in (root / "locale", root / "consent" / "locale"):
        po = catalogue / "fr" / "LC_MESSAGES" / "django.po"
        text = po.read_text(encoding="utf-8")
        entries = [
            e for e in text.split("\n\n") if "msgid " in e and 'msgid ""\nmsgstr ""\n"' not in e
        ]
        # An empty msgstr, or an empty plural form ("msgstr[1]"), not continued on the next line.
        untranslated = [e for e in entries if re.search(r'^msgstr(\[\d+\])? ""(?!\n")', e, re.M)]
        assert untranslated == [], po
        assert "fuzzy" not in text
        # The .mo is what Django reads; committed, because CI machines may lack gettext. One
        # compiled before the last edit of the .po would miss entries (its header is one more,
        # and a plural entry is one per form).
        with po.with_suffix(".mo").open("rb") as mo:
            compiled = gettext.GNUTranslations(mo)
        forms = sum(e.count("\nmsgstr") for e in entries)
        assert len(compiled._catalog) == forms + 1, po


# The confirmation after a choice made without JavaScript


@pytest.mark.parametrize(
    ("action", "choices", "summary"),
    [
        ("accept_all", (), "Thank you: all cookies are now allowed."),
        ("reject_all", (), "Thank you: only necessary cookies will be used."),
        ("save", ("analytics",), "Allowed: necessary cookies and analytics cookies."),
    ],
    ids=["accepted-all", "rejected-all", "custom"],
)
def test_choice_without_javascript_confirms_what_was_saved(client, action, choices, summary):
    posted = choose(client, action=action, choices=choices, next="/tags/", HTTP_ACCEPT="text/html")
    page = client.get(posted.headers["Location"])

    assert posted.status_code == 303
    assert policy.COOKIE_NAME in posted.cookies
    html = page.content.decode()
    assert "Your choice is saved" in html
    assert summary in html
    assert '<a class="consent-saved__back" href="/tags/">Continue reading</a>' in html
    assert not banner_shown(page)


def test_choice_in_the_enhanced_banner_returns_straight_to_the_page(client):
    response = choose(client, action="reject_all", next="/tags/", fields={"js": "1"})

    assert response.headers["Location"] == "/tags/"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example", "javascript:x"])
def test_confirmation_links_back_only_to_this_site(client, next_url):
    choose(client, action="reject_all")
    page = client.get("/consent/saved/", {"next": next_url})

    assert (
        '<a class="consent-saved__back" href="/">Go to the latest news</a>' in page.content.decode()
    )
    assert "evil" not in page.content.decode()


def test_decision_and_confirmation_are_never_cached(client):
    posted = choose(client, action="accept_all", next="/tags/")
    page = client.get(posted.headers["Location"])

    for response in (posted, page):
        cache_control = response.headers["Cache-Control"]
        assert "private" in cache_control or "no-store" in cache_control
        assert "max-age=0" in cache_control


def test_confirmation_says_so_when_the_browser_kept_no_cookie(client):
    page = client.get("/consent/saved/", {"next": "/tags/"})

    html = page.content.decode()
    assert "Your choice could not be kept" in html
    assert "Your choice is saved" not in html
    assert 'role="alert"' in html


def test_confirmation_is_french_for_a_french_reader(client):
    choose(client, action="reject_all", next="/tags/")
    page = client.get("/consent/saved/", {"next": "/tags/"}, HTTP_ACCEPT_LANGUAGE="fr")

    html = page.content.decode()
    assert "Votre choix est enregistré" in html
    assert "Reprendre la lecture" in html


# Every page's foot: declared optional scripts, the embed gate, Google Consent Mode


def test_declared_scripts_are_inert_until_their_category_is_allowed(client, settings):
    settings.CONSENT_SCRIPTS = [("analytics", "https://stats.example/s.js")]

    before = client.get("/").content.decode()
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("analytics",))
    after = client.get("/").content.decode()

    assert (
        '<script type="text/plain" data-consent-category="analytics" '
        'data-src="https://stats.example/s.js"></script>'
    ) in before
    assert '<script src="https://stats.example/s.js" defer></script>' not in before
    assert '<script src="https://stats.example/s.js" defer></script>' in after


def test_every_page_tells_the_embed_gate_what_is_allowed(client):
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("marketing",))

    [gate] = [d for d in start_tags(client.get("/"), "div") if "data-consent-gate" in d]

    assert gate["data-granted"].split() == ["necessary", "marketing"]
    assert gate["data-decide"] == DECIDE_URL
    assert "{provider}" in gate["data-msg-hidden"] and "{category}" in gate["data-msg-hidden"]


def test_embed_gate_speaks_french(client):
    [gate] = [
        d
        for d in start_tags(client.get("/", headers={"accept-language": "fr"}), "div")
        if "data-consent-gate" in d
    ]

    assert gate["data-msg-allow"] == "Autoriser les cookies « {category} » et l\u2019afficher"
    assert gate["data-category-marketing"] == "Publicité"


def test_consent_mode_is_off_unless_configured(client):
    assert not [s for s in start_tags(client.get("/"), "script") if "data-consent-mode" in s]


def test_consent_mode_adapter_comes_first_and_knows_only_the_stored_choice(client, settings):
    settings.CONSENT_MODE = "basic"
    settings.CONSENT_MODE_TAG_ID = "G-TEST123"
    settings.CONSENT_SCRIPTS = [("analytics", "https://stats.example/s.js")]

    def adapter() -> dict:
        scripts = start_tags(client.get("/"), "script")
        first_optional = next(
            i for i, s in enumerate(scripts) if "stats.example" in (s.get("src") or s["data-src"])
        )
        [(index, found)] = [(i, s) for i, s in enumerate(scripts) if "data-consent-mode" in s]
        assert index < first_optional
        return found

    undecided = adapter()
    client.cookies[policy.COOKIE_NAME] = consent_cookie(granted=("analytics",))
    decided = adapter()

    assert (undecided["data-decided"], undecided["data-granted"].split()) == ("0", ["necessary"])
    assert (decided["data-decided"], decided["data-granted"].split()) == (
        "1",
        ["necessary", "analytics"],
    )
    assert decided["data-tag-id"] == "G-TEST123"
    assert "defer" not in decided and "async" not in decided


def test_an_embed_s_own_button_is_logged_as_such(client):
    choose(client, action="save", choices=("marketing",), fields={"source": "embed"})

    assert ConsentRecord.objects.get().method == ConsentRecord.Method.EMBED
