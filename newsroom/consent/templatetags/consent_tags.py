"""Consent in templates: ask about a category, or let a tag gate a script or an embed.

`{% consent_granted "analytics" as ok %}` answers whether the reader allowed a category, for
templates that prefer a tag to `{% if consent.granted.analytics %}` or are rendered without the
context processor but with a request. An unknown key, or a template with neither `consent` nor
`request` in its context (the 500 page), answers False: when in doubt, no script.

`{% consent_script "analytics" src %}` renders a deferred script when the category is granted,
and otherwise an inert `type="text/plain"` element that consent.js activates after consent.
`{% consent_embed "marketing" src provider="YouTube" title="..." %}` renders the iframe when
granted, and otherwise a facade naming the provider with a link to the content, which gate.js
turns into the iframe once the reader allows the category.

`{% consent_settings as gate %}` gives the page foot the scripts declared in settings and the
Consent Mode adapter's settings.

`{% chrome_lang %}` renders ` lang="fr"` when the reader's language differs from the site's
(the language stories are written in, which `<html lang>` names), so translated chrome around
an English story is announced in the right language (WCAG 3.1.2); otherwise nothing.
"""

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from .. import state
from ..presentation import TemplateConsent

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
    return state.for_request(request).granted.get(key, False)


def _granted(context, key: str) -> bool:
    return consent_granted(context, key)


@register.simple_tag(takes_context=True)
def consent_script(context, key: str, src: str):
    if _granted(context, key):
        return format_html('<script src="{}" defer></script>', src)
    # No src and a non-script type: the browser neither fetches nor runs it.
    return format_html(
        '<script type="text/plain" data-consent-category="{}" data-src="{}"></script>', key, src
    )


@register.simple_tag(takes_context=True)
def consent_embed(context, key: str, src: str, *, provider: str, title: str):
    if _granted(context, key):
        return format_html(
            '<iframe src="{}" title="{}" loading="lazy" allowfullscreen></iframe>', src, title
        )
    # The same facade as a story body's (markup/embeds.py), so gate.js shows the player once
    # the category is allowed, without a reload.
    return format_html(
        '<figure class="embed" data-embed-provider="{}" data-embed-category="{}" '
        'data-embed-src="{}" data-embed-title="{}"><p class="embed__note">{}</p>'
        '<p><a href="{}" rel="noopener">{}</a></p></figure>',
        provider,
        key,
        src,
        title,
        gettext("This %(provider)s content is hidden until you allow %(category)s cookies.")
        % {"provider": provider, "category": key},
        src,
        gettext("Open “%(title)s” on %(provider)s") % {"title": title, "provider": provider},
    )


@register.simple_tag
def consent_settings() -> dict[str, object]:
    """What every page's foot renders (consent/_page_scripts.jinja): the declared optional
    scripts, and the Google tag's address when Consent Mode is on."""
    return {
        "scripts": settings.CONSENT_SCRIPTS,
        "mode": settings.CONSENT_MODE == "basic",
        "tag_src": settings.CONSENT_MODE_TAG_URL,
        "tag_id": settings.CONSENT_MODE_TAG_ID,
    }


@register.simple_tag
def site_language() -> str:
    return settings.LANGUAGE_CODE


@register.simple_tag
def chrome_lang():
    active = (get_language() or settings.LANGUAGE_CODE).lower()
    if active == settings.LANGUAGE_CODE.lower():
        return ""
    return format_html(' lang="{}"', active)
