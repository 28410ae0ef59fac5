"""The import's shortcuts store exactly what the slow path would have stored, and its slow
work (reading, parsing, cleaning) is done before its write transaction begins."""

import gc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from newsroom.ingest import importing, seeds
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
def test_imported_stories_are_news_made_without_ai_until_an_editor_says_otherwise(tmp_path):
    (tmp_path / "harbour.txt").write_text(STORY, encoding="utf-8")
    import_paths([tmp_path], publish=True)
    article = Article.objects.get(source_name="harbour.txt")
    assert (article.article_type, article.ai_use, article.reviewed_by) == ("news", "none", None)


@pytest.mark.django_db
def test_headlines_repeated_in_one_run_get_distinct_slugs(tmp_path):
    for name in ("one.txt", "two.txt"):
        (tmp_path / name).write_text(STORY, encoding="utf-8")
    import_paths([tmp_path])
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "harbour-plan-approved",
        "harbour-plan-approved-2",
    ]


# transaction=True: no test transaction around the import, so in_atomic_block is its own.
@pytest.mark.django_db(transaction=True)
def test_reading_parsing_and_cleaning_all_happen_before_the_write_transaction(
    tmp_path, monkeypatch
):
    calls: list[tuple[str, bool]] = []

    def spy(module, name: str) -> None:
        real = getattr(module, name)

        def spied(*args, **kwargs):
            calls.append((name, connection.in_atomic_block))
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, spied)

    spy(importing, "read_seed")
    spy(seeds, "parse_text")
    spy(sanitize, "_clean")  # every text cleaned: headlines, paragraphs, links, saved bodies
    spy(importing, "removed_markup")  # a dry run's account of what cleaning removes
    story = tmp_path / "harbour.txt"
    story.write_text(STORY, encoding="utf-8")

    import_paths([tmp_path], dry_run=True)
    import_paths([tmp_path])
    # A changed source updates its story (saved through Article.save), then publishes it.
    story.write_text(STORY + "\nA new <i>last</i> paragraph.\n", encoding="utf-8")
    assert import_paths([tmp_path], publish=True).count("updated") == 1

    assert {name for name, _ in calls} == {"read_seed", "parse_text", "_clean", "removed_markup"}
    assert [name for name, in_transaction in calls if in_transaction] == []
    assert Article.objects.get().body.endswith("<p>A new <i>last</i> paragraph.</p>")


@pytest.mark.django_db
def test_an_import_runs_the_same_queries_for_many_new_stories_as_for_one(
    tmp_path, django_assert_max_num_queries
):
    def folder(name: str, count: int):
        path = tmp_path / name
        path.mkdir()
        for n in range(count):
            text = STORY.replace("Harbour <b>plan</b>", f"Harbour plan {name} {n}")
            (path / f"{name}-{n}.txt").write_text(text, encoding="utf-8")
        return path

    options = {"publish": True, "tags": ["Harbour", "Council"], "author_name": "Ada Reporter"}
    with CaptureQueriesContext(connection) as one:
        import_paths([folder("one", 1)], **options)
    with django_assert_max_num_queries(len(one)):
        report = import_paths([folder("many", 40)], **options)
    assert report.count("created") == 40
    assert Article.objects.published().filter(tags__name="Council").count() == 41


@pytest.mark.django_db
def test_a_folder_import_pauses_the_cycle_collector_and_restores_it(tmp_path, monkeypatch):
    (tmp_path / "harbour.txt").write_text(STORY, encoding="utf-8")
    during: list[bool] = []
    real = importing._write

    def spied(*args, **kwargs):
        during.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(importing, "_write", spied)
    assert gc.isenabled()
    import_paths([tmp_path])
    assert during == [False]
    assert gc.isenabled()
    (tmp_path / "empty.bin").write_bytes(b"\x00\x01")
    with pytest.raises(importing.ImportFailed):
        import_paths([tmp_path / "empty.bin"])
    assert gc.isenabled()
