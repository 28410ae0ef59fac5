"""The readers' template filters."""

from django.template.defaultfilters import truncatechars
from hypothesis import given, settings
from hypothesis import strategies as st

from newsroom.news.templatetags.news_tags import clip


@settings(max_examples=300, derandomize=True, deadline=None)
@given(text=st.text(max_size=400), length=st.integers(min_value=1, max_value=350))
def test_clip_gives_exactly_what_truncatechars_gives(text, length):
    assert clip(text, length) == truncatechars(text, length)


def test_clip_cuts_long_text_with_an_ellipsis_and_keeps_short_text():
    assert clip("a" * 250, 200) == "a" * 199 + "…"
    assert clip("cafe\u0301", 200) == "café"  # composed, as truncatechars gives it
