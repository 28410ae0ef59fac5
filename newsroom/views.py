"""Project-wide error views that need more than Django's defaults give them.

Django renders 500.html with an empty context (no request: the failure may be in a context
processor), and the CSRF failure page the same way, so both pass the site's name themselves.
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
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import requires_csrf_token
from django.views.static import serve

from newsroom.news.models import Article
from newsroom.security.middleware import QueryStringTooLong, RequestTooLarge

SITE = {
    "site_name": settings.NEWSROOM_SITE_NAME,
    "site_description": settings.NEWSROOM_SITE_DESCRIPTION,
}


def bad_request(request, exception=None):
    """400, saying what went wrong when it is something the person can act on."""
    context = dict(SITE)
    if isinstance(exception, RequestDataTooBig):
        context["message"] = (
            "What you sent is too large for one request (over 5 MB of text), so nothing was "
            "saved. Shorten it, or split it into several saves."
        )
    elif isinstance(exception, TooManyFilesSent):
        context["message"] = "Too many files at once, so nothing was saved: send at most 50."
    elif isinstance(exception, TooManyFieldsSent):
        context["message"] = (
            "The form or address has too many fields (over "
            f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}), so nothing was saved."
        )
    elif isinstance(exception, QueryStringTooLong):
        context["message"] = (
            "That address is too long (over "
            f"{settings.NEWSROOM_MAX_QUERY_STRING:,} characters after the \u201c?\u201d). "
            "Shorten the search or remove what was added to the link."
        )
    elif isinstance(exception, RequestTooLarge):
        limit = settings.NEWSROOM_MAX_REQUEST_BYTES // (1024 * 1024)
        context["message"] = (
            f"What you sent is too large (over {limit} MB in one request), so nothing was "
            "saved. Send fewer or smaller files at a time."
        )
    return HttpResponseBadRequest(loader.render_to_string("400.html", context, request))


@requires_csrf_token
def server_error(request):
    return HttpResponseServerError(loader.render_to_string("500.html", SITE))


def csrf_failure(request, reason=""):
    context = {**SITE, "no_cookie": reason == REASON_NO_CSRF_COOKIE}
    return HttpResponseForbidden(loader.render_to_string("403_csrf.html", context))


def media(request, path):
    """Uploaded images, for a single-box newsroom: a file is served to readers only while a
    story they can read uses it as its lead image, so the picture of an unpublished or
    scheduled story can't be found by guessing its address; staff see every file.

    A deployment that serves MEDIA_URL from a web server or object storage instead must keep
    the same rule (for instance by serving only through this view, with X-Accel-Redirect).
    """
    staff = request.user.is_authenticated and request.user.is_staff
    if not staff and not Article.objects.published().filter(lead_image=path).exists():
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
