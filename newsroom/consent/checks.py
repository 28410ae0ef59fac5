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
    days = settings.CONSENT_MAX_AGE_DAYS
    if not isinstance(days, int) or not 1 <= days <= policy.MAX_AGE_DAYS_LIMIT:
        errors.append(
            checks.Error(
                f"CONSENT_MAX_AGE_DAYS must be a whole number of days from 1 to "
                f"{policy.MAX_AGE_DAYS_LIMIT} (thirteen months); got {days!r}.",
                hint=(
                    "Set NEWSROOM_CONSENT_MAX_AGE_DAYS to 182 (about six months, the default) "
                    f"or any whole number of days up to {policy.MAX_AGE_DAYS_LIMIT}."
                ),
                id="newsroom.consent.E002",
            )
        )
    reask = settings.CONSENT_REASK_DAYS
    if not isinstance(reask, int) or not 1 <= reask <= policy.MAX_AGE_DAYS_LIMIT:
        errors.append(
            checks.Error(
                f"CONSENT_REASK_DAYS must be a whole number of days from 1 to "
                f"{policy.MAX_AGE_DAYS_LIMIT}; got {reask!r}.",
                hint=(
                    "Set NEWSROOM_CONSENT_REASK_DAYS to 182 (about six months, the default): "
                    "how long a reader who refused everything is left unasked."
                ),
                id="newsroom.consent.E003",
            )
        )
    return errors
