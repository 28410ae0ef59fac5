"""The pure parser: no database, no Django."""

import pytest

from newsroom.ingest.seeds import (
    MAX_BYTES,
    NothingToRead,
    SeedError,
    parse_bytes,
    parse_text,
    read_seed,
)

HEADLINE = "Japan's Defence Minister Visits Turkey for Defence Cooperation, Drones"


def test_seed_headline_is_exact(seed_path):
    assert read_seed(seed_path).headline == HEADLINE


def test_seed_paragraphs_in_source_order(seed_path):
    story = read_seed(seed_path)
    assert len(story.paragraphs) == 10
    assert story.paragraphs[0].startswith("Gen. Nakatani, Japan's defense minister")
    assert story.paragraphs[4].startswith("The ministry stated")
    assert story.paragraphs[-1].startswith("Drones are becoming increasingly important")


def test_seed_also_read_lines_become_related_headlines_at_their_position(seed_path):
    story = read_seed(seed_path)
    assert [(r.title, r.position) for r in story.related] == [
        ("5 Surprising Business Leaders Who Attended Trump's Inauguration", 4),
        ("Advice from 5 CFOs Germinating Growth and Innovation in 2025", 6),
    ]


def test_seed_boilerplate_is_dropped_and_counted(seed_path):
    story = read_seed(seed_path)
    text = "\n".join(story.paragraphs)
    for junk in (
        "Separator",
        "Also Read",
        "Current Issue",
        "Do you like Cookies",
        "We use cookies",
    ):
        assert junk not in text
    assert "img" not in story.paragraphs
    assert story.lead_image_missing
    assert story.stripped == {
        "'Current Issue' line": 1,
        "cookie-banner line": 2,
        "empty paragraph": 1,
        "image placeholder": 1,
        "separator line": 2,
    }


def test_seed_non_breaking_spaces_become_plain_spaces(seed_path):
    story = read_seed(seed_path)
    assert "The US has allies in Japan and Turkey." in story.paragraphs[1]
    assert all("\u00a0" not in p for p in story.paragraphs)
    assert story.paragraphs[3].endswith("manufacturing capabilities.")


def test_line_endings_and_unicode_are_normalised_without_changing_words():
    decomposed = "Cafe\u0301 owners meet"
    story = parse_text(f"Headline\r\n\r\n{decomposed}\r\n\r\nSecond\u00a0\u00a0paragraph\r")
    assert story.paragraphs == ("Caf\u00e9 owners meet", "Second paragraph")


def test_a_paragraph_wrapped_over_lines_is_one_paragraph():
    story = parse_text("Headline\n\nOne sentence\nthat wraps.\n\nTwo.")
    assert story.paragraphs == ("One sentence that wraps.", "Two.")


def test_also_read_with_a_url_keeps_the_url():
    story = parse_text(
        "Headline\n\nOne.\n\nAlso read - Other story (https://example.com/x)\n\nTwo."
    )
    assert story.related[0].title == "Other story"
    assert story.related[0].url == "https://example.com/x"
    assert story.related[0].position == 1


def test_everything_after_the_cookie_banner_is_dropped():
    story = parse_text("Headline\n\nOne.\n\nWe use cookies to track you.\n\nNot story text.")
    assert story.paragraphs == ("One.",)


def test_same_story_with_different_line_endings_has_same_hash():
    unix = parse_text("Headline\n\nOne.\n\nTwo.")
    windows = parse_text("Headline\r\n\r\nOne.\r\n\r\nTwo.")
    changed = parse_text("Headline\n\nOne.\n\nTwo!")
    assert unix.content_hash == windows.content_hash
    assert unix.content_hash != changed.content_hash


def test_utf8_byte_order_mark_is_accepted():
    assert parse_bytes("\ufeffHeadline\n\nBody.".encode()).headline == "Headline"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "file is empty"),
        (b"   \n\n  ", "file is empty"),
        (b"\xef\xbb\xbf \r\n\t\n", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file is binary"),
        ("Caf\u00e9 headline".encode("latin-1"), "not UTF-8"),
        (b"Separator\n\nimg\n\nSeparator", "no headline found"),
        (b"Also Read: Something else", "no headline found"),
        (("x" * 400).encode(), "no headline found"),
        (b"x" * (MAX_BYTES + 1), "over the"),
    ],
)
def test_unusable_input_raises_one_clear_reason(data, reason):
    with pytest.raises(SeedError, match=reason) as info:
        parse_bytes(data)
    assert "\n" not in str(info.value)
    # Only a file with no text in it is one a folder import may pass over.
    assert isinstance(info.value, NothingToRead) == (reason == "file is empty")


def test_missing_file_is_a_seed_error(tmp_path):
    with pytest.raises(NothingToRead, match="not a regular file"):
        read_seed(tmp_path / "missing.txt")


def test_oversized_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"Headline\n\n" + b"a" * MAX_BYTES)
    with pytest.raises(SeedError, match="over the 1,048,576-byte limit"):
        read_seed(big)


def test_a_story_about_cookies_keeps_its_words():
    story = parse_text(
        "Bakery opens\n\nWe use cookies in our bakery, says the owner.\n\n"
        "The queue stretched round the block.\n\nPrices start at two pounds.\n\nMore later."
    )
    assert story.paragraphs[0] == "We use cookies in our bakery, says the owner."
    assert len(story.paragraphs) == 4
    assert "cookie-banner line" not in story.stripped


def test_a_cookie_notice_at_the_end_is_dropped():
    story = parse_text("Headline\n\nOne.\n\nTwo.\n\nThis website uses cookies. Read more...")
    assert story.paragraphs == ("One.", "Two.")
    assert story.stripped == {"cookie-banner line": 1}


def test_invisible_and_odd_spaces_go_wherever_they_are_in_the_file():
    story = parse_text("Headline\n\nA \u200b b\tc\u2009\u2009d  e\ufeff.\n\nPlain words.")
    assert story.paragraphs == ("A b c d e.", "Plain words.")
