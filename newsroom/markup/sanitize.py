"""The one place that cleans HTML, and the only module that imports bleach.

Bodies are cleaned once, on the way in (import, admin save), and stored clean; templates mark
only those stored bodies safe. Keeping every bleach call here means replacing bleach (upstream
is in security-fix-only mode) touches this file and nothing else.

The allow-list is deliberately small: the structure of a news story, inline emphasis and links.
An iframe from a known video or social provider becomes a click-to-load facade (`embeds.py`)
that fetches nothing; every other iframe goes.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from html.parser import HTMLParser

import bleach
from bleach.html5lib_shim import Filter

from . import embeds

# Inside one paragraph of a story: emphasis, links and the like, never block structure.
INLINE_TAGS = frozenset(
    {"a", "strong", "b", "em", "i", "cite", "q", "abbr", "sub", "sup", "code", "br"}
)
ALLOWED_TAGS = INLINE_TAGS | frozenset(
    {
        "p",
        "h2",
        "h3",
        "h4",
        "blockquote",
        "ul",
        "ol",
        "li",
        "pre",
        "hr",
        "figure",
        "figcaption",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "hreflang"],
    "abbr": ["title"],
    "blockquote": ["cite"],
    "q": ["cite"],
    # An embed's facade (`_embed_facades`); `_figure_attribute` checks each value.
    "figure": list(embeds.FACADE_ATTRIBUTES),
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# Elements whose content is code or page furniture, never story text: dropped whole before
# bleach runs, so "<script>alert(1)</script>" leaves nothing behind rather than "alert(1)".
# This is tidiness only; the security boundary is the Cleaner below, which strips any survivor.
_DROPPED_WITH_CONTENT = re.compile(
    r"<(script|style|template|iframe|object|embed|noscript|svg|math|textarea|select)\b[^>]*>"
    r".*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)


def _figure_attribute(tag: str, name: str, value: str) -> bool:
    """A figure keeps only a facade's attributes, and only the values a facade is made with:
    a hand-written `data-embed-src` pointing anywhere else is dropped."""
    checks = {
        "class": lambda v: v == "embed",
        "data-embed-provider": lambda v: v in embeds.PROVIDER_NAMES,
        "data-embed-category": lambda v: v == embeds.CATEGORY,
        "data-embed-src": embeds.is_facade_frame,
        "data-embed-title": lambda v: len(v) <= _MAX_EMBED_TITLE,
    }
    check = checks.get(name)
    # bleach hands over the value as written, character references and all.
    return check is not None and check(html.unescape(value))


_MAX_EMBED_TITLE = 200
_IFRAME = re.compile(r"<iframe\b([^>]*)>(?:.*?</iframe\s*>)?", re.IGNORECASE | re.DOTALL)


class _IframeAttributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        self.attributes = {name: value or "" for name, value in attrs}


def _facade(match: re.Match) -> str:
    parser = _IframeAttributes()
    parser.feed(f"<iframe{match[1]}>")
    parser.close()
    embed = embeds.recognise(parser.attributes.get("src", ""))
    if embed is None:
        # Not a provider we know: removed whole, with the other iframes, below.
        return match[0]
    title = _WHITESPACE.sub(" ", parser.attributes.get("title", "")).strip()[:_MAX_EMBED_TITLE]
    name = embed.provider.name
    label = f"{name}: {title}" if title else name
    return (
        f'<figure class="embed" data-embed-provider="{name}" '
        f'data-embed-category="{embeds.CATEGORY}" data-embed-src="{_attribute(embed.frame)}" '
        f'data-embed-title="{_attribute(title)}">'
        f'<a href="{_attribute(embed.page)}">{html.escape(label, quote=False)}</a></figure>'
    )


def _attribute(value: str) -> str:
    """`value` escaped for a double-quoted attribute as browsers write it back (`&`, `<`, `>`,
    `"`; an apostrophe stays), so the body editor returns a facade byte for byte."""
    return html.escape(value, quote=False).replace('"', "&quot;")


def _embed_facades(fragment: str) -> str:
    """Each known provider's iframe in `fragment` as a facade that fetches nothing."""
    if "<iframe" not in fragment.lower():
        return fragment
    return _IFRAME.sub(_facade, fragment)


def _cleaner(tags: frozenset[str], *, filters: tuple = ()) -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=tags,
        attributes={**ALLOWED_ATTRIBUTES, "figure": _figure_attribute},
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=list(filters),
    )


_OUTBOUND = re.compile(r"\s*https?:", re.IGNORECASE)


class _SponsoredLinks(Filter):
    """Marks every outbound link (http or https) rel="sponsored", as search engines ask of
    paid content. Runs after bleach's sanitiser, which has already dropped any rel the input
    carried: only this filter writes one."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "a":
                attrs = token["data"]
                if _OUTBOUND.match(attrs.get((None, "href"), "")):
                    attrs[(None, "rel")] = "sponsored"
            yield token


_body_cleaner = _cleaner(ALLOWED_TAGS)
_sponsored_cleaner = _cleaner(ALLOWED_TAGS, filters=(_SponsoredLinks,))
_inline_cleaner = _cleaner(INLINE_TAGS)
_text_cleaner = _cleaner(frozenset())
_WHITESPACE = re.compile(r"\s+")

# Every element name HTML defines. A "<" followed by one of these (or "!" / "?", comments and
# processing instructions) is markup, for bleach to keep or strip; any other "<" is a character
# of the text ("profits <rise> as x<y") and is escaped first, so the words survive cleaning.
_ELEMENT_NAMES = """
    a abbr address area article aside audio b base bdi bdo blockquote body br button canvas
    caption cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed
    fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header
    hgroup hr html i iframe img input ins kbd label legend li link main map mark marquee math
    menu meta meter nav noscript object ol optgroup option output p param picture pre progress
    q rp rt ruby s samp script search section select slot small source span strike strong style
    sub summary sup svg table tbody td template textarea tfoot th thead time title tr track tt
    u ul var video wbr
"""
HTML_ELEMENTS = frozenset(_ELEMENT_NAMES.split())
# A "<" and, when it could start a tag, the element name after it.
_LESS_THAN = re.compile(r"<(?=([!?])|/?([a-zA-Z][a-zA-Z0-9]*)[\s/>])?")


def _escape_text_brackets(fragment: str) -> str:
    def markup_or_text(match: re.Match) -> str:
        comment, name = match.groups()
        is_markup = comment or (name and name.lower() in HTML_ELEMENTS)
        return "<" if is_markup else "&lt;"

    return _LESS_THAN.sub(markup_or_text, fragment)


# Text with no "<" and no "&" holds no markup and no entity, so bleach can only escape its ">"
# (the serializer's one change to such text); control characters, CR, surrogates and
# noncharacters, which the HTML parser rewrites, are left to bleach. Most scraped paragraphs are
# plain text, and a bleach parse costs far more than this look (tests/test_importing.py holds
# the two paths equal on generated text).
_NONCHARACTERS = "".join(
    f"{chr(plane + 0xFFFE)}-{chr(plane + 0xFFFF)}" for plane in range(0x10000, 0x110000, 0x10000)
)
_NOT_PLAIN_ASCII = "<&\x00-\x08\x0b-\x1f\x7f"
_PLAIN_TEXT = re.compile(
    f"[^{_NOT_PLAIN_ASCII}\x80-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff{_NONCHARACTERS}]*"
)
# The same look for ASCII text (most scraped paragraphs), whose few excluded characters a regex
# checks several times faster than the whole list.
_PLAIN_ASCII = re.compile(f"[^{_NOT_PLAIN_ASCII}]*")


def _is_plain_text(fragment: str) -> bool:
    plain = _PLAIN_ASCII if fragment.isascii() else _PLAIN_TEXT
    return plain.fullmatch(fragment) is not None


def _clean(cleaner: bleach.Cleaner, fragment: str) -> str:
    if _is_plain_text(fragment):
        return fragment.replace(">", "&gt;").strip()
    fragment = _embed_facades(fragment) if "figure" in cleaner.tags else fragment
    return cleaner.clean(_escape_text_brackets(_DROPPED_WITH_CONTENT.sub("", fragment))).strip()


def _remembers_outputs(clean: Callable[[str], str]) -> Callable[[str], str]:
    """Return a fragment unchanged when it is one of `clean`'s own recent outputs.

    Cleaning is idempotent (tests/test_sanitize_properties.py checks it on generated hostile
    HTML), and every save cleans the body again, so a story saved twice in one import would be
    parsed three times. The import cleans each body before its write transaction; the saves
    inside it then cost a hash rather than a parse, which shortens the time it holds SQLite's
    write lock. Only digests are kept, and only strings `clean` produced are ever returned.
    """
    outputs: OrderedDict[bytes, None] = OrderedDict()
    lock = threading.Lock()

    def digest(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=32).digest()

    @functools.wraps(clean)
    def remembering(fragment: str) -> str:
        key = digest(fragment)
        with lock:
            if key in outputs:
                outputs.move_to_end(key)
                return fragment
        cleaned = clean(fragment)
        with lock:
            outputs[digest(cleaned)] = None
            if len(outputs) > 4096:
                outputs.popitem(last=False)
        return cleaned

    return remembering


@_remembers_outputs
def clean_html(fragment: str) -> str:
    """Return `fragment` reduced to the allow-list: safe to store and to mark safe."""
    return _clean(_body_cleaner, fragment)


@_remembers_outputs
def clean_sponsored_html(fragment: str) -> str:
    """`clean_html` for a sponsored story: the same allow-list, and every outbound link marked
    rel="sponsored". Cleaning its output with `clean_html` drops the mark again."""
    return _clean(_sponsored_cleaner, fragment)


def html_to_text(fragment: str) -> str:
    """The words of an HTML fragment as plain text, for fields that templates escape."""
    return _WHITESPACE.sub(" ", html.unescape(_clean(_text_cleaner, fragment))).strip()


def paragraphs_to_html(paragraphs: list[str] | tuple[str, ...]) -> str:
    """Scraped paragraphs (text that may hold inline markup) as clean <p> elements.

    Each paragraph is cleaned on its own, so broken markup in one cannot swallow the next.
    """
    cleaned = (_clean(_inline_cleaner, paragraph) for paragraph in paragraphs)
    return "\n".join(f"<p>{text}</p>" for text in cleaned if text)


# Attributes whose value is a link, for bleach to drop when its scheme is not allowed.
_LINK_ATTRIBUTES = frozenset({"href", "cite"})
_SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")


class _RemovalCounter(HTMLParser):
    def __init__(self, keep: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.keep = keep
        self.removed: Counter[str] = Counter()

    def handle_starttag(self, tag, attrs):
        if tag not in self.keep:
            self.removed[f"<{tag}>"] += 1
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, [])
        for name, value in attrs:
            scheme = _SCHEME.match(value or "") if name in _LINK_ATTRIBUTES else None
            if name not in allowed:
                self.removed[f"{name} on <{tag}>"] += 1
            elif scheme and scheme[1].lower() not in ALLOWED_PROTOCOLS:
                self.removed[f"{name} on <{tag}> ({scheme[1].lower()}: link)"] += 1

    def handle_comment(self, data):
        self.removed["comment"] += 1


def removed_markup(fragment: str, *, keep: frozenset[str] = ALLOWED_TAGS) -> dict[str, int]:
    """What cleaning `fragment` to the `keep` tags removes, for a report: "<script>" for each
    element dropped (its words stay, unless it is code like a script), "onclick on <a>" for
    each attribute, "href on <a> (javascript: link)" for a link to an unsafe scheme, "comment".

    It reads the fragment as the cleaner does (text brackets stay text, scripts and the like
    go whole) with the standard library's parser; it never changes what is stored.
    """
    if _PLAIN_TEXT.fullmatch(fragment):
        return {}
    counter = _RemovalCounter(keep)
    if "figure" in keep:
        fragment = _embed_facades(fragment)
    for match in _DROPPED_WITH_CONTENT.finditer(fragment):
        counter.removed[f"<{match[1].lower()}>"] += 1
    counter.feed(_escape_text_brackets(_DROPPED_WITH_CONTENT.sub("", fragment)))
    counter.close()
    return dict(counter.removed)


def bleach_defaults(fragment: str) -> str:
    """bleach.clean with bleach's own defaults: the floor `make bench` measures the import against.

    Not used on stored content; it lives here so that every bleach call stays in this module.
    """
    return bleach.clean(fragment)
