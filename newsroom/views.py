"""Project-wide error views that need more than Django's defaults give them.

Django renders 500.html with an empty context (no request: the failure may be in a context
processor), and the CSRF failure page the same way, so both pass the site's name themselves.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import (
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
)
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.csrf import requires_csrf_token
from django.views.static import serve

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
    return HttpResponseBadRequest(loader.render_to_string("400.html", context, request))


@requires_csrf_token
def server_error(request):
    return HttpResponseServerError(loader.render_to_string("500.html", SITE))


def csrf_failure(request, reason=""):
    context = {**SITE, "no_cookie": reason == REASON_NO_CSRF_COOKIE}
    return HttpResponseForbidden(loader.render_to_string("403_csrf.html", context))


def media(request, path):
    """Uploaded images, for a single-box newsroom. A larger deployment puts a web server or
    object storage in front of MEDIA_URL and this view is never reached."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's, for one). The
    hashed name is looked up per request: at import time the manifest may not exist yet."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
