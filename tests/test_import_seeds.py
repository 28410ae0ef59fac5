"""`manage.py import_seeds` and the importer behind it."""

import os
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from taggit.models import Tag, TaggedItem

from newsroom.ingest.importing import import_paths
from newsroom.news.models import Article, Author, Byline, RelatedLink

pytestmark = pytest.mark.django_db

HEADLINE = "Japan's Defence Minister Visits Turkey for Defence Cooperation, Drones"


def snapshot() -> dict[str, list[dict]]:
    """Every row the importer can touch, with every column, timestamps included."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Article, Author, Byline, RelatedLink, Tag, TaggedItem)
    }


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_seeds", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_creates_the_seed_story_as_a_draft(seed_path):
    output = run(str(seed_path))
    article = Article.objects.get()
    assert article.title == HEADLINE
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None
    assert article.standfirst.startswith("Gen. Nakatani, Japan's defense minister")
    assert article.body.count("<p>") == 9
    assert article.lead_image_missing
    assert [a.name for a in article.byline] == ["Newsroom Staff"]
    # After 4 and 6 source paragraphs: the first became the standfirst, so after 3 and 5 of
    # the body.
    assert [
        (r.title, r.url, r.position, r.after_paragraph) for r in article.related_links.all()
    ] == [
        ("5 Surprising Business Leaders Who Attended Trump's Inauguration", "", 4, 3),
        ("Advice from 5 CFOs Germinating Growth and Innovation in 2025", "", 6, 5),
    ]
    assert "created" in output
    assert "10 paragraphs, 2 related links" in output
    assert "separator line \u00d72" in output
    assert "lead image missing" in output


def test_default_path_is_the_seeds_folder():
    run()
    assert Article.objects.get().source_name == "000_25d00d43ab60b8b4.txt"


def test_reimporting_the_seeds_changes_nothing_and_creates_nothing(seed_path):
    run("--publish", str(seed_path.parent))
    before = snapshot()
    output = run("--publish", str(seed_path.parent))
    assert snapshot() == before
    assert "1 unchanged" in output


def test_new_options_on_an_unchanged_source_are_applied(seed_path):
    run(str(seed_path))
    output = run("--publish", "--tag", "Defence", "--author", "Jane Wire", str(seed_path))
    article = Article.objects.get()
    assert article.is_live
    assert list(article.tags.names()) == ["Defence"]
    assert [a.name for a in article.byline] == ["Jane Wire"]
    assert "source unchanged; published, byline Jane Wire, topics added: Defence" in output
    before = snapshot()
    run("--publish", "--tag", "Defence", "--author", "Jane Wire", str(seed_path))
    assert snapshot() == before


def test_publish_never_republishes_a_story_an_editor_unpublished(seed_path):
    run("--publish", str(seed_path))
    Article.objects.update(status=Article.Status.UNPUBLISHED)
    run("--publish", str(seed_path))
    assert Article.objects.get().status == Article.Status.UNPUBLISHED


def test_publish_leaves_a_draft_whose_byline_was_removed_unpublished_and_says_why(seed_path):
    run(str(seed_path))
    Byline.objects.all().delete()
    output = run("--publish", str(seed_path))
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None
    assert "not published: Add at least one author before publishing" in output
    run("--publish", "--author", "Jane Wire", str(seed_path))
    assert Article.objects.get().is_live


def test_publish_makes_the_story_visible_at_once(seed_path):
    run("--publish", str(seed_path))
    assert Article.objects.published().get().title == HEADLINE


def test_author_and_tags_options(seed_path):
    run("--author", "Jane Wire", "--tag", "Defence", "--tag", "Japan", str(seed_path))
    article = Article.objects.get()
    assert [a.name for a in article.byline] == ["Jane Wire"]
    assert sorted(t.name for t in article.tags.all()) == ["Defence", "Japan"]


def test_dry_run_reports_and_writes_nothing(seed_path):
    output = run("--dry-run", "--publish", str(seed_path))
    assert snapshot() == {name: [] for name in snapshot()}
    assert "created" in output
    assert "Dry run, nothing written" in output


def test_dry_run_says_would_be_and_lists_what_the_sanitiser_removes(tmp_path):
    hostile = (
        "Markup <b>headline</b>\n\n"
        "The standfirst.\n\n"
        'A <script>alert(1)</script>paragraph with <a href="https://x.example/" '
        'onclick="steal()">a link</a> and <a href="javascript:alert(1)">another</a>.\n\n'
        '<img src="x" onerror="alert(2)">Clean words.'
    )
    path = write(tmp_path, "hostile.txt", hostile)
    output = run("--dry-run", str(path))
    assert "hostile.txt: would be created /news/markup-headline/" in output
    assert ": created" not in output
    assert (
        "  sanitiser removed: <b> \u00d71, <script> \u00d71, onclick on <a> \u00d71, "
        "href on <a> (javascript: link) \u00d71, <img> \u00d71"
    ) in output
    assert not Article.objects.exists()

    # A real run keeps its wording.
    assert "hostile.txt: created /news/markup-headline/" in run(str(path))
    assert "would be" not in run("--dry-run", str(path))  # unchanged: nothing would happen
    write(tmp_path, "hostile.txt", hostile + "\n\nOne more paragraph.")
    assert "hostile.txt: would be updated /news/markup-headline/" in run("--dry-run", str(path))
    Article.objects.update(title="Edited by an editor")
    assert "hostile.txt: would be skipped /news/markup-headline/" in run("--dry-run", str(path))
    assert Article.objects.get().title == "Edited by an editor"


def test_changed_source_updates_its_article_and_keeps_its_address(tmp_path):
    path = write(tmp_path, "story.txt", "Old headline\n\nFirst.\n\nSecond.")
    run(str(path))
    slug = Article.objects.get().slug
    write(tmp_path, "story.txt", "New headline\n\nFirst.\n\nSecond, revised.\n\nAlso Read: X")
    output = run(str(path))
    article = Article.objects.get()
    assert "updated" in output
    assert article.title == "New headline"
    assert article.slug == slug
    assert article.body == "<p>Second, revised.</p>"
    assert [r.title for r in article.related_links.all()] == ["X"]


PLACED = """Headline

Also Read: Before any paragraph

The standfirst.

Also Read: After the standfirst

First of the body.

Also Read: At the end
"""


def test_also_read_lines_keep_their_place_in_the_body_when_created_or_updated(tmp_path):
    path = write(tmp_path, "story.txt", PLACED)
    expected = [
        ("Before any paragraph", 0),
        ("After the standfirst", 0),
        ("At the end", 1),
    ]
    run(str(path))
    article = Article.objects.get()
    assert article.body == "<p>First of the body.</p>"
    assert [(r.title, r.after_paragraph) for r in article.related_links.all()] == expected
    write(tmp_path, "story.txt", PLACED.replace("First of", "Second of"))
    assert "updated" in run(str(path))
    assert [(r.title, r.after_paragraph) for r in article.related_links.all()] == expected


def test_a_link_moved_in_the_admin_is_an_edit_a_reimport_does_not_overwrite(tmp_path):
    path = write(tmp_path, "story.txt", PLACED)
    run(str(path))
    RelatedLink.objects.filter(title="At the end").update(after_paragraph=None)
    write(tmp_path, "story.txt", PLACED.replace("First of", "Second of"))
    output = run(str(path))
    assert "skipped" in output
    assert RelatedLink.objects.get(title="At the end").after_paragraph is None


def test_story_edited_since_import_is_skipped_with_a_warning(tmp_path):
    path = write(tmp_path, "story.txt", "Headline\n\nFirst.\n\nSecond.")
    run(str(path))
    article = Article.objects.get()
    article.body = "<p>An editor's careful rewrite.</p>"
    article.save()
    write(tmp_path, "story.txt", "Headline\n\nFirst.\n\nSecond, from the wire again.")
    output = run(str(path))
    assert "skipped" in output
    assert "edited in the admin since it was imported" in output
    assert Article.objects.get().body == "<p>An editor's careful rewrite.</p>"


def test_force_overwrites_an_edited_story(tmp_path):
    path = write(tmp_path, "story.txt", "Headline\n\nFirst.\n\nSecond.")
    run(str(path))
    Article.objects.update(body="<p>Edited.</p>")
    write(tmp_path, "story.txt", "Headline\n\nFirst.\n\nSecond, from the wire again.")
    run("--force", str(path))
    assert Article.objects.get().body == "<p>Second, from the wire again.</p>"


def test_two_sources_with_the_same_headline_get_distinct_addresses(tmp_path):
    run(
        str(write(tmp_path, "a.txt", "Same headline\n\nOne.")),
        str(write(tmp_path, "b.txt", "Same headline\n\nTwo.")),
    )
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "same-headline",
        "same-headline-2",
    ]


def test_related_headline_matching_one_of_our_stories_links_there(client, tmp_path):
    run(
        "--publish",
        str(write(tmp_path, "a.txt", "First story\n\nOne.\n\nAlso Read: Second Story")),
        str(write(tmp_path, "b.txt", "Second story\n\nTwo.")),
    )
    page = client.get("/news/first-story/").content.decode()
    assert '<a href="/news/second-story/">Second Story</a>' in page


BAD_FILES = {
    "empty": (b"", "file is empty"),
    "binary": (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00" * 20, "file is binary"),
    "latin-1": ("D\u00e9fense headline\n\nCaf\u00e9.".encode("latin-1"), "not UTF-8"),
    "no headline": (b"Separator\n\nimg\n\n", "no headline found"),
    "oversized": (b"Headline\n\n" + b"word " * 220_000, "over the 1,048,576-byte limit"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_file_stops_the_run_with_one_line_and_writes_nothing(kind, seed_path, tmp_path):
    data, reason = BAD_FILES[kind]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(data)
    before = snapshot()
    with pytest.raises(CommandError) as info:
        # The good seed comes first: it must not be written either.
        run("--publish", str(seed_path), str(bad))
    message = str(info.value)
    assert "\n" not in message
    assert str(bad) in message
    assert reason in message
    assert snapshot() == before


def test_a_missing_path_stops_the_run(seed_path, tmp_path):
    with pytest.raises(CommandError, match=r"missing\.txt: no such file or directory"):
        run(str(seed_path), str(tmp_path / "missing.txt"))
    assert not Article.objects.exists()


def test_directories_skip_hidden_files_and_accept_upper_case_suffixes(tmp_path):
    (tmp_path / "nested").mkdir()
    write(tmp_path / "nested", "STORY.TXT", "Shouting headline\n\nBody.")
    (tmp_path / "._story.txt").write_bytes(b"\x00\x05\x16\x07binary resource fork")
    (tmp_path / ".hidden").mkdir()
    write(tmp_path / ".hidden", "secret.txt", "Hidden headline\n\nBody.")
    run(str(tmp_path))
    assert list(Article.objects.values_list("title", flat=True)) == ["Shouting headline"]


def test_overlong_or_broken_related_links_are_trimmed_and_reported(tmp_path):
    long_title = "Word " * 80
    output = run(
        str(
            write(
                tmp_path,
                "links.txt",
                f"Headline\n\nOne.\n\nAlso Read: {long_title}\n\n"
                f"Also Read: Broken (https://{'x' * 600}.example/)\n\nAlso Read: Fine (https://ok.example/a)",
            )
        )
    )
    links = list(RelatedLink.objects.values_list("title", "url"))
    assert len(links[0][0]) == 300 and links[0][0].endswith("\u2026")
    assert links[1] == ("Broken", "")
    assert links[2] == ("Fine", "https://ok.example/a")
    assert "shortened to 300 characters" in output
    assert "unusable URL dropped" in output


def test_angle_brackets_in_scraped_text_keep_their_words(tmp_path):
    run(
        str(
            write(
                tmp_path,
                "b.txt",
                "Profits <rise> as x<y\n\nCosts <fell and margins> grew.\n\nAnd y>z.",
            )
        )
    )
    article = Article.objects.get()
    assert article.title == "Profits <rise> as x<y"
    assert article.standfirst == "Costs <fell and margins> grew."
    assert article.body == "<p>And y&gt;z.</p>"


def test_a_directory_without_seed_files_stops_the_run(tmp_path):
    with pytest.raises(CommandError, match=r"directory holds no \.txt files \(nothing"):
        run(str(tmp_path))
    write(tmp_path, "notes.md", "Not a story.")
    with pytest.raises(CommandError, match=r"no \.txt files; notes\.md: not a \.txt file \("):
        run(str(tmp_path))


# A folder that holds, beside two stories (one in a subfolder), one entry of every kind that is
# not imported, with the reason the report gives for it.
ODD_ENTRIES = {
    ".DS_Store": "a hidden file (its name starts with a dot)",
    ".drafts": "a hidden folder (its name starts with a dot)",
    "notes.md": "not a .txt file",
    "locked.txt": "permission denied: the file cannot be read",
    "pipe.txt": "not a regular file (a named pipe)",
    "gone.txt": "a broken symbolic link (it points to missing.txt, which is missing)",
    "loop-a.txt": "a symbolic link that loops (it leads back to itself)",
    "loop-b.txt": "a symbolic link that loops (it leads back to itself)",
    "photos.txt": "a link to a folder (links to folders are not followed)",
    "empty.txt": "file is empty",
    "blank.txt": "file is empty",
    "attic": "an empty folder",
}


@pytest.fixture
def odd_folder(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "scraped"
    (folder / "nested").mkdir(parents=True)
    write(folder, "one.txt", "First headline\n\nOne.")
    write(folder / "nested", "two.txt", "Second headline\n\nTwo.")
    write(folder, ".DS_Store", "Finder's notes")
    (folder / ".drafts").mkdir()
    write(folder / ".drafts", "draft.txt", "A draft headline\n\nNot yet.")
    write(folder, "notes.md", "Not a story.")
    locked = write(folder, "locked.txt", "Locked headline\n\nBody.")
    locked.chmod(0)
    if os.access(locked, os.R_OK):
        # Root reads a file whatever its mode: refuse this one as the system would refuse anyone.
        read_bytes = Path.read_bytes

        def refuse(self):
            if self == locked:
                raise PermissionError(13, "Permission denied")
            return read_bytes(self)

        monkeypatch.setattr(Path, "read_bytes", refuse)
    os.mkfifo(folder / "pipe.txt")
    (folder / "gone.txt").symlink_to("missing.txt")
    (folder / "loop-a.txt").symlink_to("loop-b.txt")
    (folder / "loop-b.txt").symlink_to("loop-a.txt")
    (folder / "photos.txt").symlink_to(folder / "nested")
    write(folder, "empty.txt", "")
    write(folder, "blank.txt", "\ufeff  \n\n ")
    (folder / "attic").mkdir()
    yield folder
    locked.chmod(0o600)


def not_imported(output: str) -> dict[str, str]:
    """The report's "<path>: not imported: <reason>" lines, by file name."""
    lines = [line.split(": not imported: ") for line in output.splitlines()]
    return {Path(line[0]).name: line[1] for line in lines if len(line) == 2}


def test_a_folder_import_names_every_entry_it_does_not_import(odd_folder):
    output = run(str(odd_folder))
    assert not_imported(output) == ODD_ENTRIES
    assert f"{odd_folder / 'gone.txt'}: not imported: a broken symbolic link" in output
    assert sorted(Article.objects.values_list("source_name", flat=True)) == ["one.txt", "two.txt"]
    assert output.splitlines()[-1] == (
        f"2 created, 0 updated, 0 unchanged, 0 skipped; {len(ODD_ENTRIES)} other entries "
        "not imported."
    )

    before = snapshot()
    again = run(str(odd_folder))
    assert snapshot() == before
    assert not_imported(again) == ODD_ENTRIES
    assert "0 created, 0 updated, 2 unchanged, 0 skipped;" in again


def test_a_dry_run_names_the_same_entries_and_writes_nothing(odd_folder):
    output = run("--dry-run", str(odd_folder))
    assert not_imported(output) == ODD_ENTRIES
    assert output.splitlines()[-1].startswith("Dry run, nothing written: would have 2 created")
    assert not Article.objects.exists()


def test_a_story_that_cannot_be_parsed_still_stops_a_folder_run(odd_folder):
    (odd_folder / "latin.txt").write_bytes("Caf\u00e9 headline\n\nBody.".encode("latin-1"))
    with pytest.raises(CommandError, match=r"latin\.txt: file is not UTF-8 text") as info:
        run(str(odd_folder))
    assert "\n" not in str(info.value)
    assert snapshot() == {name: [] for name in snapshot()}


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda path: path.symlink_to("missing.txt"), "a broken symbolic link"),
        (lambda path: path.symlink_to(path), "a symbolic link that loops"),
        (lambda path: path.write_bytes(b""), "file is empty"),
    ],
)
def test_a_named_file_that_cannot_be_imported_stops_the_run(make, reason, seed_path, tmp_path):
    odd = tmp_path / "odd.txt"
    make(odd)
    with pytest.raises(CommandError, match=rf"odd\.txt: {reason}.*\(nothing was imported\)$"):
        run(str(seed_path), str(odd))
    assert not Article.objects.exists()


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_shows_progress_bars_beside_the_plain_report(odd_folder):
    shown, bars = StringIO(), Terminal()
    call_command("import_seeds", "--dry-run", str(odd_folder), stdout=shown, stderr=bars)
    assert "Reading: " in bars.getvalue()
    assert "Writing: " in bars.getvalue()
    assert "\r" in bars.getvalue()

    plain, errors = StringIO(), StringIO()
    call_command("import_seeds", "--dry-run", str(odd_folder), stdout=plain, stderr=errors)
    assert errors.getvalue() == ""
    assert shown.getvalue() == plain.getvalue()
    assert "Reading" not in plain.getvalue()


@pytest.mark.parametrize("verbosity", ["0", "2"])
def test_a_terminal_shows_no_bar_when_quiet_or_listing_each_file(verbosity, odd_folder):
    terminal = Terminal()
    call_command("import_seeds", "-v", verbosity, str(odd_folder), stdout=terminal, stderr=terminal)
    assert "Reading" not in terminal.getvalue()
    assert ("[2/2] one.txt: created (not yet committed)" in terminal.getvalue()) == (
        verbosity == "2"
    )


def test_an_unreadable_file_stops_the_run(tmp_path, monkeypatch):
    path = write(tmp_path, "locked.txt", "Headline\n\nBody.")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(CommandError, match=r"locked\.txt: permission denied"):
        run(str(path))
    assert not Article.objects.exists()


def test_command_fails_with_exit_code_and_one_line_on_stderr(tmp_path):
    """The real process: non-zero exit, one line on stderr, no traceback."""
    import subprocess
    import sys

    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_seeds", str(bad)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={
            "DJANGO_SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "PATH": "/usr/bin:/bin",
        },
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"CommandError: {bad}: file is empty (nothing was imported)"
    ]
    assert "Traceback" not in result.stderr


HOSTILE_SEED = """Headline <script>alert('h')</script>

A standfirst with <img src=x onerror=alert(1)> in it.

Body <script>document.cookie</script> text <a href="javascript:alert(1)">click</a>.

<p onclick="steal()">Handler</p> <a href="https://example.com/" onmouseover="x()">ok link</a>

<a href=" JaVaScRiPt:alert(2)">spaced</a> <iframe src="https://evil.example/"></iframe>

Also Read: <b onclick="x()">Linked</b>
"""


class ElementAudit(HTMLParser):
    """Collects every element, attribute and script of a page, as a browser would parse it."""

    def __init__(self):
        super().__init__()
        self.handlers: list[str] = []
        self.bad_urls: list[str] = []
        self.scripts: list[dict] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attributes = dict(attrs)
        self.handlers += [name for name in attributes if name.startswith("on")]
        for name in ("href", "src", "action", "formaction"):
            value = "".join((attributes.get(name) or "").split()).lower()
            if value.startswith(("javascript:", "data:", "vbscript:")):
                self.bad_urls.append(value)
        if tag == "script":
            self.scripts.append(attributes)


def test_hostile_markup_survives_neither_the_store_nor_the_page(client, tmp_path):
    run("--publish", str(write(tmp_path, "hostile.txt", HOSTILE_SEED)))
    article = Article.objects.get()
    stored = " ".join(
        [
            article.title,
            article.standfirst,
            article.body,
            *(f"{r.title} {r.url}" for r in article.related_links.all()),
        ]
    ).lower()
    for bad in ("<script", "onerror", "onclick", "onmouseover", "javascript:", "<iframe", "<img"):
        assert bad not in stored
    assert article.title == "Headline"
    assert '<a href="https://example.com/">ok link</a>' in article.body
    assert [r.title for r in article.related_links.all()] == ["Linked"]

    audit = ElementAudit()
    audit.feed(client.get(article.get_absolute_url()).content.decode())
    assert audit.handlers == []
    assert audit.bad_urls == []
    assert "iframe" not in audit.tags and "img" not in audit.tags
    # The only scripts are the site's own static files and its JSON-LD data block.
    assert all(
        script.get("src", "").startswith("/static/") or script.get("type") == "application/ld+json"
        for script in audit.scripts
    )


def test_import_paths_is_callable_without_the_command(seed_path):
    report = import_paths([seed_path], publish=True)
    assert report.count("created") == 1
    assert report.summary() == "1 created, 0 updated, 0 unchanged, 0 skipped."
