from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def iso8601(value: datetime | None) -> str:
    """A machine-readable time for <time datetime> and structured data: local time, whole
    seconds, explicit offset ("2026-08-20T09:30:00+00:00"). HTML allows at most three digits
    of a second, which Django's "c" format exceeds."""
    if not value:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds")
