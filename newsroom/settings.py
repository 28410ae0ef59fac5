"""Newsroom settings: the one module, driven by the environment.

Every deployment difference is an environment variable (see the README's configuration table).
The defaults are safe for a laptop: SQLite in the project folder, an in-process cache, DEBUG off.
Production must supply DJANGO_SECRET_KEY; without it start-up stops with one clear sentence.
"""

import os
import sys
from pathlib import Path

import dj_database_url

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
    "newsroom.news",
    "newsroom.consent",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
]

# Database: DATABASE_URL, defaulting to a SQLite file in the project folder.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Opening a SQLite file costs next to nothing, and a connection held between requests
    # would keep its WAL snapshot; persistent connections are for PostgreSQL.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers carry on while an import writes; the busy timeout makes a second
        # writer wait instead of failing; IMMEDIATE takes the write lock at BEGIN, so a
        # transaction never has to upgrade a read lock mid-way (the source of "database is locked").
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

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
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

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

# Form fields (not uploaded files) of more than 5 MB in one request are refused with a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The admin import takes at most 50 files and says so; far more is refused with a 400 before
# any view runs.
DATA_UPLOAD_MAX_NUMBER_FILES = 60

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "newsroom.views.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

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
# The consent cookie is Secure outside development; set explicitly for a plain-http staging host.
CONSENT_COOKIE_SECURE = env_bool("NEWSROOM_CONSENT_COOKIE_SECURE", default=not DEBUG)

TAGGIT_CASE_INSENSITIVE = True
