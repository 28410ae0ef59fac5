"""Puts `consent`, a `presentation.TemplateConsent`, in every template rendered with a request."""

from . import state
from .presentation import TemplateConsent


def consent(request):
    match = getattr(request, "resolver_match", None)
    return {
        "consent": TemplateConsent(
            # Left unparsed until a template asks, when the middleware ran.
            state=state.for_request(request),
            # The decision endpoint re-renders the settings page when it refuses a post.
            on_settings_page=match is not None
            and match.view_name in {"consent:settings", "consent:decide"},
        )
    }
