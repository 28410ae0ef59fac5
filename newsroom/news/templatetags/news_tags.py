import json
from datetime import datetime

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def iso8601(value: datetime | None) -> str:
    """A machine-readable time for <time datetime> and structured data: local time, whole
    seconds, explicit offset ("2026-08-20T09:30:00+00:00"). HTML allows at most three digits
    of a second, which Django's "c" format exceeds."""
    if not value:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds")


_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003e", ord("<"): "\\u003c", ord("&"): "\\u0026"}


@register.filter
def json_ld(data: dict) -> str:
    """`data` as JSON safe inside <script type="application/ld+json">: no "</script>" or
    "<!--" can appear, whatever editors typed."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_JSON_SCRIPT_ESCAPES))  # escaped above
