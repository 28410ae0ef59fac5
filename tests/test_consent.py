"""The consent component through real requests: banner, settings page, cookie and refusals."""

from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from newsroom.consent import policy
from newsroom.consent.context_processors import consent
from newsroom.consent.middleware import ConsentMiddleware
from newsroom.consent.models import Category, ConsentRecord, Cookie
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


def choose(client, *, action: str, next: str = "/", choices: tuple[str, ...] = (), **extra):
    data = {"action": action, "next": next, **dict.fromkeys(choices, "on")}
    return client.post(DECIDE_URL, data, **extra)


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
    assert [f["action"] for f in posting] == [DECIDE_URL]


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
    banner = Template('{% include "consent/_banner.html" %}')

    assert banner.render(Context({})).strip() == ""


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
    assert list(Category.objects.values_list("key", flat=True)) == [
        c.key for c in policy.CATEGORIES
    ]
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
    assert buttons == {"accept_all", "reject_all"}
    assert ">Tout accepter</button>" in content
    assert ">Tout refuser</button>" in content
    assert "Nous utilisons des cookies nécessaires" in content


def test_log_records_the_language_shown(client):
    choose(client, action="reject_all", HTTP_ACCEPT_LANGUAGE="fr")

    assert ConsentRecord.objects.get().language == "fr"
