"""Importing scraped files from the admin: upload, read the dry run, confirm."""

import os
import re
import tempfile
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from taggit.models import Tag, TaggedItem

from newsroom.desk.admin import imports as admin_import
from newsroom.ingest import importing
from newsroom.ingest.importing import import_paths
from newsroom.ingest.seeds import MAX_BYTES
from newsroom.news import writing
from newsroom.news.models import Article, Author, Byline, RelatedLink, Revision, StatusChange
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_25d00d43ab60b8b4.txt"
SLUG = "japans-defence-minister-visits-turkey-for-defence-cooperation-drones"


@pytest.fixture(autouse=True)
def batches(monkeypatch, tmp_path) -> Path:
    """Upload batches go to this test's own temporary folder; returns where they are kept."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return temp / "newsroom-imports"


@pytest.fixture
def editor(client) -> User:
    user = make_user(username="ed", role="Editor")
    client.force_login(user)
    return user


@pytest.fixture
def writer(client) -> User:
    user = make_user(username="wanda", role="Writer")
    client.force_login(user)
    return user


def import_url() -> str:
    return reverse("admin:news_article_import")


def seed_file(name: str = SEED.name, content: bytes | None = None) -> SimpleUploadedFile:
    data = SEED.read_bytes() if content is None else content
    return SimpleUploadedFile(name, data, content_type="text/plain")


def upload(client, *files: SimpleUploadedFile, **options: str):
    return client.post(import_url(), {"files": list(files), **options})


def signed_batch(response) -> str:
    match = re.search(r'name="batch" value="([^"]+)"', response.content.decode())
    assert match, "the dry run has no confirm form"
    return match.group(1)


def confirm(client, token: str, **extra):
    return client.post(import_url(), {"batch": token, "confirm": "Confirm import"}, **extra)


def snapshot() -> dict[str, list[dict]]:
    """Every row an import can touch, with every column."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (
            Article,
            Author,
            Byline,
            RelatedLink,
            Revision,
            StatusChange,
            Tag,
            TaggedItem,
        )
    }


def batch_dirs(batches: Path) -> list[str]:
    return sorted(p.name for p in batches.iterdir()) if batches.exists() else []


# The upload form


def test_the_upload_form_loads_for_an_editor_with_the_publish_box(client, editor):
    response = client.get(import_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<input type="file" name="files"[^>]*multiple', html)
    assert 'name="author"' in html
    assert 'placeholder="Newsroom Staff"' in html
    assert 'name="topics"' in html
    assert 'name="publish"' in html
    assert "Publish at once" in html
    assert 'enctype="multipart/form-data"' in html


def test_the_upload_form_loads_for_a_writer_without_the_publish_box(client, writer):
    response = client.get(import_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="files"' in html
    assert 'name="publish"' not in html
    assert "Publish at once" not in html


def test_a_user_who_cannot_add_stories_is_refused(client, batches):
    user = User.objects.create_user("viewer", password="a-long-test-password-1", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(user)
    before = snapshot()
    assert client.get(import_url()).status_code == 403
    assert upload(client, seed_file()).status_code == 403
    assert snapshot() == before
    assert batch_dirs(batches) == []


def test_the_changelist_links_to_the_import_for_those_who_may_add(client, writer):
    html = client.get(reverse("admin:news_article_changelist")).content.decode()
    assert f'<a href="{import_url()}">Import scraped files</a>' in html


def test_the_changelist_hides_the_import_link_from_those_who_may_not_add(client):
    user = User.objects.create_user("viewer", password="a-long-test-password-1", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(user)
    response = client.get(reverse("admin:news_article_changelist"))
    assert response.status_code == 200
    assert "Import scraped files" not in response.content.decode()


# The dry run


def test_a_dry_run_shows_the_report_and_writes_nothing(client, editor, batches):
    before = snapshot()
    response = upload(client, seed_file())
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{SEED.name}: would be created /news/{SLUG}/ (10 paragraphs, 2 related links)" in html
    assert "warning: lead image missing" in html
    assert "Dry run, nothing written: would have 1 created, 0 updated" in html
    assert 'value="Confirm import"' in html
    assert 'value="Cancel"' in html
    assert snapshot() == before
    [token] = batch_dirs(batches)
    assert (batches / token / SEED.name).read_bytes() == SEED.read_bytes()


def test_a_dry_run_lists_what_the_sanitiser_would_remove(client, editor):
    story = b'Headline\n\nFirst.\n\nText <script>x()</script>with <a href="/" onclick="y()">a</a>.'
    html = upload(client, seed_file("marked.txt", story)).content.decode()
    assert "marked.txt: would be created /news/headline/" in html
    removed = "sanitiser removed: &lt;script&gt; \u00d71, onclick on &lt;a&gt; \u00d71"
    assert f"<li>{removed}</li>" in html


def test_a_dry_run_never_shows_where_the_server_keeps_the_upload(client, editor, batches):
    html = upload(client, seed_file(), seed_file("second.txt", b"")).content.decode()
    assert "second.txt: file is empty" in html
    assert str(batches) not in html
    html = upload(client, seed_file()).content.decode()
    assert str(batches) not in html


def test_choosing_no_file_asks_for_one(client, editor, batches):
    response = client.post(import_url(), {"author": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert batch_dirs(batches) == []


def test_more_than_fifty_files_are_refused(client, editor, batches):
    files = [seed_file(f"story-{n}.txt") for n in range(51)]
    response = upload(client, *files)
    assert "51 files chosen: import at most 50 at a time." in response.content.decode()
    assert batch_dirs(batches) == []
    assert not Article.objects.exists()


def test_the_same_file_name_twice_is_refused(client, editor, batches):
    response = upload(client, seed_file(), seed_file())
    html = response.content.decode()
    assert f"{SEED.name}: chosen twice" in html
    assert batch_dirs(batches) == []


def test_a_topic_longer_than_a_tag_can_be_is_refused(client, editor, batches):
    response = upload(client, seed_file(), topics="Defence, " + "x" * 101)
    assert "is too long for a topic" in response.content.decode()
    assert batch_dirs(batches) == []


def test_an_author_name_with_no_letters_gets_the_importers_reason(client, editor, batches):
    response = upload(client, seed_file(), author="!!!")
    html = response.content.decode()
    assert "Author: &#x27;!!!&#x27; is not a usable author name" in html
    assert batch_dirs(batches) == []
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty.txt: file is empty"),
        ("blank.txt", b"  \n\n \n", "blank.txt: file is empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary.txt: file is binary"),
        (
            "latin.txt",
            "Caf\u00e9 society\n\nA story in Latin-1.".encode("latin-1"),
            "latin.txt: file is not UTF-8 text (byte 0xe9 at offset 3)",
        ),
        (
            "big.txt",
            b"A headline\n\n" + b"word " * (MAX_BYTES // 5 + 1),
            f"big.txt: file is {len(b'A headline') + 2 + 5 * (MAX_BYTES // 5 + 1):,} bytes, "
            f"over the {MAX_BYTES:,}-byte limit",
        ),
        ("story.pdf", b"A headline\n\nA paragraph.", "story.pdf: not a .txt file"),
        ("notes.txt.exe", b"A headline\n\nA paragraph.", "notes.txt.exe: not a .txt file"),
    ],
)
def test_a_bad_file_among_good_ones_gets_its_reason_and_nothing_is_written(
    client, editor, batches, name, content, reason
):
    before = snapshot()
    good = seed_file("001_good.txt", b"A good headline\n\nA good paragraph.")
    response = upload(client, seed_file(), good, seed_file(name, content))
    html = response.content.decode()
    assert response.status_code == 200
    assert reason in html
    assert "Confirm import" not in html
    assert snapshot() == before
    assert batch_dirs(batches) == []


def test_old_batches_are_removed_when_a_new_upload_starts(client, editor, batches):
    batches.mkdir(mode=0o700)
    old, recent = batches / ("a" * 32), batches / ("b" * 32)
    for directory in (old, recent):
        directory.mkdir()
        (directory / "story.txt").write_text("A headline\n\nA paragraph.")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    upload(client, seed_file())
    names = batch_dirs(batches)
    assert old.name not in names
    assert recent.name in names
    assert len(names) == 2


def test_a_shared_temporary_folder_someone_else_can_write_to_is_not_used(client, editor, batches):
    batches.mkdir(mode=0o777)
    batches.chmod(0o777)
    response = upload(client, seed_file())
    assert "The files could not be stored on the server" in response.content.decode()
    assert list(batches.iterdir()) == []


# Confirming


def test_confirming_imports_the_story_for_the_uploader(client, editor, batches):
    token = signed_batch(upload(client, seed_file()))
    response = confirm(client, token)
    assert response.status_code == 302
    assert response.url == reverse("admin:news_article_changelist")
    article = Article.objects.get(source_name=SEED.name)
    assert article.slug == SLUG
    assert article.status == Article.Status.DRAFT
    assert article.created_by == editor
    assert article.last_edited_by == editor
    assert Revision.objects.filter(article=article, created_by=editor).exists()
    assert [a.name for a in article.byline] == ["Newsroom Staff"]
    assert batch_dirs(batches) == []
    page = client.get(response.url).content.decode()
    assert "Import done: 1 created, 0 updated, 0 unchanged, 0 skipped." in page
    assert f"{SEED.name}: lead image missing" in page


def test_an_editor_can_publish_at_once_with_a_byline_and_topics(client, editor):
    response = upload(client, seed_file(), author="Ann Lee", topics="Defence, Turkey", publish="on")
    assert "published at once" in response.content.decode()
    confirm(client, signed_batch(response))
    article = Article.objects.get(source_name=SEED.name)
    assert article.status == Article.Status.PUBLISHED
    assert article.is_live
    assert [a.name for a in article.byline] == ["Ann Lee"]
    assert sorted(t.name for t in article.tags.all()) == ["Defence", "Turkey"]


def test_a_writers_crafted_publish_leaves_the_story_a_draft(client, writer):
    response = upload(client, seed_file(), publish="on")
    assert "new stories are drafts" in response.content.decode()
    confirm(client, signed_batch(response))
    article = Article.objects.get(source_name=SEED.name)
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None
    assert article.created_by == writer


def test_a_writer_cannot_rewrite_a_story_they_could_not_edit(client, writer, batches):
    import_paths([SEED], publish=True)
    before = snapshot()
    changed = SEED.read_bytes() + b"\n\nA paragraph the writer added.\n"
    response = upload(client, seed_file(content=changed))
    html = response.content.decode()
    assert f"{SEED.name}: this file was imported before, as a story you can&#x27;t change" in html
    assert snapshot() == before
    assert batch_dirs(batches) == []


def test_confirming_twice_says_the_upload_expired_and_writes_nothing_more(client, editor):
    token = signed_batch(upload(client, seed_file()))
    confirm(client, token)
    after_first = snapshot()
    response = confirm(client, token, follow=True)
    assert admin_import.EXPIRED in response.content.decode()
    assert snapshot() == after_first


def test_confirming_after_the_batch_is_gone_says_it_expired(client, editor, batches):
    token = signed_batch(upload(client, seed_file()))
    for directory in batches.iterdir():
        for file in directory.iterdir():
            file.unlink()
        directory.rmdir()
    before = snapshot()
    response = confirm(client, token, follow=True)
    assert response.redirect_chain == [(import_url(), 302)]
    assert admin_import.EXPIRED in response.content.decode()
    assert snapshot() == before


def test_a_confirmation_older_than_a_day_has_expired(client, editor, batches, monkeypatch):
    token = signed_batch(upload(client, seed_file()))
    monkeypatch.setattr(admin_import, "BATCH_MAX_AGE", -1)
    before = snapshot()
    response = confirm(client, token, follow=True)
    assert admin_import.EXPIRED in response.content.decode()
    assert snapshot() == before


def test_a_tampered_token_is_refused(client, editor, batches):
    token = signed_batch(upload(client, seed_file()))
    value, signature = token.rsplit(":", 1)
    tampered = f"{value}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    before = snapshot()
    response = confirm(client, tampered, follow=True)
    assert admin_import.TAMPERED in response.content.decode()
    assert snapshot() == before
    assert len(batch_dirs(batches)) == 1


def test_a_token_naming_another_folder_is_refused_even_when_signed(client, editor, batches):
    crafted = admin_import.Batch(token="../../etc", names=(SEED.name,), user_pk=editor.pk)
    response = confirm(client, crafted.sign(), follow=True)
    assert admin_import.TAMPERED in response.content.decode()
    assert not Article.objects.exists()


def test_someone_else_cannot_confirm_your_upload(client, editor, batches):
    token = signed_batch(upload(client, seed_file()))
    client.force_login(make_user(role="Editor"))
    response = confirm(client, token, follow=True)
    assert admin_import.TAMPERED in response.content.decode()
    assert not Article.objects.exists()
    assert len(batch_dirs(batches)) == 1


def test_cancelling_removes_the_upload_and_writes_nothing(client, editor, batches):
    token = signed_batch(upload(client, seed_file()))
    response = client.post(import_url(), {"batch": token, "cancel": "Cancel"}, follow=True)
    assert "Import cancelled. Nothing was imported." in response.content.decode()
    assert not Article.objects.exists()
    assert batch_dirs(batches) == []


def test_an_import_that_fails_at_confirmation_writes_nothing(client, writer, batches):
    token = signed_batch(upload(client, seed_file()))
    # Between the dry run and the confirmation an editor imports and publishes the same file.
    import_paths([SEED], publish=True)
    before = snapshot()
    response = confirm(client, token, follow=True)
    html = response.content.decode()
    assert "Nothing was imported." in html
    assert "a story you can&#x27;t change" in html
    assert snapshot() == before
    assert batch_dirs(batches) == []


def test_a_reimport_of_an_unchanged_file_reports_it_unchanged(client, editor):
    confirm(client, signed_batch(upload(client, seed_file())))
    response = upload(client, seed_file())
    assert f"{SEED.name}: unchanged /news/{SLUG}/" in response.content.decode()


# File names


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("story.txt", "story.txt"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\ann\\story.txt", "story.txt"),
        ("sto\x00ry\n.txt", "story.txt"),
    ],
)
def test_file_names_are_cut_to_their_bare_name(raw, name):
    assert admin_import.safe_name(raw) == name


@pytest.mark.parametrize("name", ["story.pdf", ".txt", "...txt", "story.txt.exe", "story"])
def test_names_that_are_not_txt_files_are_refused(name):
    assert admin_import.name_problem(name) is not None


# Markup


def test_both_steps_of_the_import_are_valid_html(client, editor, tmp_path):
    from tests.test_html_validity import validate

    pages = {
        "upload": client.get(import_url()).content.decode(),
        "refused": upload(client, seed_file("bad.pdf", b"x")).content.decode(),
        "dry-run": upload(client, seed_file(), topics="Defence").content.decode(),
        "changelist": client.get(reverse("admin:news_article_changelist")).content.decode(),
    }
    assert 'name="batch"' in pages["dry-run"]
    assert 'class="errorlist" id="id_files_error"' in pages["refused"]
    assert validate(pages, tmp_path) == {name: [] for name in pages}


def test_the_admin_import_hands_the_importer_names_and_bytes_and_writes_through_writing(
    client, editor, monkeypatch
):
    """One write path: the upload reaches the importer as (name, bytes), never a path, and
    the new story is made by news.writing.create like any imported story."""
    handed, created = [], []
    real_import, real_create = admin_import.import_files, writing.create

    def spy_import(files, **options):
        handed.extend(files)
        return real_import(files, **options)

    def spy_create(stories, **kwargs):
        created.extend(s.article.source_name for s in stories)
        return real_create(stories, **kwargs)

    monkeypatch.setattr(admin_import, "import_files", spy_import)
    monkeypatch.setattr(writing, "create", spy_create)
    monkeypatch.setattr(importing, "import_paths", None)  # no path-based import from the admin
    response = confirm(client, signed_batch(upload(client, seed_file())))
    assert response.status_code == 302
    assert [(f.name, f.data) for f in handed][-1] == (SEED.name, SEED.read_bytes())
    assert all(isinstance(f, importing.SeedFile) for f in handed)
    assert created == [SEED.name, SEED.name]  # the dry run (rolled back), then the import
    assert Article.objects.filter(source_name=SEED.name).exists()
