"""The site's URL root: the admin, each app's addresses, media and the error handlers."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from newsroom import views
from newsroom.consent import views as consent_views
from newsroom.security import views as security_views

admin.site.site_header = f"{settings.NEWSROOM_SITE_NAME} editors"
admin.site.site_title = f"{settings.NEWSROOM_SITE_NAME} admin"
admin.site.index_title = "Stories, authors and topics"

urlpatterns = [
    # NEWSROOM_ADMIN_URL (default "admin/"), checked at start-up: see settings.
    path(settings.NEWSROOM_ADMIN_URL, admin.site.urls),
    path("csp-report/", security_views.csp_report, name="csp_report"),
    path("favicon.ico", views.favicon),
    path("consent/", include("newsroom.consent.urls")),
    # Global Privacy Control: the site says it honours the browser's signal.
    path(".well-known/gpc.json", consent_views.gpc_json, name="gpc_json"),
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", views.media),
    path("", include("newsroom.publisher.urls")),
    path("", include("newsroom.search.urls")),
    path("", include("newsroom.desk.urls")),
    path("", include("newsroom.news.urls")),
]

handler400 = "newsroom.views.bad_request"
handler500 = "newsroom.views.server_error"
