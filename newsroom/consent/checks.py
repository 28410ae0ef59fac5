"""Refuses consent settings that would make every stored choice invalid or unlawfully long-lived.

`check_settings` is a system check (registered in `apps.py`), so `manage.py check`, `migrate`
and `runserver` report a bad value with the setting's name and a hint. A WSGI server runs no
system checks, so `ConsentMiddleware` also calls it at start-up and refuses to serve: a site
that could not keep a single reader's choice, or kept it too long, must not start.
"""

from django.conf import settings
from django.core import checks

from . import policy


def check_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    if not policy.is_valid_version(settings.CONSENT_POLICY_VERSION):
        errors.append(
            checks.Error(
                "CONSENT_POLICY_VERSION must be 1-32 letters, digits, dots, dashes or "
                f"underscores; got {settings.CONSENT_POLICY_VERSION!r}.",
                hint=(
                    "Set NEWSROOM_CONSENT_POLICY_VERSION to a short name such as 2 or "
                    "2025-03; it is written into the consent cookie as it is."
                ),
                id="newsroom.consent.E001",
            )
        )
    errors += _days_error(
        "CONSENT_MAX_AGE_DAYS",
        id="newsroom.consent.E002",
        what="the longest a reader's choice is relied on",
    )
    errors += _days_error(
        "CONSENT_REASK_DAYS",
        id="newsroom.consent.E003",
        what="how long a reader who refused everything is left unasked",
    )
    unknown = sorted({key for key, _src in settings.CONSENT_SCRIPTS} - set(policy.OPTIONAL_KEYS))
    if unknown:
        errors.append(
            checks.Error(
                f"CONSENT_SCRIPTS names categories that are not optional: {', '.join(unknown)}.",
                hint=(
                    "Each item of NEWSROOM_CONSENT_SCRIPTS is category=address, the category "
                    f"one of {', '.join(policy.OPTIONAL_KEYS)}."
                ),
                id="newsroom.consent.E004",
            )
        )
    mode = settings.CONSENT_MODE
    if mode not in {"", "basic"} or (mode and not settings.CONSENT_MODE_TAG_ID):
        errors.append(
            checks.Error(
                f"CONSENT_MODE must be empty (off) or basic, with a Google tag id; got "
                f"{mode!r} and tag id {settings.CONSENT_MODE_TAG_ID!r}.",
                hint=(
                    "Set NEWSROOM_CONSENT_MODE=basic and NEWSROOM_CONSENT_MODE_TAG_ID to the "
                    "tag's id (e.g. G-XXXXXXX), or leave both unset. Advanced mode, which "
                    "loads the tag before a choice, is not offered."
                ),
                id="newsroom.consent.E005",
            )
        )
    return errors


def _days_error(name: str, *, id: str, what: str) -> list[checks.CheckMessage]:
    days = getattr(settings, name)
    if isinstance(days, int) and 1 <= days <= policy.MAX_AGE_DAYS_LIMIT:
        return []
    return [
        checks.Error(
            f"{name} must be a whole number of days from 1 to "
            f"{policy.MAX_AGE_DAYS_LIMIT} (thirteen months); got {days!r}.",
            hint=(
                f"Set NEWSROOM_{name} to 182 (about six months, the default) or any whole "
                f"number of days up to {policy.MAX_AGE_DAYS_LIMIT}: {what}."
            ),
            id=id,
        )
    ]
