"""Middleware for headers and limits that apply to every request.

Order matters (see MIDDLEWARE in settings): the limits run before a session, a CSRF check or
a view has read anything (only the page cache comes earlier, and it reads the address and
cookies, never the body); the header middleware wraps everything below so error pages and
redirects carry the headers too, and the page cache stores pages with them.
"""

from __future__ import annotations

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.signals import setting_changed

# Powerful features no page of the site uses: denied to the site and to anything it embeds, so an
# injected script or a third-party frame cannot ask for them either. Only names every current
# browser recognises, so none logs "unrecognised feature" on each page.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


class QueryStringTooLong(SuspiciousOperation):
    """An address whose query string is longer than the site ever makes."""


class RequestTooLarge(SuspiciousOperation):
    """A request body over NEWSROOM_MAX_REQUEST_BYTES, refused before anything reads it."""


def security_headers(get_response):
    """Permissions-Policy on every response, and X-Frame-Options on those that never reached
    Django's XFrameOptionsMiddleware (a request refused by `request_limits`, say), with the
    same exemption rule."""

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response

    return middleware


def request_limits(get_response):
    """Refuse an over-long query string or an over-large body with the friendly 400 page.

    Raising SuspiciousOperation hands the request to handler400 (newsroom.views.bad_request),
    which says what was wrong; nothing downstream runs, so nothing is read, stored or changed.
    """

    def middleware(request):
        query = request.META.get("QUERY_STRING", "")
        if len(query.encode("latin-1", "replace")) > settings.NEWSROOM_MAX_QUERY_STRING:
            raise QueryStringTooLong(f"query string over {settings.NEWSROOM_MAX_QUERY_STRING}")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.NEWSROOM_MAX_REQUEST_BYTES:
            raise RequestTooLarge(f"request body of {length} bytes")
        return get_response(request)

    return middleware


class NewsroomCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin under its own policy.

    Public pages get CONTENT_SECURITY_POLICY (no nonce: the page cache stores them, and a
    per-request nonce would be replayed to every reader). Pages under the admin's address get
    NEWSROOM_ADMIN_CSP, which the admin and its body editor need; a view's own @csp decorator
    still wins on either side.
    """

    # The public policy's header, built once: django-csp builds it afresh for every response,
    # which is a sixth of what a cached page costs. Forgotten when settings change (tests).
    _public_header: str | None = None

    def process_response(self, request, response):
        if not self._plain_public(request, response):
            return super().process_response(request, response)
        header = NewsroomCSPMiddleware._public_header
        if header is None:
            header = NewsroomCSPMiddleware._public_header = build_policy()
        if header and HEADER not in response:
            response[HEADER] = header
        # What django-csp does too: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @staticmethod
    def _plain_public(request, response) -> bool:
        """Whether the response gets exactly the configured public policy, nothing else: no
        nonce, no per-view policy, no report-only policy or excluded prefixes, not a debug
        page, not the admin. Everything else goes through django-csp as it is."""
        return (
            getattr(request, "_csp_nonce", None) is None
            and not settings.DEBUG
            and not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            and not (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get(
                "EXCLUDE_URL_PREFIXES"
            )
            and not any(
                hasattr(response, name)
                for name in (
                    "_csp_config",
                    "_csp_update",
                    "_csp_replace",
                    "_csp_exempt",
                    "_csp_config_ro",
                    "_csp_update_ro",
                    "_csp_replace_ro",
                    "_csp_exempt_ro",
                )
            )
            and not request.path_info.startswith(f"/{settings.NEWSROOM_ADMIN_URL}")
        )

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(f"/{settings.NEWSROOM_ADMIN_URL}")
        ):
            parts.config = settings.NEWSROOM_ADMIN_CSP
        return parts


def _forget_public_header(**kwargs) -> None:
    NewsroomCSPMiddleware._public_header = None


setting_changed.connect(_forget_public_header, dispatch_uid="newsroom-csp-header")
