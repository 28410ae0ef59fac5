"""The import's shortcuts store exactly what the slow path would have stored."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsroom.ingest.importing import import_paths
from newsroom.markup import sanitize
from newsroom.news import revisions
from newsroom.news.models import Article

# Plain words with the characters bleach treats specially, some markup and odd code points.
_TEXT = st.lists(
    st.one_of(
        st.sampled_from([*"ab >\"'=\t\n\r\x00\x0c\xa0é“”\ufffe", "\U0001fffe", "\ud800"]),
        st.sampled_from(["<b>", "</b>", "<a href='http://x'>", "&amp;", "&", "<p>", "<"]),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_plain_text_shortcut_matches_bleach(text):
    for cleaner in (sanitize._inline_cleaner, sanitize._text_cleaner, sanitize._body_cleaner):
        slow = cleaner.clean(
            sanitize._escape_text_brackets(sanitize._DROPPED_WITH_CONTENT.sub("", text))
        ).strip()
        assert sanitize._clean(cleaner, text) == slow


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT, max_size=4))
def test_paragraphs_are_already_clean_bodies(paragraphs):
    body = sanitize.paragraphs_to_html(paragraphs)
    assert sanitize.clean_html.__wrapped__(body) == body


STORY = """Separator

Harbour <b>plan</b> approved

Separator

img

The council met on Tuesday & agreed the harbour plan.

Work starts in <a href="https://example.com/x">spring</a>.

Also Read: Budget passes https://example.com/budget
"""


@pytest.mark.django_db
def test_new_story_rows_match_what_saving_them_would_leave(tmp_path):
    (tmp_path / "harbour.txt").write_text(STORY, encoding="utf-8")
    report = import_paths([tmp_path], publish=True, tags=["Harbour"])
    article = Article.objects.get(source_name="harbour.txt")
    assert report.count("created") == 1
    assert article.import_fingerprint == article.content_fingerprint()
    assert article.version == 2
    assert article.status == Article.Status.PUBLISHED
    assert article.body == sanitize.clean_html.__wrapped__(article.body)
    assert [(c.from_status, c.to_status) for c in article.status_changes.order_by("id")] == [
        ("", "draft"),
        ("draft", "published"),
    ]
    revision = article.revisions.get()
    assert revision.number == article.version
    assert revision.snapshot == revisions.snapshot(article)
    again = import_paths([tmp_path], publish=True, tags=["Harbour"])
    assert again.count("unchanged") == 1


@pytest.mark.django_db
def test_headlines_repeated_in_one_run_get_distinct_slugs(tmp_path):
    for name in ("one.txt", "two.txt"):
        (tmp_path / name).write_text(STORY, encoding="utf-8")
    import_paths([tmp_path])
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "harbour-plan-approved",
        "harbour-plan-approved-2",
    ]
