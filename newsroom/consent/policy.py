"""What readers are asked, and how their answer is written into the consent cookie.

Plain Python, no Django: the categories, the reader's decision, and the cookie format. The cookie
is the only record of a decision (no server-side log yet), so its format is deliberately readable
by a person looking in their browser's storage panel, e.g.

    version:1|preferences:0|analytics:1|marketing:0|date:2025-03-14

Fields are separated by `|` and named with `:`; every character is one the cookie syntax allows
unquoted, so no browser or proxy rewrites it. The parser is strict and never raises: anything that
is not exactly this shape, or that names another policy version, reads as "no decision", which
shows the banner again. That is the safe fallback for a value a reader (or an extension) edited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

COOKIE_NAME = "newsroom_consent"
# About six months: long enough not to nag, short enough that a reader is asked again twice a year.
COOKIE_MAX_AGE = 182 * 24 * 60 * 60

# The version is written into the cookie as-is, so it must not contain the separators or any
# character a cookie would need quoted.
_VERSION_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,32}")
_FIELD_SEPARATOR = "|"
_NAME_SEPARATOR = ":"
_DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Far longer than any real value; anything bigger is junk and is refused before splitting.
_MAX_COOKIE_LENGTH = 256


@dataclass(frozen=True, kw_only=True)
class Category:
    """A kind of cookie a reader can allow or refuse. Required ones are always on."""

    key: str
    label: str
    description: str
    required: bool = False


CATEGORIES: tuple[Category, ...] = (
    Category(
        key="necessary",
        label="Necessary",
        description=(
            "Needed for the site to work and to remember your cookie choice. "
            "They are always on and cannot be turned off."
        ),
        required=True,
    ),
    Category(
        key="preferences",
        label="Preferences",
        description="Remember settings you choose, such as text size, between visits.",
    ),
    Category(
        key="analytics",
        label="Analytics",
        description=(
            "Count visits and see which stories are read, so we can improve our reporting. "
            "Nothing is shared with other sites."
        ),
    ),
    Category(
        key="marketing",
        label="Marketing",
        description="Show advertising and measure whether it works.",
    ),
)
OPTIONAL_KEYS: tuple[str, ...] = tuple(c.key for c in CATEGORIES if not c.required)
REQUIRED_KEYS: frozenset[str] = frozenset(c.key for c in CATEGORIES if c.required)
# What the settings form may ask for; see `decision_for`.
ACTIONS: tuple[str, ...] = ("accept_all", "reject_all", "save", "withdraw")


def is_valid_version(version: str) -> bool:
    """Whether a policy version can be written into the cookie unchanged."""
    return isinstance(version, str) and _VERSION_PATTERN.fullmatch(version) is not None


@dataclass(frozen=True, kw_only=True)
class Decision:
    """One reader's recorded answer: which optional categories they allowed, under which policy."""

    version: str
    granted: frozenset[str] = field(default_factory=frozenset)
    decided_on: date

    def __post_init__(self) -> None:
        unknown = self.granted - set(OPTIONAL_KEYS)
        if unknown:
            raise ValueError(f"Not optional consent categories: {sorted(unknown)}")
        if not is_valid_version(self.version):
            raise ValueError(f"Policy version {self.version!r} cannot be stored in a cookie.")

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

    @property
    def decided(self) -> bool:
        return self.decision is not None

    def allows(self, key: str) -> bool:
        if key in REQUIRED_KEYS:
            return True
        return self.decision is not None and self.decision.allows(key)

    @property
    def granted(self) -> dict[str, bool]:
        """Every category key mapped to whether it is allowed, for `consent.granted.analytics`."""
        return {c.key: self.allows(c.key) for c in CATEGORIES}


def serialise(decision: Decision) -> str:
    """The cookie value for a decision; `parse_cookie` reads it back unchanged."""
    fields = [f"version{_NAME_SEPARATOR}{decision.version}"]
    fields += [f"{key}{_NAME_SEPARATOR}{int(key in decision.granted)}" for key in OPTIONAL_KEYS]
    fields.append(f"date{_NAME_SEPARATOR}{decision.decided_on.isoformat()}")
    return _FIELD_SEPARATOR.join(fields)


def parse_cookie(value: object, *, version: str) -> Decision | None:
    """The decision stored in a cookie value, or None if it is absent, malformed or outdated.

    Never raises: the value comes from the reader's browser and may be anything.
    """
    if not isinstance(value, str) or not value or len(value) > _MAX_COOKIE_LENGTH:
        return None
    pairs = [item.split(_NAME_SEPARATOR) for item in value.split(_FIELD_SEPARATOR)]
    if any(len(pair) != 2 for pair in pairs):
        return None
    fields = dict(pairs)
    expected = {"version", "date", *OPTIONAL_KEYS}
    # A repeated name would collapse in the dict; insist on exactly one of each.
    if len(fields) != len(pairs) or set(fields) != expected:
        return None
    if fields["version"] != version:
        return None
    if any(fields[key] not in {"0", "1"} for key in OPTIONAL_KEYS):
        return None
    decided_on = _parse_date(fields["date"])
    if decided_on is None:
        return None
    try:
        return Decision(
            version=version,
            granted=frozenset(key for key in OPTIONAL_KEYS if fields[key] == "1"),
            decided_on=decided_on,
        )
    except ValueError:
        # Only reachable if the configured version itself is unusable; still not the reader's fault.
        return None


def _parse_date(text: str) -> date | None:
    # fromisoformat also accepts compact and week forms; the cookie only ever holds YYYY-MM-DD.
    if _DATE_PATTERN.fullmatch(text) is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def state_from_cookie(value: object, *, version: str) -> ConsentState:
    return ConsentState(decision=parse_cookie(value, version=version))


def decision_for(
    *, action: str, chosen: frozenset[str] | set[str], version: str, today: date
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
    return Decision(version=version, granted=granted, decided_on=today)
