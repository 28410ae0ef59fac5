"""The consent settings' system check: what `manage.py check` says about unusable values."""

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from newsroom.consent.checks import check_settings


def consent_errors() -> list[checks.CheckMessage]:
    """What every registered check reports about consent, as `manage.py check` runs them."""
    return [e for e in checks.run_checks() if e.id.startswith("newsroom.consent.")]


def only_consent_error() -> checks.CheckMessage:
    [error] = consent_errors()
    assert error.level == checks.ERROR
    return error


def test_default_settings_pass():
    assert check_settings() == []
    assert consent_errors() == []


@pytest.mark.parametrize("version", ["1", "2025-03", "v2.1_b", "x" * 32])
def test_policy_versions_a_cookie_can_hold_pass(settings, version):
    settings.CONSENT_POLICY_VERSION = version

    assert check_settings() == []


@pytest.mark.parametrize("version", ["2 (March)", "", "x" * 33, "1|2", "v:2", 2])
def test_policy_version_a_cookie_cannot_hold_is_an_error(settings, version):
    settings.CONSENT_POLICY_VERSION = version

    error = only_consent_error()

    assert error.id == "newsroom.consent.E001"
    assert error.msg == (
        "CONSENT_POLICY_VERSION must be 1-32 letters, digits, dots, dashes or underscores; "
        f"got {version!r}."
    )
    assert "NEWSROOM_CONSENT_POLICY_VERSION" in error.hint


@pytest.mark.parametrize("days", [1, 182, 395])
def test_maximum_age_up_to_thirteen_months_passes(settings, days):
    settings.CONSENT_MAX_AGE_DAYS = days

    assert check_settings() == []


@pytest.mark.parametrize("days", [396, 1000, 0, -1, "182", 182.0, None])
def test_maximum_age_outside_one_day_to_thirteen_months_is_an_error(settings, days):
    settings.CONSENT_MAX_AGE_DAYS = days

    error = only_consent_error()

    assert error.id == "newsroom.consent.E002"
    assert error.msg == (
        "CONSENT_MAX_AGE_DAYS must be a whole number of days from 1 to 395 (thirteen months); "
        f"got {days!r}."
    )
    assert "NEWSROOM_CONSENT_MAX_AGE_DAYS" in error.hint


def test_both_settings_wrong_gives_both_errors(settings):
    settings.CONSENT_POLICY_VERSION = "2 (March)"
    settings.CONSENT_MAX_AGE_DAYS = 1000

    assert [e.id for e in check_settings()] == ["newsroom.consent.E001", "newsroom.consent.E002"]


def test_manage_py_check_refuses_a_bad_setting(settings):
    settings.CONSENT_MAX_AGE_DAYS = 1000

    with pytest.raises(SystemCheckError, match=r"newsroom\.consent\.E002"):
        call_command("check")


@pytest.mark.parametrize("days", [0, 396, "182"])
def test_reask_cooldown_outside_one_day_to_thirteen_months_is_refused(settings, days):
    settings.CONSENT_REASK_DAYS = days

    [error] = check_settings()

    assert error.id == "newsroom.consent.E003"
    assert "NEWSROOM_CONSENT_REASK_DAYS" in error.hint


def test_a_declared_script_under_an_unknown_category_is_refused(settings):
    settings.CONSENT_SCRIPTS = [("statistics", "https://stats.example/s.js")]

    [error] = check_settings()

    assert error.id == "newsroom.consent.E004"
    assert "statistics" in error.msg


@pytest.mark.parametrize(("mode", "tag_id"), [("advanced", "G-1"), ("basic", "")])
def test_consent_mode_other_than_basic_or_without_a_tag_is_refused(settings, mode, tag_id):
    settings.CONSENT_MODE = mode
    settings.CONSENT_MODE_TAG_ID = tag_id

    [error] = check_settings()

    assert error.id == "newsroom.consent.E005"


def test_basic_consent_mode_with_a_tag_id_is_accepted(settings):
    settings.CONSENT_MODE = "basic"
    settings.CONSENT_MODE_TAG_ID = "G-TEST123"

    assert check_settings() == []
