"""What the footer's kept fragment varies by (`policies|link_kinds`; the frame's
`policy_links()` gives the live policies, newsroom/templating.py), and the organisation's data
as JSON-LD (`{{ data|json_ld }}`, /about/)."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

register = template.Library()

# What could end the <script> element or open a comment in it, written as JSON escapes.
_IN_SCRIPT = {ord(">"): "\\u003e", ord("<"): "\\u003c", ord("&"): "\\u0026"}


@register.filter
def link_kinds(links) -> str:
    """What the footer's kept fragment varies by: which policies are live."""
    return ",".join(link.kind for link in links)


@register.filter
def json_ld(data: dict) -> str:
    """`data` as JSON safe inside <script type="application/ld+json">, whatever editors typed
    (as news_tags' filter of the same name, which this app may not import)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_IN_SCRIPT))  # escaped above
