"""Related links inside the story: the stored body cut after the paragraphs links are placed after.

A link placed after paragraph N (`RelatedLink.after_paragraph`) is shown as an "Also read" aside
right after the body's Nth top-level <p>; 0 is the top of the body. Headings, lists, quotes and
the paragraphs inside quotes and lists are not counted: "paragraph 2" is the second paragraph
of running text a reader sees, wherever the headings fall.

The body is stored as markup/sanitize.py left it, and its serialiser closes every element it
opens and escapes every "<" in text, so the top-level paragraph ends are found by a scan of
its tags, keeping count of depth, with no second parse and no second cleaning. Each part is a
run of whole top-level elements of the stored body, so it is exactly as safe to show as the
body itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import RelatedLink

# A start or end tag; quoted attribute values may hold "<" and ">" (the sanitiser quotes them
# all). Possessive, so a stray "<" costs one look, never a backtrack.
_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[^<>"']++|"[^"]*+"|'[^']*+')*+>""")
# Elements with no end tag (of these, the sanitiser keeps <br> and <hr>).
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass(frozen=True)
class BodyPart:
    """A run of the stored body (whole top-level elements) and the links shown after it."""

    html: str
    asides: tuple[RelatedLink, ...] = ()


def paragraph_ends(body: str) -> list[int]:
    """Where each top-level paragraph of a clean `body` ends: the offset just after its </p>."""
    ends: list[int] = []
    depth = 0
    for tag in _TAG.finditer(body):
        closing, name = tag[1], tag[2].lower()
        if name in _VOID:
            continue
        if not closing:
            depth += 1
        elif depth:
            depth -= 1
            if not depth and name == "p":
                ends.append(tag.end())
    return ends


def paragraph_count(body: str) -> int:
    """How many paragraphs a link can be placed after: the top-level <p> of a clean body."""
    return len(paragraph_ends(body))


def place(body: str, links: Sequence[RelatedLink]) -> tuple[list[BodyPart], list[RelatedLink]]:
    """The body in parts, each followed by the links placed after it, and the links placed
    nowhere (the "Related stories" list), each in the order given.

    A link placed after a paragraph the body no longer has (it was shortened since) ends the
    body, after whatever follows its last paragraph.
    """
    listed = [link for link in links if link.after_paragraph is None]
    placed = [link for link in links if link.after_paragraph is not None]
    if not placed:
        return [BodyPart(body)], listed
    ends = paragraph_ends(body)
    after: dict[int, list[RelatedLink]] = {}
    for link in placed:
        after.setdefault(min(link.after_paragraph, len(ends) + 1), []).append(link)
    # Where the body is cut for links after paragraph n: its top, each paragraph's end, its end.
    cuts = [0, *ends, len(body)]
    parts, start = [], 0
    for n in sorted(after):
        cut = cuts[n]
        parts.append(BodyPart(body[start:cut], tuple(after[n])))
        start = cut
    if start < len(body):
        parts.append(BodyPart(body[start:]))
    return parts, listed
