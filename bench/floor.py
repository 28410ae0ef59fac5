"""The floor: a minimal Django project whose one view returns a fixed 10 KB HTML page.

Settings, the URL and the WSGI application in one module, served by gunicorn exactly as the
site is (`gunicorn bench.floor:application`). What it costs per request is what Django and
gunicorn cost with no page work at all, so a page's requests/s divided by the floor's, both
measured in the same run, says how much of Django's own speed the page keeps.

No apps and no middleware: the floor is the bare view the issue compares against.
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

PAGE_BYTES = 10 * 1024
_ROW = "<p>The floor: a fixed page of exactly ten kilobytes, the same for every reader.</p>\n"
_HEAD = "<!doctype html>\n<html lang=en><title>Floor</title>\n"
_TAIL = "</html>\n"
_FILL = PAGE_BYTES - len(_HEAD) - len(_TAIL)
PAGE = (_HEAD + (_ROW * (_FILL // len(_ROW) + 1))[:_FILL] + _TAIL).encode()


def page(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]

if not settings.configured:
    settings.configure(
        DEBUG=False,
        # The floor holds nothing to protect; a fixed key keeps it free of set-up.
        SECRET_KEY="bench-floor-has-no-secrets",
        ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_I18N=False,
    )

application = get_wsgi_application()
