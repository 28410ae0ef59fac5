"""Reads a reader's consent state from their request (cookie and GPC header) and writes it back.

`policy` knows the cookie's format; this module knows where a request keeps it: the
`newsroom_consent` cookie, the browser's Global Privacy Control header, and the settings that
say which policy version is current, how long a choice lasts and how long a refusal of
everything is left unasked (`CONSENT_REASK_DAYS`). For a reader with a stored
choice, the categories whose version an editor raised since (asked again) come from
`Category.objects.cached_changed_at()`: one query after each change, none in the steady state.
"""

import dataclasses
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from . import policy
from .models import Category


def consent_state(request) -> policy.ConsentState:
    """The consent state for a request, parsed from its cookie against the current policy."""
    state = policy.state_from_cookie(
        request.COOKIES.get(policy.COOKIE_NAME),
        version=settings.CONSENT_POLICY_VERSION,
        now=timezone.now(),
        max_age=max_age(),
        gpc=sends_gpc(request),
        refusal_cooldown=refusal_cooldown(),
    )
    # A refusal of everything is not asked again until its cooldown ends, even about a
    # category whose cookies changed since: none of it was allowed, and it stays off. Only a
    # new policy version (a material change) asks sooner. This also spares the query.
    if state.decision is None or state.decision.rejected_all:
        return state
    stale = policy.stale_categories(state.decision, Category.objects.cached_changed_at())
    return dataclasses.replace(state, stale=stale) if stale else state


def for_request(request) -> policy.ConsentState:
    """The middleware's `request.consent` (still unparsed until read), else parsed now: for a
    request that skipped the middleware."""
    state = getattr(request, "consent", None)
    # `is None`, not truthiness: asking a lazy object whether it is true would parse it.
    return consent_state(request) if state is None else state


# The variant of every reader who has no consent cookie: asked, or (with GPC) told.
_UNDECIDED = {gpc: policy.ConsentState(gpc=gpc).page_variant for gpc in (False, True)}


def page_variant(request) -> str:
    """The page cache's variant of a public page for this request (`ConsentState.page_variant`).

    Asked before every cached page is looked up; a first visit (no cookie) is the usual case
    and needs no parsing, no clock and no settings."""
    if policy.COOKIE_NAME not in request.COOKIES:
        return _UNDECIDED[sends_gpc(request)]
    return consent_state(request).page_variant


def sends_gpc(request) -> bool:
    # The GPC specification defines "1" as the only value that means anything.
    # From META: request.headers builds a dict of every header, on a cache hit's short path too.
    return request.META.get("HTTP_SEC_GPC", "").strip() == "1"


def max_age() -> timedelta:
    return timedelta(days=settings.CONSENT_MAX_AGE_DAYS)


def refusal_cooldown() -> timedelta:
    return timedelta(days=settings.CONSENT_REASK_DAYS)


def consent_id(request) -> str:
    """The reader's existing consent id, so the log links their decisions; else a new one.

    Taken from the raw cookie, not the parsed state: a choice under an older policy or past its
    age is no longer relied on, but it is still the same reader's history.
    """
    raw = request.COOKIES.get(policy.COOKIE_NAME, "")
    if isinstance(raw, str) and len(raw) <= 256:
        for item in raw.split("|"):
            name, _, value = item.partition(":")
            if name == "id" and policy.is_valid_consent_id(value):
                return value
    return policy.new_consent_id()


def write_cookie(request, response, decision: policy.Decision) -> None:
    """Store `decision` in the reader's consent cookie, for as long as a choice is relied on."""
    response.set_cookie(
        policy.COOKIE_NAME,
        policy.serialise(decision),
        max_age=int(max_age().total_seconds()),
        path="/",
        secure=settings.CONSENT_COOKIE_SECURE or request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
