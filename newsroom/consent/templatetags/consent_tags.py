"""`{% consent_granted "analytics" as ok %}`: whether the reader allowed a cookie category.

For templates that prefer a tag to `{% if consent.granted.analytics %}`, or that are rendered
without the context processor but with a request. An unknown key, or a template with neither
`consent` nor `request` in its context (the 500 page), answers False: when in doubt, no script.
"""

from django import template

from ..context_processors import TemplateConsent
from ..middleware import consent_state

register = template.Library()


@register.simple_tag(takes_context=True)
def consent_granted(context, key: str) -> bool:
    if not isinstance(key, str):
        return False
    consent = context.get("consent")
    if isinstance(consent, TemplateConsent):
        return consent.granted.get(key, False)
    request = context.get("request")
    if request is None:
        return False
    state = getattr(request, "consent", None)
    if state is None:
        state = consent_state(request)
    return state.granted.get(key, False)
