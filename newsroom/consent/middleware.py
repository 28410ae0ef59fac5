"""Gives every request a `request.consent`: the reader's consent state, read from their cookie.

The cookie is parsed only when something asks (a template, a view), so responses that never look
at consent pay nothing. A response that did look depends on the cookie, so it says so with
`Vary: Cookie`; otherwise a shared cache could hand one reader's banner-free page to a reader who
has not chosen yet.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject

from . import policy


def consent_state(request) -> policy.ConsentState:
    """The consent state for a request, parsed from its cookie against the current policy."""
    return policy.state_from_cookie(
        request.COOKIES.get(policy.COOKIE_NAME), version=settings.CONSENT_POLICY_VERSION
    )


class ConsentMiddleware:
    def __init__(self, get_response):
        # Checked once at start-up: a version the cookie cannot hold would make every choice fail.
        if not policy.is_valid_version(settings.CONSENT_POLICY_VERSION):
            raise ImproperlyConfigured(
                "CONSENT_POLICY_VERSION must be 1-32 letters, digits, dots, dashes or "
                f"underscores; got {settings.CONSENT_POLICY_VERSION!r}."
            )
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
            patch_vary_headers(response, ("Cookie",))
        return response
