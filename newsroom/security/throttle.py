"""Who a login attempt comes from, for django-axes (AXES_CLIENT_IP_CALLABLE).

Behind a reverse proxy every request arrives from the proxy's address, so throttling by
REMOTE_ADDR would lock every editor out together. With NEWSROOM_PROXY_COUNT=n the client is the
n-th address from the right of X-Forwarded-For: the one the nearest trusted proxy saw. Addresses
further left were written by the client and are never trusted.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    count = settings.NEWSROOM_PROXY_COUNT
    if count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR") or None
