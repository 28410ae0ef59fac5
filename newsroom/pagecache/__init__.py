"""Whole pages for anonymous readers, kept until a change retires the tags they carry.

The app knows nothing of stories or consent. A public view is wrapped in `cached_page`; while
it renders, the app that owns it names what the page shows with `tag(request, ...)`, and when
those rows change it calls `retire(tags)`. Other apps register what they contribute in their
`AppConfig.ready()`: a page variant (`register_variant`, the consent app) and changes that come
with time (`register_schedule`, the news app's scheduled stories). Shared caches in front
(Varnish, Fastly, Cloudflare) get the same tags in response headers and are purged by tag.
"""

from .middleware import PageCacheMiddleware, cached_page, tag
from .registry import register_schedule, register_variant
from .versions import retire, version_of

__all__ = [
    "PageCacheMiddleware",
    "cached_page",
    "register_schedule",
    "register_variant",
    "retire",
    "tag",
    "version_of",
]
