"""Who else has a story's change page open: recorded when the page opens, kept fresh by the page.

There is no lock. Opening a story's change page records the editor (`opened`); the page's
script (static/news/admin/presence.js) says it is still open every PING_SECONDS (`ping`);
whether someone is still there is decided when the question is asked, never by a job that
clears old rows: a page that pings counts until FRESH has passed without a ping, a page without
JavaScript (which cannot ping) for WITHOUT_JS after it was opened. "Take over" (`take_over`)
tells everyone else on the page that someone has; their save is still checked by the change
form's optimistic lock (desk/forms.py), which refuses a save based on an older version and
shows what changed.

A table rather than the cache: in development the cache is per process, and gunicorn's workers
would each see only the editors who happened to reach them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from newsroom.desk.models import EditingSession
from newsroom.news.models import Article

PING_SECONDS = 45
# Two pings missed, and a bit: the page has been closed (or the laptop shut).
FRESH = timedelta(minutes=2)
# A page without JavaScript says nothing after it opens; its opening counts this long.
WITHOUT_JS = timedelta(minutes=20)
# Rows older than this are deleted when a page opens: nobody counts as there after it.
FORGOTTEN = timedelta(days=1)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _clock(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def _ago(moment: datetime, now: datetime) -> str:
    minutes = max(0, int((now - moment).total_seconds() // 60))
    if minutes == 0:
        return "less than a minute ago"
    if minutes < 120:
        return f"{minutes} minute{'' if minutes == 1 else 's'} ago"
    return f"{minutes // 60} hours ago"


@dataclass(frozen=True, kw_only=True)
class Note:
    """One line of the banner: someone else editing since `at`, or who took the story over
    from this editor at `at`."""

    name: str
    at: datetime
    message: str

    def as_json(self) -> dict:
        return {"name": self.name, "at": self.at.isoformat(), "message": self.message}


@dataclass(frozen=True, kw_only=True)
class Presence:
    """What one editor's change page says about the others."""

    editors: list[Note]
    taken_over: Note | None

    def as_json(self) -> dict:
        return {
            "editors": [editor.as_json() for editor in self.editors],
            "taken_over": self.taken_over.as_json() if self.taken_over else None,
        }


def _still_there(now: datetime) -> Q:
    return Q(pings=True, seen_at__gt=now - FRESH) | Q(pings=False, seen_at__gt=now - WITHOUT_JS)


def opened(article: Article, user) -> None:
    """`user` has opened the story's change page: there from now, or still there since they
    came (another tab, a reload)."""
    now = timezone.now()
    with transaction.atomic():
        EditingSession.objects.filter(seen_at__lt=now - FORGOTTEN).delete()
        session, created = EditingSession.objects.select_for_update().get_or_create(
            article=article, user=user, defaults={"started_at": now, "seen_at": now}
        )
        if created:
            return
        here = EditingSession.objects.filter(_still_there(now), pk=session.pk).exists()
        if not here or session.taken_over_by_id is not None:
            # Back after leaving, or after being taken over: a fresh start.
            session.started_at = now
            session.taken_over_by, session.taken_over_at = None, None
        session.seen_at, session.pings = now, False
        session.save()


def ping(article: Article, user) -> Presence:
    """The page of `user` is still open: what it should now say."""
    now = timezone.now()
    updated = EditingSession.objects.filter(article=article, user=user).update(
        seen_at=now, pings=True
    )
    if not updated:
        EditingSession.objects.get_or_create(
            article=article, user=user, defaults={"started_at": now, "seen_at": now, "pings": True}
        )
    return presence(article, user, now=now)


def take_over(article: Article, user) -> list[str]:
    """`user` becomes the one editing the story from now; the others' pages are told at their
    next ping. The names of those taken over from."""
    now = timezone.now()
    with transaction.atomic():
        others = (
            EditingSession.objects.filter(_still_there(now), article=article)
            .exclude(user=user)
            .filter(taken_over_by__isnull=True)
        )
        names = [_name(session.user) for session in others.select_related("user")]
        others.update(taken_over_by=user, taken_over_at=now)
        EditingSession.objects.update_or_create(
            article=article,
            user=user,
            defaults={
                "started_at": now,
                "seen_at": now,
                "taken_over_by": None,
                "taken_over_at": None,
            },
        )
    return names


def presence(article: Article, user, *, now: datetime | None = None) -> Presence:
    """Who else is editing the story (not counting anyone taken over from), and whether
    someone took it over from `user`."""
    now = now or timezone.now()
    sessions = (
        EditingSession.objects.filter(_still_there(now), article=article)
        .select_related("user", "taken_over_by")
        .order_by("started_at", "pk")
    )
    editors, taken_over = [], None
    for session in sessions:
        if session.user_id == user.pk:
            if session.taken_over_by is not None:
                who = _name(session.taken_over_by)
                taken_over = Note(
                    name=who,
                    at=session.taken_over_at,
                    message=f"{who} took over this story at {_clock(session.taken_over_at)}: "
                    "your unsaved changes may conflict. If they save first, your save is "
                    "refused and shows you what they changed.",
                )
        elif session.taken_over_by_id is None:
            name = _name(session.user)
            editors.append(
                Note(
                    name=name,
                    at=session.started_at,
                    message=f"Someone else is editing this story: {name}, since "
                    f"{_clock(session.started_at)} ({_ago(session.started_at, now)}).",
                )
            )
    return Presence(editors=editors, taken_over=taken_over)
