"""What other apps contribute to the page cache: page variants and changes that come with time.

The page cache stores one copy of a page per variant. An app whose state changes a rendered page
for some readers but not others (the consent banner) registers a function naming the variant
from the raw request, the request headers it reads (for `Vary`), and the tags every varying page
carries. An app whose pages change when the clock passes a moment (a scheduled story) registers
when the next such moment is and which tags fall due between two moments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest


@dataclass(frozen=True, kw_only=True)
class Variant:
    key: Callable[[HttpRequest], str]
    vary: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Schedule:
    # The next moment after `now` at which a page may change with nobody saving anything.
    next_change: Callable[[datetime], datetime | None]
    # The tags of what changed with time in (since, until].
    due: Callable[[datetime, datetime], Iterable[str]]


_variants: list[Variant] = []
_schedules: list[Schedule] = []


def register_variant(
    key: Callable[[HttpRequest], str], *, vary: Iterable[str] = (), tags: Iterable[str] = ()
) -> None:
    variant = Variant(key=key, vary=tuple(vary), tags=tuple(tags))
    if variant not in _variants:
        _variants.append(variant)


def register_schedule(
    *,
    next_change: Callable[[datetime], datetime | None],
    due: Callable[[datetime, datetime], Iterable[str]],
) -> None:
    schedule = Schedule(next_change=next_change, due=due)
    if schedule not in _schedules:
        _schedules.append(schedule)


def variant_of(request: HttpRequest) -> str:
    """The request's variant: every registered part, joined ("" with none registered)."""
    return "|".join(variant.key(request) for variant in _variants)


def variant_vary() -> tuple[str, ...]:
    return tuple(header for variant in _variants for header in variant.vary)


def variant_tags() -> tuple[str, ...]:
    return tuple(tag for variant in _variants for tag in variant.tags)


def next_change(now: datetime) -> datetime | None:
    moments = [m for s in _schedules if (m := s.next_change(now)) is not None]
    return min(moments, default=None)


def due(since: datetime, until: datetime) -> set[str]:
    return {tag for schedule in _schedules for tag in schedule.due(since, until)}
