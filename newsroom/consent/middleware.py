"""Gives every request a `request.consent`: the reader's consent state, parsed only when read.

The cookie is parsed (`state.consent_state`) only when something asks (a template, a view), so
responses that never look at consent pay nothing. A response that did look depends on the
cookie and on the browser's Global Privacy Control header, so it says so with
`Vary: Cookie, Sec-GPC`; otherwise a shared cache could hand one reader's banner-free page to a
reader who has not chosen yet.
"""

from django.core.exceptions import ImproperlyConfigured
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject

from . import checks, policy, state

CACHE_KEY_HEADER = "X-Consent-Key"


class ConsentMiddleware:
    def __init__(self, get_response):
        # Checked once at start-up, not on the first reader's request: WSGI servers run no
        # system checks, and a site that cannot keep a reader's choice must not serve.
        if errors := checks.check_settings():
            raise ImproperlyConfigured(errors[0].msg)
        self.get_response = get_response

    def __call__(self, request):
        read = False

        def load() -> policy.ConsentState:
            nonlocal read
            read = True
            return state.consent_state(request)

        request.consent = SimpleLazyObject(load)
        response = self.get_response(request)
        if read:
            patch_vary_headers(response, ("Cookie", "Sec-GPC"))
            # For a shared cache in front: the decision this page was rendered for (see
            # policy.cache_key), so it never stores a page under a cookie it misread.
            response[CACHE_KEY_HEADER] = policy.cache_key(request.consent.decision)
        return response
