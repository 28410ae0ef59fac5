"""The seed parser and importer fuzzed: any bytes import cleanly or are refused in one line.

Hypothesis feeds raw bytes and byte-mangled scraped stories to the parser, the importer and (a
fixed handful, in subprocesses) `manage.py import_seeds`. Whatever comes in, the outcome is a
story or a `SeedError` / `ImportFailed` / exit status 1 with one line on stderr; never another
exception, never a traceback. The budget is fixed and the run derandomised, as in CI.
"""

from __future__ import annotations

import os
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsroom.ingest.importing import ImportFailed, import_paths
from newsroom.ingest.seeds import MAX_BYTES, ParsedStory, SeedError, parse_bytes
from newsroom.news.models import Article
from tests.browser import run_manage
from tests.test_sanitize_properties import assert_safe, hostile_html

settings.register_profile(
    "seeds",
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
budget = settings.get_profile("seeds")

SEED_LINES = [
    "Minister visits the port",
    "The first paragraph of the story.",
    "Separator",
    "img",
    "IMAGE",
    "Current Issue",
    "Also Read: Another headline",
    "Also Read: (https://example.com/story)",
    "Also Read - Title https://exa mple.com/",
    "Also Read:",
    "also read | https://" + "x" * 600 + ".com/",
    "\U0001f36a Do you like Cookies?",
    "We use cookies to improve your experience.",
    "\u00a0\u00a0",
    "\u200b\ufeff",
    "x" * 301,
    "<script>alert(1)</script>",
    "<b>Bold headline</b>",
    "<img src=x onerror=alert(1)>",
    "Caf\u00e9 na\u0131ve \u0627\u0644\u062e\u0628\u0631 \u65b0\u95fb",
]
SEPARATORS = ["\n", "\n\n", "\r\n", "\r", "\r\n\r\n", "\n \n", "\u2028", "\x0b", "\x0c", "\x85"]

story_text = st.lists(
    st.tuples(st.one_of(st.sampled_from(SEED_LINES), hostile_html), st.sampled_from(SEPARATORS)),
    max_size=12,
).map(lambda parts: "".join(line + separator for line, separator in parts))


@st.composite
def mangled(draw) -> bytes:
    """A scraped story in some encoding, with raw bytes spliced into it."""
    text = draw(story_text)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=4)) + data[at:]
    return data


any_bytes = st.one_of(st.binary(max_size=600), mangled())


def assert_one_line(message: str) -> None:
    assert message.strip(), "an empty error message"
    assert "\n" not in message and "\r" not in message, repr(message)
    assert "Traceback" not in message


@budget
@given(any_bytes)
def test_any_bytes_parse_to_a_story_or_a_one_line_seed_error(data):
    try:
        story = parse_bytes(data)
    except SeedError as exc:
        assert_one_line(str(exc))
    else:
        assert isinstance(story, ParsedStory)
        assert story.headline.strip()
        assert all(paragraph.strip() for paragraph in story.paragraphs)


_names = count()


@pytest.mark.django_db
@settings(budget, max_examples=120)
@given(data=any_bytes)
def test_any_bytes_import_cleanly_or_fail_in_one_line_writing_nothing(data, tmp_path):
    path = tmp_path / f"fuzz-{next(_names)}.txt"
    path.write_bytes(data)
    before = Article.objects.count()
    try:
        report = import_paths([path])
    except ImportFailed as exc:
        assert_one_line(str(exc))
        assert str(exc).startswith(str(path))
        assert Article.objects.count() == before
    else:
        assert report.count("created") == 1
        article = Article.objects.get(source_name=path.name)
        assert article.title.strip()
        assert_safe(article.body)


# The real command, as an editor runs it


HOSTILE_FILES = {
    "nul bytes": b"Headline\n\n\x00\x00\x00 binary",
    "not utf-8": "Caf\u00e9 headline\n\nBody".encode("latin-1"),
    "utf-16": "Headline\n\nBody".encode("utf-16"),
    "only an also-read line": b"Also Read: Somewhere else\n",
    "a headline too long": b"x" * 400 + b"\n\nBody",
    "over the size limit": b"Headline\n\n" + b"word " * (MAX_BYTES // 5 + 1),
    "markup only headline": b"<script>alert(1)</script><img src=x>\n\nBody",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, str]:
    workdir = tmp_path_factory.mktemp("fuzz-site")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env["DJANGO_SECRET_KEY"] = "fuzz-test-" + "x" * 40
    env["DATABASE_URL"] = f"sqlite:///{workdir / 'site.sqlite3'}"
    migrated = run_manage(env, "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    return env


@pytest.mark.parametrize("case", HOSTILE_FILES)
def test_the_command_refuses_a_hostile_file_with_one_line_and_exit_1(case, site, tmp_path):
    good = tmp_path / "a-good-story.txt"
    good.write_text("A good headline\n\nA good paragraph.\n", encoding="utf-8")
    bad = tmp_path / "hostile.txt"
    bad.write_bytes(HOSTILE_FILES[case])

    result = run_manage(site, "import_seeds", str(tmp_path))

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert_one_line(result.stderr.rstrip("\n"))
    assert "hostile.txt" in result.stderr
    assert "nothing was imported" in result.stderr
    assert result.stdout == ""


# A file with no text in it is not a broken story: in a folder it is named and passed over.
BLANK_FILES = {"empty": b"", "only a bom and spaces": b"\xef\xbb\xbf \r\n\t\n"}


@pytest.mark.parametrize("case", BLANK_FILES)
def test_the_command_names_a_blank_file_in_a_folder_and_imports_the_rest(case, site, tmp_path):
    # Named for this test: the site, and what it imported, is the module's.
    (tmp_path / f"good-{tmp_path.name}.txt").write_text("A good headline\n\nA paragraph.\n")
    (tmp_path / "blank.txt").write_bytes(BLANK_FILES[case])

    result = run_manage(site, "import_seeds", str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert f"{tmp_path / 'blank.txt'}: not imported: file is empty\n" in result.stdout
    assert "1 created, " in result.stdout
    assert result.stderr == ""


def test_the_command_imports_hostile_markup_as_clean_text(site, tmp_path):
    (tmp_path / "markup.txt").write_bytes(
        b"<b>Bold</b> headline\r\n\r\nStandfirst <svg onload=alert(1)>\r\n\r\n"
        b'Body <a href="jav&#x09;ascript:alert(1)">link</a> <script>alert(1)</script>\r\n'
    )
    result = run_manage(site, "import_seeds", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "1 created" in result.stdout
    assert result.stderr == ""
