"""Parse a scraped story into a `ParsedStory`: pure Python, no Django, no database.

The scraped format is plain text in paragraphs separated by blank lines. The first line with
words in it is the headline. Around the story sit the scraper's leftovers, which are dropped and
counted: "Separator" lines, a bare "img" where the lead image was, "Current Issue", paragraphs
holding nothing but (non-breaking) spaces, and a cookie-banner blurb which, with everything after
it, is page furniture rather than story. "Also Read: <headline>" lines are cross-links, kept as
related headlines at the position (number of story paragraphs before them) where they appeared.

Normalisation never changes the words: line endings become "\\n", non-breaking and other
exotic spaces become plain spaces, runs of spaces collapse, and the text is put in Unicode NFC.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 1024 * 1024
MAX_HEADLINE_CHARS = 300

# Every character that a scraper leaves where a plain space was meant, and the invisible ones.
_SPACE_CHARS = "\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000\t"
_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff"
_SPACES = re.compile(f"[{_SPACE_CHARS}]+")
_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH_CHARS}]")
_RUNS_OF_SPACES = re.compile(r" {2,}")
_ALSO_READ = re.compile(r"^also\s+read\s*[:|\-\u2013\u2014]\s*(?P<rest>.*)$", re.IGNORECASE)
_URL = re.compile(r"\(?\s*(?P<url>https?://[^\s)]+)\s*\)?")
_SEPARATOR = re.compile(r"^separator$", re.IGNORECASE)
_IMAGE_PLACEHOLDER = re.compile(r"^(img|image)$", re.IGNORECASE)
_CURRENT_ISSUE = re.compile(r"^current\s+issue$", re.IGNORECASE)
# The start of a cookie banner. "🍪 Do you like Cookies?" is never story text. "We use
# cookies ..." might be (a story about a bakery), so it only counts among the file's last
# lines, where a scraped banner sits.
_COOKIE_QUESTION = re.compile(r"^\W*do\s+you\s+like\s+cookies\b", re.IGNORECASE)
_COOKIE_NOTICE = re.compile(
    r"^\W*(we\s+use\s+cookies\b|this\s+(web)?site\s+uses\s+cookies\b)", re.IGNORECASE
)
COOKIE_NOTICE_TAIL = 3
# Control characters other than tab, newline and carriage return: many mark a binary file,
# a stray one in text is invisible debris and is dropped.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SeedError(ValueError):
    """A scraped file that cannot become a story; the message is one line for the editor."""


class NothingToRead(SeedError):
    """A file with no text to judge: it cannot be read, is not a regular file, or is empty.

    The importer passes over such a file, with a word, when it comes from a folder (a scraper's
    failed download, a file another user locked); a broken story, or any file named on its own,
    stops the run.
    """


@dataclass(frozen=True, kw_only=True)
class RelatedHeadline:
    title: str
    url: str = ""
    position: int


@dataclass(frozen=True, kw_only=True)
class ParsedStory:
    headline: str
    paragraphs: tuple[str, ...]
    related: tuple[RelatedHeadline, ...] = ()
    lead_image_missing: bool = False
    stripped: dict[str, int] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """A fingerprint of what the story says, blind to line endings and spacing noise."""
        canonical = json.dumps(
            {
                "headline": self.headline,
                "paragraphs": self.paragraphs,
                "related": [(r.title, r.url, r.position) for r in self.related],
                "lead_image_missing": self.lead_image_missing,
            },
            ensure_ascii=False,
            sort_keys=True,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def read_seed(path: Path) -> ParsedStory:
    """Read and parse one file, turning every way it can be unusable into a `SeedError`."""
    try:
        if not path.is_file():
            raise NothingToRead("not a regular file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SeedError(f"file is {size:,} bytes, over the {MAX_BYTES:,}-byte limit")
        data = path.read_bytes()
    except PermissionError:
        raise NothingToRead("permission denied: the file cannot be read") from None
    except OSError as exc:
        raise NothingToRead(f"cannot be read ({exc.strerror or exc})") from None
    return parse_bytes(data)


def parse_bytes(data: bytes) -> ParsedStory:
    if len(data) > MAX_BYTES:
        raise SeedError(f"file is {len(data):,} bytes, over the {MAX_BYTES:,}-byte limit")
    if not data.strip():
        raise NothingToRead("file is empty")
    if b"\x00" in data or len(_CONTROL_BYTES.findall(data)) > len(data) // 20:
        raise SeedError("file is binary, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SeedError(
            f"file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 and import it again"
        ) from None
    if not text.strip():  # a byte-order mark and spaces: what an editor saves as a blank file
        raise NothingToRead("file is empty")
    return parse_text(text)


def normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    # Each regex runs only where it has something to change: looking for a few characters is
    # several times faster than a regex scan of the file (most files hold none of them).
    if _holds_any(text, _ZERO_WIDTH_CHARS):
        text = _ZERO_WIDTH.sub("", text)
    if _holds_any(text, _SPACE_CHARS):
        text = _SPACES.sub(" ", text)
    if "  " in text:
        text = _RUNS_OF_SPACES.sub(" ", text)
    return text


def _holds_any(text: str, chars: str) -> bool:
    return any(char in text for char in chars)


def parse_text(text: str) -> ParsedStory:
    stripped: Counter[str] = Counter()
    headline = ""
    paragraphs: list[str] = []
    related: list[RelatedHeadline] = []
    lead_image_missing = False

    lines = [line for block in _blocks(normalise(text), stripped) for line in _joined_lines(block)]
    for index, line in enumerate(lines):
        if _SEPARATOR.match(line):
            stripped["separator line"] += 1
        elif _IMAGE_PLACEHOLDER.match(line):
            stripped["image placeholder"] += 1
            lead_image_missing = True
        elif _CURRENT_ISSUE.match(line):
            stripped["'Current Issue' line"] += 1
        elif _is_cookie_banner(line, after=lines[index + 1 :]):
            stripped["cookie-banner line"] += sum(1 for rest in lines[index:] if rest)
            break
        elif not headline:
            if _ALSO_READ.match(line):
                raise SeedError("no headline found: the first line of text is an 'Also Read' link")
            if len(line) > MAX_HEADLINE_CHARS:
                raise SeedError(
                    f"no headline found: the first line of text is {len(line):,} characters "
                    f"long (a headline is at most {MAX_HEADLINE_CHARS})"
                )
            headline = line
        elif match := _ALSO_READ.match(line):
            if link := _related_headline(match["rest"], position=len(paragraphs)):
                related.append(link)
            else:
                stripped["empty 'Also Read' line"] += 1
        else:
            paragraphs.append(line)

    if not headline:
        raise SeedError("no headline found: the file holds no story text")
    return ParsedStory(
        headline=headline,
        paragraphs=tuple(paragraphs),
        related=tuple(related),
        lead_image_missing=lead_image_missing,
        stripped=dict(sorted(stripped.items())),
    )


def _blocks(text: str, stripped: Counter[str]) -> list[list[str]]:
    """Split on blank lines; a line of nothing but spaces is an empty paragraph, counted."""
    blocks: list[list[str]] = [[]]
    for raw in text.split("\n"):
        line = raw.strip()
        if line:
            blocks[-1].append(line)
            continue
        if raw:
            stripped["empty paragraph"] += 1
        if blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _joined_lines(block: list[str]) -> list[str]:
    """A paragraph that wraps over several lines is one paragraph, unless it is boilerplate."""
    if len(block) > 1 and not any(_is_marker(line) for line in block):
        return [" ".join(block)]
    return block


def _is_cookie_banner(line: str, *, after: list[str]) -> bool:
    if _COOKIE_QUESTION.match(line):
        return True
    return bool(_COOKIE_NOTICE.match(line)) and len([a for a in after if a]) < COOKIE_NOTICE_TAIL


def _is_marker(line: str) -> bool:
    return any(
        pattern.match(line)
        for pattern in (
            _SEPARATOR,
            _IMAGE_PLACEHOLDER,
            _CURRENT_ISSUE,
            _COOKIE_QUESTION,
            _COOKIE_NOTICE,
            _ALSO_READ,
        )
    )


def _related_headline(rest: str, *, position: int) -> RelatedHeadline | None:
    url = ""
    if match := _URL.search(rest):
        url = match["url"]
        rest = (rest[: match.start()] + rest[match.end() :]).strip(" -\u2013\u2014|:")
    title = rest.strip()
    if not title and not url:
        return None
    return RelatedHeadline(title=title or url, url=url, position=position)
