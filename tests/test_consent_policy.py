"""The consent policy: categories, decisions and the cookie format. No database, no requests."""

from datetime import UTC, datetime, timedelta

import pytest
from django.http import SimpleCookie

from newsroom.consent import policy

MOMENT = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
CONSENT_ID = "Vn3kq0w2ZC1pd1FhWlJmQQ"
SIX_MONTHS = timedelta(days=182)


def make_decision(
    *,
    granted: frozenset[str] = frozenset(),
    version: str = "1",
    decided_at: datetime = MOMENT,
    consent_id: str = CONSENT_ID,
) -> policy.Decision:
    return policy.Decision(
        consent_id=consent_id, version=version, granted=granted, decided_at=decided_at
    )


@pytest.mark.parametrize(
    "granted",
    [
        frozenset(),
        frozenset({"analytics"}),
        frozenset({"preferences", "marketing"}),
        frozenset(policy.OPTIONAL_KEYS),
    ],
)
def test_serialised_decision_parses_back_unchanged(granted):
    decision = make_decision(granted=granted)

    assert policy.parse_cookie(policy.serialise(decision), version="1") == decision


def test_cookie_value_is_readable_and_names_id_version_categories_and_time():
    value = policy.serialise(make_decision(granted=frozenset({"analytics"})))

    assert value == (
        f"id:{CONSENT_ID}|version:1|preferences:0|analytics:1|marketing:0|time:20250314T093000Z"
    )


def test_new_consent_ids_are_random_and_cookie_safe():
    ids = {policy.new_consent_id() for _ in range(50)}

    assert len(ids) == 50
    assert all(policy.is_valid_consent_id(consent_id) for consent_id in ids)


def test_decision_within_the_maximum_age_is_kept():
    value = policy.serialise(make_decision())

    decision = policy.parse_cookie(
        value, version="1", now=MOMENT + SIX_MONTHS - timedelta(seconds=1), max_age=SIX_MONTHS
    )

    assert decision == make_decision()


def test_decision_older_than_the_maximum_age_is_no_decision():
    value = policy.serialise(make_decision())

    decision = policy.parse_cookie(
        value, version="1", now=MOMENT + SIX_MONTHS + timedelta(seconds=1), max_age=SIX_MONTHS
    )

    assert decision is None


def test_decision_dated_in_the_future_is_no_decision():
    value = policy.serialise(make_decision())

    decision = policy.parse_cookie(
        value, version="1", now=MOMENT - timedelta(hours=1), max_age=SIX_MONTHS
    )

    assert decision is None


def test_cookie_value_needs_no_quoting_in_a_set_cookie_header():
    value = policy.serialise(make_decision(granted=frozenset(policy.OPTIONAL_KEYS)))
    cookie = SimpleCookie()
    cookie[policy.COOKIE_NAME] = value

    assert cookie.output(header="") == f" {policy.COOKIE_NAME}={value}"


def test_field_order_does_not_matter_when_parsing():
    value = f"time:20250314T093000Z|marketing:1|analytics:0|preferences:1|version:1|id:{CONSENT_ID}"

    decision = policy.parse_cookie(value, version="1")

    assert decision == make_decision(granted=frozenset({"preferences", "marketing"}))


def test_cookie_from_an_older_policy_version_is_no_decision():
    value = policy.serialise(make_decision(granted=frozenset(policy.OPTIONAL_KEYS), version="1"))

    assert policy.parse_cookie(value, version="2") is None


GOOD = f"id:{CONSENT_ID}|version:1|preferences:0|analytics:1|marketing:0|time:20250314T093000Z"


@pytest.mark.parametrize(
    "junk",
    [
        None,
        123,
        "",
        "yes",
        "version:1",
        GOOD.replace("|time:20250314T093000Z", ""),
        GOOD.replace(f"id:{CONSENT_ID}|", ""),
        GOOD.replace(CONSENT_ID, "short"),
        GOOD.replace(CONSENT_ID, CONSENT_ID[:-1] + "!"),
        GOOD[:-5],
        GOOD + "|tracking:1",
        GOOD + "|analytics:1",
        GOOD.replace("analytics:1", "analytics:2"),
        GOOD.replace("analytics:1", "analytics:"),
        GOOD.replace("analytics:1", "analytics:1:1"),
        GOOD.replace("analytics:1", "necessary:1"),
        GOOD.replace("20250314T093000Z", "20250230T093000Z"),
        GOOD.replace("20250314T093000Z", "20250314T253000Z"),
        GOOD.replace("20250314T093000Z", "2025-03-14"),
        GOOD.replace("20250314T093000Z", "\uff12\uff10\uff12\uff150314T093000Z"),  # full-width
        GOOD.replace("|", ","),
        GOOD + "|" * 300,
        '"' + GOOD + '"',
    ],
)
def test_malformed_cookie_is_no_decision_and_never_raises(junk):
    assert policy.parse_cookie(junk, version="1") is None


def test_before_a_decision_only_necessary_cookies_are_allowed():
    state = policy.state_from_cookie(None, version="1")

    assert not state.decided
    assert state.granted == {
        "necessary": True,
        "preferences": False,
        "analytics": False,
        "marketing": False,
    }


def test_a_decision_allows_necessary_and_the_granted_categories_only():
    state = policy.ConsentState(decision=make_decision(granted=frozenset({"analytics"})))

    assert state.decided
    assert state.allows("necessary")
    assert state.allows("analytics")
    assert not state.allows("marketing")
    assert not state.allows("no-such-category")


def test_necessary_is_the_one_required_category():
    assert sorted(policy.REQUIRED_KEYS) == ["necessary"]
    assert policy.OPTIONAL_KEYS == ("preferences", "analytics", "marketing")


def test_decision_refuses_categories_that_are_not_optional():
    with pytest.raises(ValueError, match="necessary"):
        make_decision(granted=frozenset({"necessary"}))


def test_decision_refuses_a_version_the_cookie_cannot_hold():
    with pytest.raises(ValueError, match="cannot be stored"):
        make_decision(version="2 (March)")


@pytest.mark.parametrize(
    ("version", "valid"),
    [("1", True), ("2025-03.b_2", True), ("", False), ("1|2", False), ("a:b", False), ("é", False)],
)
def test_policy_version_must_be_cookie_safe(version, valid):
    assert policy.is_valid_version(version) is valid


@pytest.mark.parametrize(
    ("action", "granted"),
    [
        ("accept_all", {"preferences", "analytics", "marketing"}),
        ("reject_all", set()),
        ("withdraw", set()),
        ("save", {"analytics"}),
    ],
)
def test_each_action_records_its_decision(action, granted):
    decision = policy.decision_for(
        action=action,
        chosen={"analytics"},
        version="1",
        now=MOMENT + timedelta(microseconds=5),
        consent_id=CONSENT_ID,
    )

    assert decision == make_decision(granted=frozenset(granted))


def test_save_ignores_ticks_for_required_or_unknown_categories():
    decision = policy.decision_for(
        action="save",
        chosen={"necessary", "tracking", "marketing"},
        version="1",
        now=MOMENT,
        consent_id=CONSENT_ID,
    )

    assert decision is not None
    assert decision.granted == {"marketing"}


@pytest.mark.parametrize("action", ["", "accept", "ACCEPT_ALL", "delete"])
def test_unknown_action_records_nothing(action):
    decision = policy.decision_for(
        action=action, chosen=set(), version="1", now=MOMENT, consent_id=CONSENT_ID
    )

    assert decision is None


def test_decision_refuses_a_consent_id_the_cookie_cannot_hold():
    with pytest.raises(ValueError, match="Consent id"):
        make_decision(consent_id="not|safe:at-all-0000")


def test_decision_refuses_a_time_without_a_timezone():
    with pytest.raises(ValueError, match="timezone"):
        make_decision(decided_at=datetime(2025, 3, 14, 9, 30))


# A category's own version


def test_categories_changed_after_the_decision_are_stale():
    decision = make_decision(granted=frozenset({"analytics", "marketing"}))
    changed_at = {
        "analytics": MOMENT + timedelta(seconds=1),
        "marketing": MOMENT - timedelta(days=1),
        # Necessary cannot be refused, so a change to it asks nobody.
        "necessary": MOMENT + timedelta(days=1),
        # In the same second as the answer: the answer counts as given after it.
        "preferences": MOMENT,
    }

    assert policy.stale_categories(decision, changed_at) == {"analytics"}


def test_stale_category_is_refused_and_asked_again_the_others_stand():
    decision = make_decision(granted=frozenset({"analytics", "marketing"}))

    state = policy.ConsentState(decision=decision, stale=frozenset({"analytics"}))

    assert state.decided
    assert state.reasking
    assert not state.allows("analytics")
    assert state.allows("marketing")
    assert state.granted["analytics"] is False


def test_under_gpc_a_stale_category_is_refused_without_asking():
    decision = make_decision(granted=frozenset({"analytics"}))

    state = policy.ConsentState(decision=decision, gpc=True, stale=frozenset({"analytics"}))

    assert not state.reasking
    assert not state.allows("analytics")


def test_state_from_cookie_applies_the_changes():
    value = policy.serialise(make_decision(granted=frozenset({"analytics"})))

    state = policy.state_from_cookie(
        value, version="1", changed_at={"analytics": MOMENT + timedelta(hours=1)}
    )

    assert state.stale == {"analytics"}


@pytest.mark.parametrize(
    ("state", "variant"),
    [
        (policy.ConsentState(), "ask"),
        (policy.ConsentState(gpc=True), "gpc"),
        (policy.ConsentState(decision=make_decision(granted=frozenset({"analytics"}))), "ok-010"),
        (
            policy.ConsentState(
                decision=make_decision(granted=frozenset({"analytics", "marketing"})),
                stale=frozenset({"analytics", "preferences"}),
            ),
            "re-preferences.analytics-001",
        ),
        (
            policy.ConsentState(
                decision=make_decision(granted=frozenset({"analytics", "marketing"})),
                stale=frozenset({"analytics"}),
                gpc=True,
            ),
            "ok-001",
        ),
    ],
)
def test_page_variant_names_what_a_public_page_shows(state, variant):
    assert state.page_variant == variant


# A refusal's cooldown


@pytest.mark.parametrize(
    ("granted", "age", "stands"),
    [
        (frozenset(), SIX_MONTHS - timedelta(seconds=1), True),
        (frozenset(), SIX_MONTHS, False),
        (frozenset({"analytics"}), SIX_MONTHS * 2, True),
    ],
)
def test_only_a_refusal_of_everything_ends_with_its_cooldown(granted, age, stands):
    decision = make_decision(granted=granted)

    assert policy.refusal_stands(decision, now=MOMENT + age, refusal_cooldown=SIX_MONTHS) is stands


def test_a_refusal_past_its_cooldown_reads_as_no_decision():
    value = policy.serialise(make_decision())

    state = policy.state_from_cookie(
        value,
        version="1",
        now=MOMENT + timedelta(days=40),
        max_age=timedelta(days=395),
        refusal_cooldown=timedelta(days=30),
    )

    assert state.decision is None
    assert state.page_variant == "ask"
