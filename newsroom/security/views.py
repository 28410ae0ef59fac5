"""The CSP report endpoint and the page a throttled login gets."""

from __future__ import annotations

import json
import logging
import math
from datetime import timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("newsroom.security.csp")

# A real report is well under 4 KiB; the Reporting API may batch a few.
MAX_REPORT_BYTES = 64 * 1024
# Reports are logged, one line each; a batch of thousands is a flood, not a browser.
MAX_REPORTS_PER_REQUEST = 20
# The fields worth a log line, each cut short: a report is attacker-controlled text.
FIELDS = (
    ("document", ("document-uri", "documentURL")),
    ("directive", ("effective-directive", "violated-directive", "effectiveDirective")),
    ("blocked", ("blocked-uri", "blockedURL")),
    ("source", ("source-file", "sourceFile")),
    ("line", ("line-number", "lineNumber")),
    ("sample", ("script-sample", "sample")),
)
FIELD_CHARS = 300

REPORT_TYPES = {"application/csp-report", "application/reports+json", "application/json"}


class BadReport(ValueError):
    pass


def violations(body: bytes) -> list[dict]:
    """The violations in a report body: `{"csp-report": {...}}` from report-uri, or a list of
    Reporting API reports (`[{"type": "csp-violation", "body": {...}}, ...]`)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise BadReport("not JSON") from None
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [data["csp-report"]]
    if isinstance(data, list) and data:
        found = [
            item["body"]
            for item in data[:MAX_REPORTS_PER_REQUEST]
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
        if found:
            return found
    raise BadReport("no CSP violation in it")


def summary(violation: dict) -> str:
    parts = []
    for label, keys in FIELDS:
        value = next((violation[k] for k in keys if violation.get(k) not in (None, "")), None)
        if value is not None:
            # repr(): newlines and control characters in a report can't forge log lines.
            parts.append(f"{label}={str(value)[:FIELD_CHARS]!r}")
    return " ".join(parts) or "(empty report)"


@csrf_exempt  # Browsers post reports with no cookie and no token; nothing is changed.
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log each Content Security Policy violation a browser reports, at WARNING."""
    content_type = request.content_type or ""
    if content_type not in REPORT_TYPES:
        return HttpResponse("Expected a CSP report.", status=415, content_type="text/plain")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_REPORT_BYTES:
        return HttpResponse("Report too large.", status=413, content_type="text/plain")
    body = request.read(MAX_REPORT_BYTES + 1)
    if len(body) > MAX_REPORT_BYTES:
        return HttpResponse("Report too large.", status=413, content_type="text/plain")
    try:
        found = violations(body)
    except BadReport as exc:
        return HttpResponse(f"Not a CSP report: {exc}.", status=400, content_type="text/plain")
    for violation in found:
        logger.warning("CSP violation: %s", summary(violation))
    return HttpResponse(status=204)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): a page that says when to try again,
    with Retry-After for anything that reads headers."""
    now = timezone.now()
    # Lockouts are per client address (AXES_LOCKOUT_PARAMETERS), and attempts refused during a
    # lockout don't extend it, so it ends one cool-off after this address's last counted failure.
    last = AccessAttempt.objects.filter(
        ip_address=getattr(request, "axes_ip_address", None)
    ).aggregate(last=Max("attempt_time"))["last"]
    retry_at = (last or now) + get_cool_off(request)
    wait = max(retry_at - now, timedelta(seconds=1))
    context = {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_description": settings.NEWSROOM_SITE_DESCRIPTION,
        "cool_off_minutes": round(get_cool_off(request).total_seconds() / 60),
        "minutes_left": math.ceil(wait.total_seconds() / 60),
        "retry_at": timezone.localtime(retry_at),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    response = render(request, "security/locked_out.html", context, status=429)
    response["Retry-After"] = str(math.ceil(wait.total_seconds()))
    response["Cache-Control"] = "no-store"
    return response
