"""news/inline.py: the clean body cut after its top-level paragraphs, links placed between."""

from __future__ import annotations

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsroom.markup.sanitize import clean_html
from newsroom.news.inline import BodyPart, paragraph_count, paragraph_ends, place
from newsroom.news.models import RelatedLink

NESTED = (
    "<h2>Background</h2>"
    "<p>One.</p>"
    "<blockquote><p>Quoted one.</p><p>Quoted two.</p></blockquote>"
    "<ul><li><p>In a list.</p></li><li>Item</li></ul>"
    '<p>Two <a href="https://example.com/" title="a &gt; b">link</a>.</p>'
    "<hr>"
    "<p>Three<br>still three.</p>"
    "<h3>After</h3>"
)


def link(title: str, after: int | None) -> RelatedLink:
    return RelatedLink(title=title, after_paragraph=after)


def shown(parts: list[BodyPart]) -> list[str]:
    """The parts as a reader meets them: body runs, and [title] where an aside goes."""
    out = []
    for part in parts:
        if part.html:
            out.append(part.html)
        out.extend(f"[{a.title}]" for a in part.asides)
    return out


def test_only_top_level_paragraphs_count_not_those_in_quotes_or_lists():
    assert paragraph_count(NESTED) == 3
    ends = paragraph_ends(NESTED)
    assert [NESTED[:end].rsplit("<p>", 1)[1] for end in ends] == [
        "One.</p>",
        'Two <a href="https://example.com/" title="a &gt; b">link</a>.</p>',
        "Three<br>still three.</p>",
    ]


def test_a_body_without_paragraphs_has_none_to_count():
    assert paragraph_count("") == 0
    assert paragraph_count("Just words, no tags.") == 0
    assert paragraph_count("<ul><li><p>Only a list.</p></li></ul><h2>And a heading</h2>") == 0


def test_tag_like_text_and_attribute_values_do_not_end_a_paragraph():
    body = clean_html('<p>x &lt;/p&gt; y</p><p><a title="</p><p>" href="https://e.com/">z</a></p>')
    assert paragraph_count(body) == 2


def test_a_link_placed_after_a_paragraph_follows_it_and_the_body_stays_whole():
    parts, listed = place(NESTED, [link("A", 1), link("B", 2)])
    assert listed == []
    assert "".join(part.html for part in parts) == NESTED
    assert shown(parts) == [
        "<h2>Background</h2><p>One.</p>",
        "[A]",
        "<blockquote><p>Quoted one.</p><p>Quoted two.</p></blockquote>"
        "<ul><li><p>In a list.</p></li><li>Item</li></ul>"
        '<p>Two <a href="https://example.com/" title="a &gt; b">link</a>.</p>',
        "[B]",
        "<hr><p>Three<br>still three.</p><h3>After</h3>",
    ]


def test_several_links_after_one_paragraph_keep_their_order():
    parts, _ = place("<p>One.</p><p>Two.</p>", [link("A", 1), link("B", 1), link("C", 1)])
    assert shown(parts) == ["<p>One.</p>", "[A]", "[B]", "[C]", "<p>Two.</p>"]


def test_paragraph_zero_is_the_top_of_the_body_before_any_heading():
    parts, _ = place("<h2>Head</h2><p>One.</p>", [link("A", 0)])
    assert shown(parts) == ["[A]", "<h2>Head</h2><p>One.</p>"]


def test_the_last_paragraph_and_beyond_the_end():
    body = "<p>One.</p><p>Two.</p><ul><li>Trailing list</li></ul>"
    parts, _ = place(body, [link("Last", 2), link("Beyond", 9)])
    assert shown(parts) == [
        "<p>One.</p><p>Two.</p>",
        "[Last]",
        "<ul><li>Trailing list</li></ul>",
        "[Beyond]",
    ]


@pytest.mark.parametrize("body", ["", "Words only.", "<ul><li>A list only</li></ul>"])
def test_a_body_without_paragraphs_shows_its_links_at_the_top_or_the_end(body):
    parts, _ = place(body, [link("Top", 0), link("After one", 1)])
    assert shown(parts) == ["[Top]", *([body] if body else []), "[After one]"]


def test_unplaced_links_are_listed_and_leave_the_body_as_one_part():
    links = [link("Listed", None), link("Placed", 1), link("Also listed", None)]
    parts, listed = place("<p>One.</p>", links)
    assert [a.title for a in listed] == ["Listed", "Also listed"]
    assert shown(parts) == ["<p>One.</p>", "[Placed]"]
    only_listed = listed[:1]
    assert place("<p>One.</p>", only_listed) == ([BodyPart("<p>One.</p>")], only_listed)


# --- Against a browser's parse: generated bodies, cleaned as every save cleans them ---

_TEXT = st.text(alphabet=st.sampled_from(list("ab <>&\"'/p")), max_size=8)
_INLINE = st.sampled_from(["b", "em", "a", "code"])
_BLOCK = st.sampled_from(["p", "h2", "blockquote", "ul", "li", "pre", "figure"])


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def build(tag: str, title: str, inner: list[str]) -> str:
        attrs = f' title="{title}" href="https://e.com/"' if tag == "a" else ""
        return f"<{tag}{attrs}>{''.join(inner)}</{tag}>"

    return st.builds(build, st.one_of(_INLINE, _BLOCK), _TEXT, st.lists(children, max_size=3))


_BODY = st.lists(
    st.recursive(st.one_of(_TEXT, st.just("<br>"), st.just("<hr>")), _element), max_size=6
)


def _top_level(fragment: str) -> list[str]:
    root = html5lib.parseFragment(fragment, treebuilder="etree", namespaceHTMLElements=False)
    return [child.tag for child in root]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(_BODY)
def test_each_cut_falls_right_after_a_top_level_paragraph_as_a_browser_reads_it(pieces):
    body = clean_html("".join(pieces))
    ends = paragraph_ends(body)
    assert len(ends) == _top_level(body).count("p")
    for n, end in enumerate(ends, start=1):
        before = _top_level(body[:end])
        assert before[-1] == "p"
        assert before.count("p") == n
