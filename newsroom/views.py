"""Project-wide error views that need more than Django's defaults give them.

Django renders 500.html with an empty context (no request: the failure may be in a context
processor), and the CSRF failure page the same way, so both pass the site's name themselves.
A bad request or a failure can come before LocaleMiddleware has chosen the reader's language
(the request limits run first), so those two pages choose it themselves.
"""

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import (
    Http404,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
)
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.template import loader
from django.templatetags.static import static
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.views.decorators.csrf import requires_csrf_token
from django.views.static import serve

from newsroom.news import renditions
from newsroom.news.models import Article
from newsroom.security.middleware import QueryStringTooLong, RequestTooLarge

SITE = {
    "site_name": settings.NEWSROOM_SITE_NAME,
    "site_description": settings.NEWSROOM_SITE_DESCRIPTION,
}


def bad_request(request, exception=None):
    """400, saying what went wrong when it is something the person can act on."""
    with translation.override(translation.get_language_from_request(request)):
        context = {**SITE, "message": _bad_request_message(exception)}
        response = HttpResponseBadRequest(loader.render_to_string("400.html", context, request))
    patch_vary_headers(response, ["Accept-Language"])
    return response


def _bad_request_message(exception) -> str:
    if isinstance(exception, RequestDataTooBig):
        return gettext(
            "What you sent is too large for one request (over 5 MB of text), so nothing was "
            "saved. Shorten it, or split it into several saves."
        )
    if isinstance(exception, TooManyFilesSent):
        return gettext("Too many files at once, so nothing was saved: send at most 50.")
    if isinstance(exception, TooManyFieldsSent):
        return gettext(
            "The form or address has too many fields (over %(limit)s), so nothing was saved."
        ) % {"limit": number_format(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, force_grouping=True)}
    if isinstance(exception, QueryStringTooLong):
        return gettext(
            "That address is too long (over %(limit)s characters after the “?”). "
            "Shorten the search or remove what was added to the link."
        ) % {"limit": number_format(settings.NEWSROOM_MAX_QUERY_STRING, force_grouping=True)}
    if isinstance(exception, RequestTooLarge):
        return gettext(
            "What you sent is too large (over %(limit)s MB in one request), so nothing was "
            "saved. Send fewer or smaller files at a time."
        ) % {"limit": settings.NEWSROOM_MAX_REQUEST_BYTES // (1024 * 1024)}
    return ""


@requires_csrf_token
def server_error(request):
    with translation.override(translation.get_language_from_request(request)):
        response = HttpResponseServerError(loader.render_to_string("500.html", SITE))
    patch_vary_headers(response, ["Accept-Language"])
    return response


def csrf_failure(request, reason=""):
    context = {**SITE, "no_cookie": reason == REASON_NO_CSRF_COOKIE}
    return HttpResponseForbidden(loader.render_to_string("403_csrf.html", context))


def media(request, path):
    """Uploaded images, for a single-box newsroom: a file, or a sized copy of it, is served to
    readers only while a story they can read uses it as its lead image, so the picture of an
    unpublished or scheduled story can't be found by guessing its address; staff see every
    file.

    A deployment that serves MEDIA_URL from a web server or object storage instead must keep
    the same rule (for instance by serving only through this view, with X-Accel-Redirect).
    """
    staff = request.user.is_authenticated and request.user.is_staff
    # A sized copy or crop follows its original's rule (news/renditions.py).
    image = renditions.original_of(path) or path
    if not staff and not Article.objects.published().filter(lead_image=image).exists():
        raise Http404("No such file")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    if staff:
        # A staff-only file must never be kept by a shared cache and shown to the next reader.
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=60)
    return response


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's, for one). The
    hashed name is looked up per request: at import time the manifest may not exist yet."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
