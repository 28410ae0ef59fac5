"""Newsroom settings: the one module, driven by the environment.

Every deployment difference is an environment variable (docs/configuration.md has them all).
The defaults are safe for a laptop: SQLite in the project folder, an in-process cache, DEBUG off.
Production must supply DJANGO_SECRET_KEY; without it start-up stops with one clear sentence.
"""

import os
import re
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from django_prose_editor.config import html_tags
from js_asset import static_lazy

from newsroom.markup.embeds import FACADE_ATTRIBUTES

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, *, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in {"1", "true", "yes", "on"}


def env_int(name: str, *, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        sys.exit(f"Newsroom cannot start: {name} must be a whole number, not {value!r}.")


def env_list(name: str, *, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_urls(name: str, *, pattern: str, example: str) -> list[str]:
    """A comma-separated list of addresses, each matching `pattern`, or start-up stops."""
    urls = env_list(name, default="")
    for url in urls:
        if not re.fullmatch(pattern, url):
            sys.exit(f"Newsroom cannot start: each of {name} must be {example}, not {url!r}.")
    return urls


def env_positive_int(name: str, *, default: int) -> int:
    value = env_int(name, default=default)
    if value < 1:
        sys.exit(f"Newsroom cannot start: {name} must be 1 or more, not {value}.")
    return value


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # SystemExit rather than ImproperlyConfigured: one sentence, no traceback, non-zero exit.
        sys.exit(
            "Newsroom cannot start: set DJANGO_SECRET_KEY to a long random string "
            "(or DJANGO_DEBUG=1 for local development)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DJANGO_DEBUG"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default="localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # whitenoise's runserver integration keeps `make run` serving static files like production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "django_prose_editor",
    "csp",
    "axes",
    "newsroom.pagecache",
    "newsroom.publisher",
    "newsroom.news",
    "newsroom.desk",
    "newsroom.ingest",
    "newsroom.search",
    "newsroom.operations",
    "newsroom.consent",
]

MIDDLEWARE = [
    # Anonymous readers' cached pages, answered before anything else runs: a stored page was
    # stored with the headers every middleware below added (security, CSP, ETag, Vary), and a
    # hit answers If-None-Match itself. Static files and sessions skip it (newsroom/pagecache/).
    "newsroom.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Headers on every response, error pages included; then the request limits, before
    # anything reads the request (newsroom/security/middleware.py).
    "newsroom.security.middleware.security_headers",
    "newsroom.security.middleware.NewsroomCSPMiddleware",
    "newsroom.security.middleware.request_limits",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETags for every page, and 304 answers to If-None-Match / If-Modified-Since.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the reader's Accept-Language (of LANGUAGES), so the consent banner speaks
    # it; pages then say `Vary: Accept-Language`.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.consent.middleware.ConsentMiddleware",
    # Last, as django-axes asks: turns a throttled login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.news.context_processors.site",
                "newsroom.consent.context_processors.consent",
            ],
        },
    },
    # The frame around every reader's page and the story's page, written for Jinja2 for speed
    # (newsroom/templating.py): templates/**/*.jinja. Django's pages extend base.html, which
    # hands the frame their blocks.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "newsroom.templating.environment",
            # What the frame and the story page show of every request (the backend adds
            # `request` and the CSRF token itself).
            "context_processors": [
                "newsroom.news.context_processors.site",
                "newsroom.consent.context_processors.consent",
            ],
        },
    },
]

# Database: DATABASE_URL, defaulting to a SQLite file in the project folder.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
# An optional read replica: anonymous readers' pages may read from it, nothing else does
# (newsroom/routers.py). Tests use the primary for it, as Django's docs advise.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["newsroom.routers.ReplicaRouter"]
for _database in DATABASES.values():
    if _database["ENGINE"] != "django.db.backends.sqlite3":
        continue
    # Kept between requests like PostgreSQL's: opening the file and running the pragmas below
    # cost a quarter of an uncached story page. Django's SQLite connections are in autocommit
    # between requests, so a kept one holds no read snapshot that would stop the WAL being
    # checkpointed (SQLite does that itself every 1,000 pages).
    _database["OPTIONS"] = {
        # WAL lets readers carry on while an import writes; the busy timeout makes a second
        # writer wait instead of failing; IMMEDIATE takes the write lock at BEGIN, so a
        # transaction never has to upgrade a read lock mid-way (the source of "database is locked").
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        # How long a write waits for another (seconds). An import is one transaction, so an
        # editor's save during an import waits for all of it: 500 stories take ~5 s on an idle
        # machine and up to ~30 s on a busy two-core one (make loadtest).
        "timeout": env_int("NEWSROOM_SQLITE_TIMEOUT", default=60),
    }
    # Django's SQLite backend minus its JSON-support probe (see newsroom/sqlite/base.py).
    _database["ENGINE"] = "newsroom.sqlite"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, otherwise an in-process cache.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Django's default of 300 entries would cull pages (and their tags' versions) of a
            # site with a few hundred stories; each page is ~10-40 KB, so this is ~200 MB at most.
            "OPTIONS": {
                "MAX_ENTRIES": env_positive_int("NEWSROOM_LOCAL_CACHE_ENTRIES", default=5000)
            },
        }
    }

# Whole pages for anonymous readers, retired by tag when what they show changes
# (newsroom/pagecache/). "0" turns storing off (the benchmark compares both). The seconds cap
# how long a page is kept; the replica lag is how long after a change pages read the primary.
NEWSROOM_PAGE_CACHE = env_bool("NEWSROOM_PAGE_CACHE", default=True)
NEWSROOM_PAGE_CACHE_SECONDS = env_int("NEWSROOM_PAGE_CACHE_SECONDS", default=600)
NEWSROOM_REPLICA_LAG_SECONDS = env_int("NEWSROOM_REPLICA_LAG_SECONDS", default=5)
# Shared caches in front (Varnish, a CDN): how long they may keep a page (never past the next
# scheduled story), the headers that carry its tags, and the caches purged by tag on a change.
NEWSROOM_SHARED_CACHE_SECONDS = env_int("NEWSROOM_SHARED_CACHE_SECONDS", default=600)
# How often a live story's page asks for new updates (static/news/live.js); each poll is a
# cached page, so it is cheap, but a thousand readers every 20 s is still 50 requests a second.
NEWSROOM_LIVE_POLL_SECONDS = env_positive_int("NEWSROOM_LIVE_POLL_SECONDS", default=20)
NEWSROOM_CACHE_TAG_HEADERS = env_list(
    "NEWSROOM_CACHE_TAG_HEADERS", default="xkey,Surrogate-Key,Cache-Tag"
)
NEWSROOM_PURGE_URLS = env_urls(
    "NEWSROOM_PURGE_URLS",
    pattern=r"https?://[^\s/]+(/\S*)?",
    example="an http:// or https:// address such as http://127.0.0.1:6081/",
)
NEWSROOM_PURGE_REPEAT_SECONDS = env_int("NEWSROOM_PURGE_REPEAT_SECONDS", default=2)

# django-axes first: it refuses a throttled client before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("NEWSROOM_LANGUAGE", "en-gb")
TIME_ZONE = os.environ.get("NEWSROOM_TIME_ZONE", "UTC")
USE_I18N = True
# The languages the reader-facing chrome (consent banner, settings, navigation) is translated into.
LANGUAGES = [("en-gb", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "newsroom" / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("NEWSROOM_STATIC_ROOT") or BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("NEWSROOM_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names so pages can be cached for a long time; needs collectstatic,
    # which `make run`, `make test` and a deployment all do.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The body editor's own node (django-prose-editor's "configurable" editor imports the module and
# enables its `Embed` export where an editor's extensions name it, as desk/forms.py does): an
# embed's facade, kept whole as the sanitiser makes it (newsroom/markup/sanitize.py). The tags
# and attributes are what the package would allow if it sanitised; newsroom's own sanitiser does.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("desk/admin/prose-embed.js")],
        "extensions": {
            "Embed": html_tags(["figure", "a"], {"figure": list(FACADE_ATTRIBUTES), "a": ["href"]})
        },
    }
]

# Form fields (not uploaded files) of more than 5 MB in one request are refused with a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The admin import takes at most 50 files and says so; far more is refused with a 400 before
# any view runs.
DATA_UPLOAD_MAX_NUMBER_FILES = 60

# --- Security (docs/configuration.md lists each variable, docs/security.md what it does) ---

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "newsroom.views.csrf_failure"


# HTTPS is switched on explicitly, never implied by DEBUG being off: `make run` serves plain
# http://127.0.0.1:8000 with DEBUG off, and a redirect to https or Secure-only cookies would
# lock a laptop out of its own admin. A deployment behind TLS sets NEWSROOM_HTTPS=1.
NEWSROOM_HTTPS = env_bool("NEWSROOM_HTTPS")
if NEWSROOM_HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # A year, subdomains and preload by default (what `check --deploy` asks for); a site whose
    # subdomains are not all on HTTPS yet turns the last two off.
    SECURE_HSTS_SECONDS = env_int("NEWSROOM_HSTS_SECONDS", default=365 * 24 * 3600)
    if SECURE_HSTS_SECONDS < 0:
        sys.exit("Newsroom cannot start: NEWSROOM_HSTS_SECONDS must be 0 or more.")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("NEWSROOM_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("NEWSROOM_HSTS_PRELOAD", default=True)

# Behind a TLS-terminating proxy: the header it sets to "https" (e.g. X-Forwarded-Proto). Only
# for a proxy that always sets it, overwriting any value the client sent.
_proxy_header = os.environ.get("NEWSROOM_PROXY_SSL_HEADER", "").strip()
if _proxy_header:
    _meta = _proxy_header.upper().replace("-", "_")
    _meta = _meta if _meta.startswith("HTTP_") else f"HTTP_{_meta}"
    if not re.fullmatch(r"HTTP_[A-Z0-9_]+", _meta):
        sys.exit(
            "Newsroom cannot start: NEWSROOM_PROXY_SSL_HEADER must be a header name such as "
            f"X-Forwarded-Proto, not {_proxy_header!r}."
        )
    SECURE_PROXY_SSL_HEADER = (_meta, "https")
# How many proxies in front of the site append to X-Forwarded-For (login throttling counts the
# client's address, not the proxy's); 0 when clients connect directly.
NEWSROOM_PROXY_COUNT = env_int("NEWSROOM_PROXY_COUNT", default=0)

CSRF_TRUSTED_ORIGINS = env_urls(
    "NEWSROOM_CSRF_TRUSTED_ORIGINS",
    pattern=r"https?://[^/\s]+",
    example="a scheme and host such as https://news.example.org",
)

# The admin's address. Checked here because a bad value would either fail obscurely in the URL
# resolver or, worse, shadow readers' pages (the admin's routes are tried first).
_RESERVED_PATHS = {
    "news", "tags", "authors", "archive", "search", "feeds", "preview", "consent", "static",
    "media", "csp-report", ".well-known", "robots.txt", "favicon.ico",
}  # fmt: skip
_admin_url = os.environ.get("NEWSROOM_ADMIN_URL", "admin/").strip()
NEWSROOM_ADMIN_URL = _admin_url.strip("/") + "/"
if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*(/[A-Za-z0-9._~-]+)*/", NEWSROOM_ADMIN_URL) or (
    NEWSROOM_ADMIN_URL.split("/")[0].lower() in _RESERVED_PATHS
    or NEWSROOM_ADMIN_URL.startswith("sitemap")
):
    sys.exit(
        "Newsroom cannot start: NEWSROOM_ADMIN_URL must be a path of letters, digits and - . _ ~ "
        "such as desk-7f3a/ that no reader's page uses, not "
        f"{_admin_url!r}."
    )

# Optional third-party scripts, each under the consent category it needs, as
# "category=https://host/path.js" items separated by commas (e.g.
# "analytics=https://stats.example/s.js"). Each page renders them inert until the reader allows
# the category (templates/consent/_page_scripts.jinja); their hosts join the CSP below.
CONSENT_SCRIPTS = [
    tuple(item.split("=", 1))
    for item in env_urls(
        "NEWSROOM_CONSENT_SCRIPTS",
        pattern=r"[a-z]+=https?://[^/\s,]+/[^\s,]*",
        example="a category and a script address such as analytics=https://stats.example/s.js",
    )
]
# Google Consent Mode v2, "basic" only (newsroom/consent/checks.py refuses anything else):
# every signal denied by default, updated from the reader's stored choice, and the Google tag
# (NEWSROOM_CONSENT_MODE_TAG_URL?id=NEWSROOM_CONSENT_MODE_TAG_ID) loaded only once a choice
# allows analytics or marketing. Off (empty) by default.
CONSENT_MODE = os.environ.get("NEWSROOM_CONSENT_MODE", "").strip().lower()
CONSENT_MODE_TAG_ID = os.environ.get("NEWSROOM_CONSENT_MODE_TAG_ID", "").strip()
CONSENT_MODE_TAG_URL = os.environ.get(
    "NEWSROOM_CONSENT_MODE_TAG_URL", "https://www.googletagmanager.com/gtag/js"
).strip()
# Content Security Policy (django-csp). Public pages: nothing inline, nothing from another host,
# no nonce (the page cache stores pages, so a per-request nonce would be replayed). JSON-LD is a
# data block, which CSP does not treat as a script.
NEWSROOM_CSP_REPORT_URI = "/csp-report/"
# The hosts of consented scripts (and of the Google tag with Consent Mode on). Listing a host
# lets nothing load by itself: the page only asks for it once the reader allowed its category.
if not re.fullmatch(r"https?://[^/\s]+/\S*", CONSENT_MODE_TAG_URL):
    sys.exit(
        "Newsroom cannot start: NEWSROOM_CONSENT_MODE_TAG_URL must be an address such as "
        f"https://www.googletagmanager.com/gtag/js, not {CONSENT_MODE_TAG_URL!r}."
    )
_CONSENTED_ORIGINS = sorted(
    {
        re.match(r"https?://[^/]+", url)[0]
        for url in [src for _key, src in CONSENT_SCRIPTS]
        + [CONSENT_MODE_TAG_URL] * bool(CONSENT_MODE)
    }
)
# The players a story's embed facades load once allowed (newsroom/markup/embeds.py); nothing is
# framed before that. Replace the list with NEWSROOM_CSP_FRAME_SRC to allow fewer or more.
_EMBED_FRAME_ORIGINS = (
    "https://www.youtube-nocookie.com,https://player.vimeo.com,"
    "https://platform.twitter.com,https://www.instagram.com"
)
_CSP_BASE = {
    "default-src": ["'self'"],
    "script-src": ["'self'", *_CONSENTED_ORIGINS],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", *_CONSENTED_ORIGINS],
    "font-src": ["'self'"],
    "connect-src": ["'self'", *_CONSENTED_ORIGINS],
    "frame-src": ["'self'", *env_list("NEWSROOM_CSP_FRAME_SRC", default=_EMBED_FRAME_ORIGINS)],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "report-uri": [NEWSROOM_CSP_REPORT_URI],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_BASE}
# The admin's own policy (NewsroomCSPMiddleware applies it under NEWSROOM_ADMIN_URL), as strict
# as the admin works under (tests/test_csp.py proves it in Chromium). Scripts: 'self' plus a
# per-request nonce for the body editor's inline import map (admin pages are never cached, so a
# nonce is never replayed). Styles: 'self' plus the hash of the one <style> element the body
# editor (Tiptap) injects; a new django-prose-editor may change it, and the browser test then
# names the new hash.
NEWSROOM_ADMIN_CSP = {
    **_CSP_BASE,
    "script-src": ["'self'", CSP_NONCE],
    # Consented third parties are for readers' pages only.
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "style-src": ["'self'", "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"],
}

# Permissions-Policy and the request limits (newsroom/security/middleware.py). A query string
# longer than the site ever makes, or a body larger than the biggest upload the admin accepts
# (50 scraped files of 1 MB, or one lead image), is refused with the friendly 400 page before
# anything reads it. A web server in front should refuse bigger bodies itself.
# 4096: the search box's 200 characters can take 2,400 bytes once percent-encoded (emoji).
NEWSROOM_MAX_QUERY_STRING = env_positive_int("NEWSROOM_MAX_QUERY_STRING", default=4096)
NEWSROOM_MAX_REQUEST_BYTES = env_positive_int("NEWSROOM_MAX_REQUEST_MB", default=60) * 1024 * 1024
# Lead images: at most this many megabytes, and this many megapixels once decoded (a small file
# can decode to gigabytes: a "decompression bomb").
NEWSROOM_IMAGE_MAX_BYTES = env_positive_int("NEWSROOM_IMAGE_MAX_MB", default=10) * 1024 * 1024
NEWSROOM_IMAGE_MAX_PIXELS = env_positive_int("NEWSROOM_IMAGE_MAX_MEGAPIXELS", default=40) * 10**6

# Login throttling (django-axes): after NEWSROOM_LOGIN_FAILURE_LIMIT wrong passwords from one
# client address, every sign-in from it, right password included, is refused for
# NEWSROOM_LOGIN_COOLOFF_MINUTES. Per address rather than per username, so nobody can lock an
# editor out by guessing at their name from elsewhere. Attempts during a lockout don't extend it,
# so the page can say exactly when to come back.
AXES_FAILURE_LIMIT = env_positive_int("NEWSROOM_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(
    minutes=env_positive_int("NEWSROOM_LOGIN_COOLOFF_MINUTES", default=15)
)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "newsroom.security.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "newsroom.security.throttle.client_ip"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Email: the People screen's invitations (newsroom/desk/people.py). With NEWSROOM_EMAIL_HOST,
# through that SMTP server (STARTTLS on 587 by default); without one, written to the console
# (the server's log), which suits a laptop, and the People screen says so rather than claiming
# an invitation was sent. The tests use Django's in-memory outbox whatever is set here.
if os.environ.get("NEWSROOM_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["NEWSROOM_EMAIL_HOST"]
    EMAIL_PORT = env_positive_int("NEWSROOM_EMAIL_PORT", default=587)
    EMAIL_HOST_USER = os.environ.get("NEWSROOM_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("NEWSROOM_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("NEWSROOM_EMAIL_TLS", default=True)
    # A mail server that doesn't answer fails the invitation with a message, not a hung page.
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("NEWSROOM_EMAIL_FROM", "newsroom@localhost")

# What the site calls itself, and the byline for stories with no named author.
NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom")
NEWSROOM_SITE_DESCRIPTION = os.environ.get(
    "NEWSROOM_SITE_DESCRIPTION", "Independent reporting from a small newsroom."
)
NEWSROOM_DESK_BYLINE = os.environ.get("NEWSROOM_DESK_BYLINE", "Newsroom Staff")

# How long a shared preview link works (seconds; default three days).
NEWSROOM_PREVIEW_MAX_AGE = env_int("NEWSROOM_PREVIEW_MAX_AGE", default=3 * 24 * 3600)

# The consent policy version: raise it when the cookie policy changes; every reader is asked
# again.
CONSENT_POLICY_VERSION = os.environ.get("NEWSROOM_CONSENT_POLICY_VERSION", "1")
# How long a reader's choice is relied on (days; default about six months). Start-up refuses more
# than 395 (thirteen months), the longest regulators accept.
CONSENT_MAX_AGE_DAYS = env_int("NEWSROOM_CONSENT_MAX_AGE_DAYS", default=182)
# How long a reader who refused every optional category is left unasked (days; default about
# six months). Asked again sooner only when CONSENT_POLICY_VERSION is raised (a material change);
# a choice that allowed something is relied on for CONSENT_MAX_AGE_DAYS.
CONSENT_REASK_DAYS = env_int("NEWSROOM_CONSENT_REASK_DAYS", default=182)
# The consent cookie is Secure outside development; set explicitly for a plain-http staging host.
CONSENT_COOKIE_SECURE = env_bool("NEWSROOM_CONSENT_COOKIE_SECURE", default=not DEBUG)

TAGGIT_CASE_INSENSITIVE = True
