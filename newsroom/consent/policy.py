"""What readers are asked, and how their answer is written into the consent cookie.

Plain Python, no Django: the category keys, the reader's decision, and the cookie format. The
cookie carries a random consent id that the server-side log (`models.ConsentRecord`) is keyed on,
and its format is deliberately readable by a person looking in their browser's storage panel, e.g.

    id:Vn3kq0w2ZC1pd1FhWlJmQQ|version:1|preferences:0|analytics:1|marketing:0|rev:3|time:20250314T093000Z

The time is ISO 8601 basic format in UTC, so it needs no `:`. `rev` is the sum of the categories'
versions when the reader chose (versions only go up, so two readers with the same `rev` chose
under the same versions, and are asked again about the same categories): with the answers and
the policy version it is the cookie's `cache_key`, what a shared cache in front keeps one copy of
a page for, whoever the reader. Cookies written before it existed are read without it.

Fields are separated by `|` and named with `:`; every character is one the cookie syntax allows
unquoted, so no browser or proxy rewrites it. The parser is strict and never raises: anything that
is not exactly this shape, or that names another policy version, reads as "no decision", which
shows the banner again. That is the safe fallback for a value a reader (or an extension) edited.

A category is a key here and a `models.Category` row there, never a second class: the cookie
stores one answer per key and templates gate scripts by key, so the keys (and which of them are
always on) are code; everything else about a category (what readers are told, its cookies, its
position, its version) is the row editors keep, whose `key` field offers only these keys.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

COOKIE_NAME = "newsroom_consent"
# When the site's handling of Global Privacy Control last changed; published in gpc.json.
GPC_LAST_UPDATE = date(2026, 11, 24)
# Regulators (the CNIL, the EDPB) treat thirteen months as the longest a choice may be relied on.
MAX_AGE_DAYS_LIMIT = 395

# The version is written into the cookie as-is, so it must not contain the separators or any
# character a cookie would need quoted.
_VERSION_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,32}")
_FIELD_SEPARATOR = "|"
_NAME_SEPARATOR = ":"
_TIME_PATTERN = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_REVISION_PATTERN = re.compile(r"0|[1-9][0-9]{0,8}")
_TIME_FORMAT = "%Y%m%dT%H%M%SZ"
# secrets.token_urlsafe(16) gives 22 characters; accept a little either side, nothing else.
_CONSENT_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# A browser clock a little ahead of ours is fine; a time far in the future is a forgery meant to
# make a choice last for ever.
_CLOCK_SKEW = timedelta(minutes=5)
# Far longer than any real value; anything bigger is junk and is refused before splitting.
_MAX_COOKIE_LENGTH = 256


# The categories the cookie holds an answer for, in the cookie's order.
CATEGORY_KEYS: tuple[str, ...] = ("necessary", "preferences", "analytics", "marketing")
# Always on: the site cannot work, or remember the reader's choice, without them.
REQUIRED_KEYS: frozenset[str] = frozenset({"necessary"})
OPTIONAL_KEYS: tuple[str, ...] = tuple(k for k in CATEGORY_KEYS if k not in REQUIRED_KEYS)
# What the settings form may ask for; see `decision_for`.
ACTIONS: tuple[str, ...] = ("accept_all", "reject_all", "save", "withdraw")


def new_consent_id() -> str:
    """A random, unguessable id for one reader's consent; it says nothing about who they are."""
    return secrets.token_urlsafe(16)


def is_valid_consent_id(consent_id: object) -> bool:
    return isinstance(consent_id, str) and _CONSENT_ID_PATTERN.fullmatch(consent_id) is not None


def is_valid_version(version: str) -> bool:
    """Whether a policy version can be written into the cookie unchanged."""
    return isinstance(version, str) and _VERSION_PATTERN.fullmatch(version) is not None


@dataclass(frozen=True, kw_only=True)
class Decision:
    """One reader's recorded answer: which optional categories they allowed, under which policy."""

    consent_id: str
    version: str
    granted: frozenset[str] = field(default_factory=frozenset)
    decided_at: datetime
    # The sum of the categories' versions when the reader chose (None in older cookies).
    revision: int | None = None

    def __post_init__(self) -> None:
        unknown = self.granted - set(OPTIONAL_KEYS)
        if unknown:
            raise ValueError(f"Not optional consent categories: {sorted(unknown)}")
        if not is_valid_version(self.version):
            raise ValueError(f"Policy version {self.version!r} cannot be stored in a cookie.")
        if not is_valid_consent_id(self.consent_id):
            raise ValueError(f"Consent id {self.consent_id!r} cannot be stored in a cookie.")
        if self.decided_at.tzinfo is None:
            raise ValueError("decided_at must be timezone-aware.")

    @property
    def decided_on(self) -> date:
        return self.decided_at.astimezone(UTC).date()

    @property
    def choices(self) -> dict[str, bool]:
        """Every optional category mapped to the reader's answer, as the log stores it."""
        return {key: key in self.granted for key in OPTIONAL_KEYS}

    @property
    def accepted_all(self) -> bool:
        return self.granted == frozenset(OPTIONAL_KEYS)

    @property
    def rejected_all(self) -> bool:
        return not self.granted

    def allows(self, key: str) -> bool:
        return key in REQUIRED_KEYS or key in self.granted


@dataclass(frozen=True, kw_only=True)
class ConsentState:
    """What the site may do for this reader: the decision, or None while they have not decided.

    Until a decision exists only the required categories are allowed, so an optional script
    guarded by `allows()` never runs before the reader has said yes.
    """

    decision: Decision | None = None
    # The browser sent Global Privacy Control. Without a decision that is a refusal of every
    # optional category; a decision the reader made on this site afterwards takes precedence.
    gpc: bool = False
    # Optional categories whose cookies changed (their version was raised) after the reader
    # answered: that old answer no longer counts, so they are off and the reader is asked again.
    stale: frozenset[str] = frozenset()

    @property
    def decided(self) -> bool:
        return self.decision is not None

    @property
    def refused_by_gpc(self) -> bool:
        return self.gpc and self.decision is None

    @property
    def reasking(self) -> bool:
        """A decided reader must answer again about `stale` categories.

        Under Global Privacy Control the stale categories simply stay off: the signal answers
        for the reader, as it does before a first choice.
        """
        return self.decision is not None and bool(self.stale) and not self.gpc

    def allows(self, key: str) -> bool:
        if key in REQUIRED_KEYS:
            return True
        return self.decision is not None and key not in self.stale and self.decision.allows(key)

    @property
    def granted(self) -> dict[str, bool]:
        """Every category key mapped to whether it is allowed, for `consent.granted.analytics`."""
        return {key: self.allows(key) for key in CATEGORY_KEYS}

    @property
    def page_variant(self) -> str:
        """A short key naming everything about this state that changes a rendered public page.

        A page cache stores one copy per variant, so two readers with the same variant may share
        a page; anything a template reads from consent must be reflected here. Public templates
        read: whether the banner or the GPC note shows, which categories the banner asks about
        again (named in it), and which categories are allowed (gated scripts, and the ticks in
        the banner's settings dialog).
        """
        if self.decision is None:
            return "gpc" if self.gpc else "ask"
        bits = "".join("1" if self.allows(key) else "0" for key in OPTIONAL_KEYS)
        if self.reasking:
            return "re-" + ".".join(key for key in OPTIONAL_KEYS if key in self.stale) + "-" + bits
        return "ok-" + bits


def stale_categories(decision: Decision, changed_at: Mapping[str, datetime]) -> frozenset[str]:
    """The optional categories whose version was raised after `decision` was made.

    `changed_at` maps a category key to when its version was last raised. An answer given in
    the same second counts as given after the change (the cookie stores whole seconds).
    """
    return frozenset(
        key
        for key, at in changed_at.items()
        if key in OPTIONAL_KEYS and at is not None and decision.decided_at < at
    )


def refusal_stands(
    decision: Decision, *, now: datetime | None, refusal_cooldown: timedelta | None
) -> bool:
    """Whether `decision` still counts as far as the re-ask cooldown goes.

    Only a refusal of everything ("Reject all", "Withdraw consent") has a cooldown: once it is
    over, the reader is asked again. A decision that allowed something lasts its whole age.
    """
    if not decision.rejected_all or now is None or refusal_cooldown is None:
        return True
    return now - decision.decided_at < refusal_cooldown


def serialise(decision: Decision) -> str:
    """The cookie value for a decision; `parse_cookie` reads it back unchanged."""
    fields = [
        f"id{_NAME_SEPARATOR}{decision.consent_id}",
        f"version{_NAME_SEPARATOR}{decision.version}",
    ]
    fields += [f"{key}{_NAME_SEPARATOR}{int(key in decision.granted)}" for key in OPTIONAL_KEYS]
    if decision.revision is not None:
        fields.append(f"rev{_NAME_SEPARATOR}{decision.revision}")
    decided_at = decision.decided_at.astimezone(UTC).strftime(_TIME_FORMAT)
    fields.append(f"time{_NAME_SEPARATOR}{decided_at}")
    return _FIELD_SEPARATOR.join(fields)


def cache_key(decision: Decision | None) -> str:
    """What of a decision a public page depends on, the same for every reader who chose alike:
    the cookie without its id and time ("" without a decision, or for a cookie without `rev`,
    which a shared cache must not share). deploy/varnish/newsroom.vcl derives the same from the
    raw cookie and compares it with this, sent back in a header, before storing a page."""
    if decision is None or decision.revision is None:
        return ""
    fields = serialise(decision).split(_FIELD_SEPARATOR)
    return _FIELD_SEPARATOR.join(f for f in fields if not f.startswith(("id:", "time:")))


def parse_cookie(
    value: object,
    *,
    version: str,
    now: datetime | None = None,
    max_age: timedelta | None = None,
) -> Decision | None:
    """The decision stored in a cookie value, or None if it is absent, malformed or outdated.

    With `now` and `max_age`, a decision older than `max_age` by its stored time (not by the
    cookie's expiry, which the browser controls) or dated in the future is outdated too.
    Never raises: the value comes from the reader's browser and may be anything.
    """
    if not isinstance(value, str) or not value or len(value) > _MAX_COOKIE_LENGTH:
        return None
    pairs = [item.split(_NAME_SEPARATOR) for item in value.split(_FIELD_SEPARATOR)]
    if any(len(pair) != 2 for pair in pairs):
        return None
    fields = dict(pairs)
    expected = {"id", "version", "time", *OPTIONAL_KEYS}
    # A repeated name would collapse in the dict; insist on exactly one of each.
    if len(fields) != len(pairs) or set(fields) - {"rev"} != expected:
        return None
    revision = fields.get("rev")
    if revision is not None and _REVISION_PATTERN.fullmatch(revision) is None:
        return None
    if fields["version"] != version:
        return None
    if any(fields[key] not in {"0", "1"} for key in OPTIONAL_KEYS):
        return None
    decided_at = _parse_time(fields["time"])
    if decided_at is None or not is_valid_consent_id(fields["id"]):
        return None
    too_old_or_future = (
        now is not None
        and max_age is not None
        and not now - max_age <= decided_at <= now + _CLOCK_SKEW
    )
    if too_old_or_future:
        return None
    try:
        return Decision(
            consent_id=fields["id"],
            version=version,
            granted=frozenset(key for key in OPTIONAL_KEYS if fields[key] == "1"),
            decided_at=decided_at,
            revision=int(revision) if revision is not None else None,
        )
    except ValueError:
        # Only reachable if the configured version itself is unusable; still not the reader's fault.
        return None


def _parse_time(text: str) -> datetime | None:
    # The pattern first: strptime alone accepts single digits and non-ASCII digits.
    if _TIME_PATTERN.fullmatch(text) is None:
        return None
    try:
        return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def state_from_cookie(
    value: object,
    *,
    version: str,
    now: datetime | None = None,
    max_age: timedelta | None = None,
    gpc: bool = False,
    changed_at: Mapping[str, datetime] | None = None,
    refusal_cooldown: timedelta | None = None,
) -> ConsentState:
    """The state for a cookie value; `changed_at` as for `stale_categories`.

    With `now` and `refusal_cooldown`, a refusal of every optional category (see
    `refusal_stands`) older than the cooldown reads as "no decision", so the reader is asked
    again, exactly as on a first visit; nothing optional was allowed, so nothing changes.
    """
    decision = parse_cookie(value, version=version, now=now, max_age=max_age)
    if decision is not None and not refusal_stands(
        decision, now=now, refusal_cooldown=refusal_cooldown
    ):
        decision = None
    stale = stale_categories(decision, changed_at) if decision and changed_at else frozenset()
    return ConsentState(decision=decision, gpc=gpc, stale=stale)


def decision_for(
    *,
    action: str,
    chosen: frozenset[str] | set[str],
    version: str,
    now: datetime,
    consent_id: str,
    revision: int | None = None,
) -> Decision | None:
    """The decision a settings-form action records, or None for an action we do not know.

    `chosen` is the set of ticked category keys and matters only for "save"; keys that are not
    optional categories (including the always-on ones) are ignored rather than refused, since a
    ticked box for "necessary" changes nothing.
    """
    if action == "accept_all":
        granted = frozenset(OPTIONAL_KEYS)
    elif action == "save":
        granted = frozenset(chosen) & frozenset(OPTIONAL_KEYS)
    elif action in {"reject_all", "withdraw"}:
        # Withdrawing is recorded, not forgotten: the reader has answered, so the banner stays away.
        granted = frozenset()
    else:
        return None
    # Stored to the second: the cookie holds no fractions, and the log should match it exactly.
    decided_at = now.astimezone(UTC).replace(microsecond=0)
    return Decision(
        consent_id=consent_id,
        version=version,
        granted=granted,
        decided_at=decided_at,
        revision=revision,
    )
