"""The breaking-news banner: which story it links to, read once per change rather than per page.

Every reader page shows the banner, and each page is cached whole, so the banner must cost
neither a query per render nor a page left showing it after it came down. The answer
(`Article.objects.breaking()`'s first story, or none) is kept by the process under two limits:
the page cache's version of the `breaking` tag, which a change to a flag or to the flagged
story retires here or in any other process (cachetags.py), and the next moment anything can
change with time (`cachetags.next_change`: a flag running out, a story going live). Pages
showing the banner carry the same tag, and the page cache retires it at those same moments
(`cachetags.due`), so neither the kept answer nor a stored page outlives what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone

from newsroom import pagecache

from . import cachetags
from .models import Article

# What the desk gets when it ticks "Breaking news" without a time, and the longest it may ask.
DEFAULT_HOURS = 2
LONGEST_HOURS = 24
DEFAULT_DURATION = timedelta(hours=DEFAULT_HOURS)
LONGEST_DURATION = timedelta(hours=LONGEST_HOURS)


@dataclass(frozen=True, kw_only=True)
class Banner:
    """What the banner shows of its story."""

    title: str
    slug: str
    until: datetime


def flag_limits(*, published_at: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """When a flag set at `now` starts to count, and the latest it may run to: from now, or
    from the story's publication time when that is later (a scheduled story shows the banner
    once it goes live), until 24 hours after."""
    start = max(now, published_at) if published_at else now
    return start, start + LONGEST_DURATION


# (token, valid until, banner): replaced whole, so a thread never mixes two answers.
_kept: tuple[int | None, datetime | None, Banner | None] = (None, None, None)


def current(*, now: datetime | None = None) -> Banner | None:
    """The banner to show now, or None: no query while the kept answer holds."""
    global _kept
    now = now or timezone.now()
    token = pagecache.version_of(cachetags.BREAKING)
    kept_token, valid_until, banner = _kept
    if token is not None and token == kept_token and (valid_until is None or now < valid_until):
        return banner
    # Read after the token: never older than what the token stands for.
    story = Article.objects.breaking(at=now).only("title", "slug", "breaking_until").first()
    banner = story and Banner(title=story.title, slug=story.slug, until=story.breaking_until)
    if token is not None:
        _kept = (token, cachetags.next_change(now), banner)
    return banner


def for_page(request: HttpRequest | None) -> Banner | None:
    """The banner for a page being rendered, which then carries the `breaking` tag. None
    without a request: the server-error and CSRF pages are rendered without one, and the
    failure behind them may be the database."""
    if request is None:
        return None
    pagecache.tag(request, cachetags.BREAKING)
    return current()


def forget() -> None:
    """Drop the kept answer (tests: a rolled-back database is a change no tag records)."""
    global _kept
    _kept = (None, None, None)
