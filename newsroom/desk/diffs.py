"""Readable differences between two revisions of a story: field by field, and for the body,
paragraph by paragraph and then word by word, with formatting and structure shown.

The conflict message and the revisions screen both use these.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass
from datetime import datetime

from django.utils.safestring import SafeString, mark_safe

from newsroom.markup.sanitize import html_to_text
from newsroom.news.models import Article
from newsroom.news.revisions import FIELDS

# A tag (quoted attribute values may hold ">"), or a word with the spaces before it.
_TOKEN = re.compile(r"""\s*(<(?:[^>"']|"[^"]*"|'[^']*')*>|[^\s<]+)""")
_TAG_NAME = re.compile(r"</?([a-zA-Z0-9]+)")
# Elements that make a block of their own in a diff: what the body's allow-list keeps for
# structure (see sanitize.ALLOWED_TAGS).
_BLOCK_TAGS = frozenset(
    {"p", "h2", "h3", "h4", "blockquote", "ul", "ol", "li", "pre", "hr", "figure", "figcaption"}
)


@dataclass(frozen=True, kw_only=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str

    # The body's stored HTML, so its diff can show paragraphs and formatting, not only words.
    before_markup: str | None = None
    after_markup: str | None = None

    @property
    def html(self) -> SafeString:
        """Word-level diff, escaped, with <del> and <ins> around what changed."""
        if self.before_markup is not None and self.after_markup is not None:
            return markup_diff(self.before_markup, self.after_markup)
        old, new = self.before.split(), self.after.split()
        parts: list[str] = []
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op in ("delete", "replace"):
                parts.append(f"<del>{html.escape(' '.join(old[a1:a2]))}</del>")
            if op in ("insert", "replace"):
                parts.append(f"<ins>{html.escape(' '.join(new[b1:b2]))}</ins>")
            if op == "equal":
                parts.append(html.escape(" ".join(old[a1:a2])))
        return mark_safe(" ".join(parts))  # every piece is escaped above

    def summary(self, *, limit: int = 160) -> str:
        def short(text: str) -> str:
            return text if len(text) <= limit else text[: limit - 1] + "\u2026"

        return (
            f"{self.label}: \u201c{short(self.before)}\u201d \u2192 \u201c{short(self.after)}\u201d"
        )


def _as_text(field: str, value) -> str:
    if field == "body":
        return html_to_text(value.replace("</p>", "</p>\n"))
    if field == "authors":
        return ", ".join(a["name"] for a in value)
    if field == "tags":
        return ", ".join(value)
    if field == "related_links":
        return "; ".join(_link_as_text(r) for r in value)
    if field == "status":
        return Article.Status(value).label if value else ""
    return "" if value is None else str(value)


def _link_as_text(link: dict) -> str:
    """A related link as an editor reads it: headline, URL, and where the story shows it."""
    text = f"{link['title']} {link['url']}".strip()
    after = link.get("after_paragraph")
    if after is None:
        return text
    if after == 0:
        return f"{text} (at the top of the story)"
    return f"{text} (after paragraph {after})"


def diff(before: dict, after: dict) -> list[FieldChange]:
    """What changed between two snapshots, field by field, in the order editors read them."""
    return [
        FieldChange(
            field=field,
            label=label,
            before=_as_text(field, before.get(field)),
            after=_as_text(field, after.get(field)),
            before_markup=(before.get(field) or "") if field == "body" else None,
            after_markup=(after.get(field) or "") if field == "body" else None,
        )
        for field, label in FIELDS.items()
        if _comparable(field, before.get(field)) != _comparable(field, after.get(field))
    ]


def _comparable(field: str, value):
    """Publication times to the second: revisions kept before times were stored that way hold
    a fraction the form never showed, which is no change an editor made."""
    if field == "published_at" and value:
        return datetime.fromisoformat(value).replace(microsecond=0)
    return value


@dataclass(frozen=True)
class _Token:
    """One tag or word of a body; `key` is what the diff compares, `shown` keeps its spacing."""

    key: str
    shown: str

    @property
    def is_tag(self) -> bool:
        return self.key.startswith("<")


def _blocks(markup: str) -> list[tuple[_Token, ...]]:
    """The body as blocks (a paragraph, a heading, a list item...), each a run of tokens."""
    blocks: list[list[_Token]] = [[]]
    for match in _TOKEN.finditer(markup):
        token = _Token(key=match[1], shown=match[0])
        name = _TAG_NAME.match(token.key) if token.is_tag else None
        is_block = bool(name) and name[1].lower() in _BLOCK_TAGS
        if is_block and not token.key.startswith("</") and blocks[-1]:
            blocks.append([])
        blocks[-1].append(token)
        if is_block and token.key.startswith("</"):
            blocks.append([])
    return [tuple(block) for block in blocks if block]


def _shown(tokens: list[_Token] | tuple[_Token, ...], *, tags: bool) -> str:
    """Tokens as escaped text: words unescaped from the stored HTML then escaped again, so an
    entity reads as its character; tags, when shown, as escaped markup in <code>."""
    parts = []
    for token in tokens:
        space = " " if token.shown[:1].isspace() else ""
        if not token.is_tag:
            parts.append(space + html.escape(html.unescape(token.key)))
        elif tags:
            parts.append(f"{space}<code>{html.escape(token.key)}</code>")
    return "".join(parts)


def _marked(tag: str, tokens: list[_Token] | tuple[_Token, ...]) -> str:
    text = _shown(tokens, tags=True)
    stripped = text.lstrip(" ")
    return f"{text[: len(text) - len(stripped)]}<{tag}>{stripped}</{tag}>" if stripped else ""


def _token_diff(old: list[_Token], new: list[_Token]) -> str:
    """Word by word; markup is shown only where it changed (a word made bold, a link added)."""
    matcher = difflib.SequenceMatcher(
        a=[t.key for t in old], b=[t.key for t in new], autojunk=False
    )
    parts = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(_shown(old[a1:a2], tags=False))
            continue
        removed, added = _marked("del", old[a1:a2]), _marked("ins", new[b1:b2])
        parts.append(" ".join(p.strip(" ") for p in (removed, added) if p))
        if (removed or added) and (old[a1:a2] or new[b1:b2])[0].shown[:1].isspace():
            parts[-1] = " " + parts[-1]
    return "".join(parts).strip()


def _block(content: str, kind: str = "") -> str:
    css = f"newsroom-diff-block {kind}".strip()
    return f'<p class="{css}">{content.strip()}</p>' if content.strip() else ""


def markup_diff(before: str, after: str) -> SafeString:
    """The body's changes block by block (unchanged blocks folded away), word by word inside a
    changed block, with changes of markup shown as escaped tags. Everything is escaped."""
    old, new = _blocks(before), _blocks(after)
    matcher = difflib.SequenceMatcher(
        a=[tuple(t.key for t in b) for b in old],
        b=[tuple(t.key for t in b) for b in new],
        autojunk=False,
    )
    out: list[str] = []
    shown_to = 0  # blocks of `old` accounted for so far
    for group in matcher.get_grouped_opcodes(1):
        if group[0][1] > shown_to:
            out.append(_folded(group[0][1] - shown_to))
        for op, a1, a2, b1, b2 in group:
            if op == "equal":
                out += [_block(_shown(b, tags=False), "newsroom-diff-same") for b in old[a1:a2]]
            elif op == "delete":
                out += [_block(_marked("del", b), "newsroom-diff-removed") for b in old[a1:a2]]
            elif op == "insert":
                out += [_block(_marked("ins", b), "newsroom-diff-added") for b in new[b1:b2]]
            elif a2 - a1 == b2 - b1:
                out += [
                    _block(_token_diff(list(x), list(y)))
                    for x, y in zip(old[a1:a2], new[b1:b2], strict=True)
                ]
            else:  # Paragraphs split or merged: one diff over them all shows where.
                flat = [t for b in old[a1:a2] for t in b], [t for b in new[b1:b2] for t in b]
                out.append(_block(_token_diff(*flat)))
        shown_to = group[-1][2]
    if shown_to < len(old):
        out.append(_folded(len(old) - shown_to))
    return mark_safe("".join(out))  # every piece of the body is escaped by _shown


def _folded(count: int) -> str:
    noun = "paragraph" if count == 1 else "paragraphs"
    return _block(f"\u2026 {count} unchanged {noun} \u2026", "newsroom-diff-folded")
