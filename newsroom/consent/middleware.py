"""Gives every request a `request.consent`: the reader's consent state, from cookie and GPC.

The cookie is parsed only when something asks (a template, a view), so responses that never look
at consent pay nothing. For a reader with a stored choice, the categories whose version an editor
raised since (asked again) come from `Category.objects.changed_at()`: one query after each
change, none in the steady state. A response that did look depends on the
cookie and on the browser's Global Privacy Control header, so it says so with
`Vary: Cookie, Sec-GPC`; otherwise a shared cache could hand one reader's banner-free page to a
reader who has not chosen yet.
"""

import dataclasses
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject

from . import policy
from .models import Category

CACHE_KEY_HEADER = "X-Consent-Key"


def consent_state(request) -> policy.ConsentState:
    """The consent state for a request, parsed from its cookie against the current policy."""
    state = policy.state_from_cookie(
        request.COOKIES.get(policy.COOKIE_NAME),
        version=settings.CONSENT_POLICY_VERSION,
        now=timezone.now(),
        max_age=max_age(),
        gpc=sends_gpc(request),
    )
    if state.decision is None:
        return state
    stale = policy.stale_categories(state.decision, Category.objects.cached_changed_at())
    return dataclasses.replace(state, stale=stale) if stale else state


def page_variant(request) -> str:
    """The page cache's variant of a public page for this request (`ConsentState.page_variant`)."""
    return consent_state(request).page_variant


def sends_gpc(request) -> bool:
    # The GPC specification defines "1" as the only value that means anything.
    # From META: request.headers builds a dict of every header, on a cache hit's short path too.
    return request.META.get("HTTP_SEC_GPC", "").strip() == "1"


def max_age() -> timedelta:
    return timedelta(days=settings.CONSENT_MAX_AGE_DAYS)


def check_settings() -> None:
    """Refuse settings that would make every stored choice invalid or unlawfully long-lived."""
    if not policy.is_valid_version(settings.CONSENT_POLICY_VERSION):
        raise ImproperlyConfigured(
            "CONSENT_POLICY_VERSION must be 1-32 letters, digits, dots, dashes or "
            f"underscores; got {settings.CONSENT_POLICY_VERSION!r}."
        )
    days = settings.CONSENT_MAX_AGE_DAYS
    if not isinstance(days, int) or not 1 <= days <= policy.MAX_AGE_DAYS_LIMIT:
        raise ImproperlyConfigured(
            f"CONSENT_MAX_AGE_DAYS must be a whole number of days from 1 to "
            f"{policy.MAX_AGE_DAYS_LIMIT} (thirteen months); got {days!r}."
        )


class ConsentMiddleware:
    def __init__(self, get_response):
        # Checked once at start-up, not on the first reader's request.
        check_settings()
        self.get_response = get_response

    def __call__(self, request):
        read = False

        def load() -> policy.ConsentState:
            nonlocal read
            read = True
            return consent_state(request)

        request.consent = SimpleLazyObject(load)
        response = self.get_response(request)
        if read:
            patch_vary_headers(response, ("Cookie", "Sec-GPC"))
            # For a shared cache in front: the decision this page was rendered for (see
            # policy.cache_key), so it never stores a page under a cookie it misread.
            response[CACHE_KEY_HEADER] = policy.cache_key(request.consent.decision)
        return response
