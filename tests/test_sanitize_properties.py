"""The sanitiser under attack: generated hostile HTML never survives into a stored body.

Hypothesis builds fragments from the pieces XSS payloads are made of: allowed and forbidden
elements nested at random, foreign content (svg, math and the elements that switch parsers
inside them), event handlers, style attributes, javascript:/vbscript:/data: URLs hidden behind
case, whitespace, control characters and character references, comments, CDATA, processing
instructions and broken tags. Every output is parsed the way a browser parses it (html5lib, the
WHATWG algorithm, in a <div> like the story page) and tokenised again by the standard library's
parser, and checked element by element and URL by URL, after entity decoding.

The budget is fixed and the run derandomised, so CI checks the same examples every time.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import count

import html5lib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsroom.markup.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    INLINE_TAGS,
    clean_html,
    paragraphs_to_html,
)
from newsroom.news.models import Article

settings.register_profile(
    "sanitiser",
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
budget = settings.get_profile("sanitiser")

FORBIDDEN_TAGS = [
    "script",
    "style",
    "iframe",
    "frame",
    "object",
    "embed",
    "svg",
    "math",
    "foreignObject",
    "mi",
    "mo",
    "mtext",
    "mglyph",
    "malignmark",
    "annotation-xml",
    "desc",
    "title",
    "use",
    "animate",
    "set",
    "image",
    "img",
    "video",
    "audio",
    "source",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "option",
    "noscript",
    "noembed",
    "noframes",
    "xmp",
    "plaintext",
    "template",
    "base",
    "meta",
    "link",
    "table",
    "td",
    "body",
    "html",
    "frameset",
    "details",
    "marquee",
    "isindex",
    "x-custom",
]
ATTRIBUTES = [
    "href",
    "src",
    "cite",
    "title",
    "style",
    "onclick",
    "onerror",
    "onload",
    "OnMouseOver",
    "onfocus",
    "onanimationstart",
    "xlink:href",
    "xmlns",
    "xmlns:xlink",
    "formaction",
    "action",
    "srcdoc",
    "background",
    "poster",
    "data",
    "hreflang",
    "id",
    "class",
    "tabindex",
    "autofocus",
]
DANGEROUS_SCHEMES = ["javascript", "vbscript", "data"]
# What browsers ignore inside or before a URL scheme, and what entity decoding turns into it.
NOISE = ["\t", "\n", "\r", "\x00", "\x01", " ", "&#x09;", "&#9;", "&#10;", "&#xA;", "&Tab;"]
NOISE += ["&NewLine;", "&#x0;", "&#13;"]


def _reference(char: str, style: int) -> str:
    code = ord(char)
    return [f"&#{code};", f"&#x{code:x};", f"&#X{code:X};", f"&#{code:07d};", f"&#{code}"][style]


@st.composite
def obfuscated_scheme(draw) -> str:
    """ "javascript:" and friends as an attacker writes them."""
    scheme = draw(st.sampled_from(DANGEROUS_SCHEMES))
    out = draw(st.sampled_from(["", " ", "\x01", "\x00", "&#32;", "\n"]))
    for char in scheme + ":":
        if draw(st.booleans()):
            char = char.upper()
        way = draw(st.integers(0, 9))
        if way < 5:
            out += _reference(char, way)
        elif char == ":" and way == 5:
            out += "&colon;"
        else:
            out += char
        if draw(st.integers(0, 5)) == 0:
            out += draw(st.sampled_from(NOISE))
    payload = draw(
        st.sampled_from(
            ["alert(1)", "text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "msgbox(1)"]
        )
    )
    return out + payload


url = st.one_of(
    obfuscated_scheme(),
    st.sampled_from(
        ["https://example.com/a?b=1&c=2", "/relative", "#top", "mailto:desk@example.com", ""]
    ),
)


def quoted(value: str, quote: str) -> str:
    return f"{quote}{value}{quote}" if quote else value.replace(" ", "")


@st.composite
def attribute(draw) -> str:
    name = draw(st.sampled_from(ATTRIBUTES))
    if draw(st.booleans()):
        name = name.upper()
    if name.lower() in ("href", "src", "cite", "xlink:href", "formaction", "action", "data"):
        value = draw(url)
    elif name.lower() == "style":
        value = draw(
            st.sampled_from(
                ["color:red", "background:url(javascript:alert(1))", "x:expression(alert(1))"]
            )
        )
    elif name.lower().startswith("on"):
        value = "alert(1)"
    else:
        value = draw(st.text(max_size=8))
    quote = draw(st.sampled_from(['"', "'", "", "`"]))
    return f" {name}={quoted(value, quote)}"


tag_name = st.sampled_from(sorted(ALLOWED_TAGS) + FORBIDDEN_TAGS).flatmap(
    lambda name: st.sampled_from([name, name.upper(), name.capitalize()])
)
text = st.lists(
    st.sampled_from([*"ab <>&;/=\"'`!-?[]\x00\x0b\u00a0\u2028é", "&lt;", "&#60;", "&amp"]),
    max_size=12,
).map("".join)
junk = st.sampled_from(
    [
        "<!-- a comment -->",
        "<!-->",
        "<!--->",
        "<!-- <script>alert(1)</script> -->",
        "--!>",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<?xml version='1.0'?>",
        "<!DOCTYPE html>",
        "</",
        "<a",
        "<scr<script>ipt>alert(1)</script>",
        "<script/xss src=//evil.example></script>",
        "<<script>alert(1);//<</script>",
        "<img src=x onerror=alert(1)//",
        '"><svg/onload=alert(1)>',
        "<svg><style><img src=x onerror=alert(1)></style></svg>",
        "<math><mi><mglyph><style><img src=x onerror=alert(1)>",
        '<math><mtext><table><mglyph><style><!--</style><img title="--></mglyph><img src=1 '
        'onerror=alert(1)>">',
        "<svg><foreignObject><p onclick=alert(1)>x</p></foreignObject></svg>",
        "<svg><a xlink:href=javascript:alert(1)><text>x</text></a></svg>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="\x00javascript:alert(1)">x</a>',
        '<a href=" &#14;  javascript:alert(1)">x</a>',
        "<a href=java\nscript:alert(1)>x</a>",
        "<template><script>alert(1)</script></template>",
        "<style>@import 'x'</style>",
        '<p style="x:expression(alert(1))">x</p>',
    ]
)


@st.composite
def element(draw, children) -> str:
    name = draw(tag_name)
    attributes = "".join(draw(st.lists(attribute(), max_size=3)))
    inner = "".join(draw(st.lists(children, max_size=4)))
    ending = draw(st.sampled_from([f"</{name}>", "", f"</{name} >", f"</{name.lower()}>"]))
    slash = draw(st.sampled_from(["", "/", " /"]))
    return f"<{name}{attributes}{slash}>{inner}{ending}"


hostile_html = st.recursive(
    st.one_of(text, junk), lambda children: element(children), max_leaves=12
).map(str)
fragments = st.lists(hostile_html, min_size=1, max_size=4).map("".join)


# What a browser would make of the output


class _Tokens(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_comment(self, data):
        self.comments.append(data)

    def unknown_decl(self, data):
        self.comments.append(data)


def _browser_strips(value: str) -> str:
    """A URL as a browser reads its scheme: C0 controls and spaces gone, lower case."""
    return re.sub(r"[\x00-\x20\x7f]", "", value).lower()


def assert_url_is_safe(value: str) -> None:
    squeezed = _browser_strips(value)
    assert not squeezed.startswith(("javascript:", "vbscript:", "data:")), value
    # The WHATWG URL parser's scheme: a letter, then letters, digits, "+", "-", "."; a colon
    # after anything else (e.g. "`https:") makes a relative URL, which is harmless.
    if scheme := re.match(r"([a-z][a-z0-9+.-]*):", squeezed):
        assert scheme[1] in ALLOWED_PROTOCOLS, value


def assert_safe(output: str, *, tags: frozenset[str] = ALLOWED_TAGS) -> None:
    """Parse `output` as a browser would and check every element, attribute and URL."""
    tree = html5lib.parseFragment(output, container="div", namespaceHTMLElements=False)
    for node in tree.iter():
        if node is tree:
            continue
        assert isinstance(node.tag, str), f"comment or other non-element in {output!r}"
        # Namespaced (svg, math) elements come out as "{namespace}name".
        assert node.tag in tags, f"<{node.tag}> in {output!r}"
        for name, value in node.attrib.items():
            assert name in ALLOWED_ATTRIBUTES.get(node.tag, ()), f"{name}= in {output!r}"
            if name in ("href", "src", "cite"):
                assert_url_is_safe(value)

    tokens = _Tokens()
    tokens.feed(output)
    tokens.close()
    assert not tokens.comments, output
    for tag, attrs in tokens.tags:
        assert tag in tags, f"<{tag}> in {output!r}"
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, ()), f"{name}= in {output!r}"
            assert not name.startswith("on") and name != "style", output
            if name in ("href", "src", "cite"):
                assert_url_is_safe(value or "")

    lowered = output.lower()
    for raw in ("<script", "<style", "<svg", "<math", "<iframe", "<!--", "<![cdata", "<?"):
        assert raw not in lowered, output


# The properties


@budget
@given(fragments)
def test_clean_html_output_is_safe_and_cleaning_it_again_changes_nothing(fragment):
    once = clean_html(fragment)
    assert_safe(once)
    # __wrapped__: the cleaner itself, not its memory of what it has already cleaned.
    assert clean_html.__wrapped__(once) == once


@budget
@given(st.lists(hostile_html, min_size=1, max_size=3))
def test_imported_paragraphs_are_safe_inline_markup_and_stable_under_a_second_clean(paragraphs):
    output = paragraphs_to_html(paragraphs)
    assert_safe(output, tags=INLINE_TAGS | {"p"})
    # Article.save cleans the body again: an imported body must come through it unchanged.
    assert clean_html.__wrapped__(output) == output


_slugs = count()


@pytest.mark.django_db
@settings(budget, max_examples=150)
@given(fragments)
def test_the_stored_body_is_safe_whatever_is_saved(fragment):
    article = Article(title="Hostile", slug=f"hostile-{next(_slugs)}", body=fragment)
    article.save()
    stored = Article.objects.values_list("body", flat=True).get(pk=article.pk)
    assert_safe(stored)
    assert stored == clean_html.__wrapped__(fragment)


# Checks of the checker: it must catch what it is there to catch.


@pytest.mark.parametrize(
    "unsafe",
    [
        "<script>alert(1)</script>",
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="\x01javascript:alert(1)">x</a>',
        '<a href="DATA:text/html,x">x</a>',
        '<a href="vbscript:x" >x</a>',
        '<a href="ftp://example.com/">x</a>',
        '<p style="color:red">x</p>',
        '<p onclick="x()">x</p>',
        "<svg><a>x</a></svg>",
        "<math><mi>x</mi></math>",
        "<p><!-- x --></p>",
        '<a title="x" xlink:href="javascript:alert(1)">x</a>',
    ],
)
def test_the_checker_rejects_unsafe_output(unsafe):
    with pytest.raises(AssertionError):
        assert_safe(unsafe)


def test_the_checker_accepts_a_clean_story():
    assert_safe(
        '<h2>Sub</h2><p>A <a href="https://example.com/?a=1&amp;b=2" title="t">link</a>, '
        '<a href="mailto:desk@example.com">mail</a> and 1 &lt; 2.</p>'
        '<blockquote cite="https://example.com/"><p>Quote</p></blockquote>'
    )
