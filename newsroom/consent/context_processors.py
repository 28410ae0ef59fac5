"""Puts `consent` in every template rendered with a request.

Templates ask about a category before including an optional script::

    {% if consent.granted.analytics %}
      <script src="{% static 'js/analytics.js' %}" defer></script>
    {% endif %}

`consent.granted` maps every category key to True or False; a misspelt key renders as nothing,
which is false, so a typo keeps a script out rather than letting it in. Also available:
`consent.decided` (has the reader chosen under the current policy), `consent.show_banner`,
`consent.show_gpc_note` (Global Privacy Control refused for a reader who has not chosen),
`consent.decision` (the recorded `policy.Decision`, or None) and `consent.categories`.
The `consent_tags` library asks the same question as a tag:
`{% consent_granted "analytics" as ok %}`.
"""

from dataclasses import dataclass

from . import policy
from .middleware import consent_state


@dataclass(frozen=True, kw_only=True)
class TemplateConsent:
    state: policy.ConsentState
    # The settings page is where the reader decides, so the banner would only repeat it.
    on_settings_page: bool = False
    categories: tuple[policy.Category, ...] = policy.CATEGORIES

    @property
    def decided(self) -> bool:
        return self.state.decided

    @property
    def decision(self) -> policy.Decision | None:
        return self.state.decision

    @property
    def granted(self) -> dict[str, bool]:
        return self.state.granted

    @property
    def show_banner(self) -> bool:
        return not self.on_settings_page and not self.state.decided and not self.state.gpc

    @property
    def show_gpc_note(self) -> bool:
        """The browser's privacy signal answered for the reader; say so instead of asking."""
        return not self.on_settings_page and self.state.refused_by_gpc


def consent(request):
    # The middleware's lazy state when it ran (`is None` leaves it unparsed until a template asks);
    # parsing here covers requests that skipped the middleware.
    state = getattr(request, "consent", None)
    if state is None:
        state = consent_state(request)
    match = getattr(request, "resolver_match", None)
    return {
        "consent": TemplateConsent(
            state=state,
            # The decision endpoint re-renders the settings page when it refuses a post.
            on_settings_page=match is not None
            and match.view_name in {"consent:settings", "consent:decide"},
        )
    }
