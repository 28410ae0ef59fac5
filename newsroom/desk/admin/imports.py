"""Import scraped files from the admin: upload, read the dry run, confirm.

The importer gets each upload's name and bytes (`importing.import_files`), and runs the same
pipeline `import_seeds` runs, with the same report, the same one-line refusals and the same
all-or-nothing transaction. Between the dry run and the confirmation the uploads wait in a
private batch directory, the only thing the disk is used for here. The dry run and the real run are
two requests: the confirm form carries a signed token naming the batch, the files and the
options, so what comes back from the browser can neither point the import at other files, nor
change the options after the dry run, nor let a writer publish. A batch is used once: confirming
claims it by renaming its directory, so a second confirmation (a double click, the back button)
finds it gone and says so instead of importing twice.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from newsroom.ingest.importing import (
    SEED_SUFFIX,
    ImportFailed,
    ImportReport,
    SeedFile,
    import_files,
)
from newsroom.ingest.seeds import MAX_BYTES
from newsroom.news import workflow
from newsroom.news.models import TAG_MAX_CHARS, Article

logger = logging.getLogger(__name__)

MAX_FILES = 50
# A batch nobody confirmed is removed after this long, and its token stops working with it.
BATCH_MAX_AGE = 24 * 3600
# What most file systems allow for one name, in bytes.
MAX_NAME_BYTES = 255

EXPIRED = "This upload has expired: upload the files again. Nothing was imported."
TAMPERED = (
    "This import could not be confirmed because the confirmation form was changed. "
    "Upload the files again. Nothing was imported."
)
NOT_STORED = (
    "The files could not be stored on the server, so nothing was imported. Try again; "
    "if it keeps failing, tell the site's administrator."
)

_SALT = "newsroom.desk.admin.imports"
_TOKEN = re.compile(r"[0-9a-f]{32}")


# The form


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files (the pattern Django's upload docs give)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [single_file_clean(f, initial) for f in files]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Scraped files",
        # Empty files are refused by the import itself, in the same words `import_seeds` uses.
        allow_empty_file=True,
        widget=MultipleFileInput(attrs={"accept": f"{SEED_SUFFIX},text/plain"}),
        help_text=(
            f"The {SEED_SUFFIX} files as the scraper saved them: up to {MAX_FILES} at once, "
            f"each at most {MAX_BYTES // 1024 // 1024} MiB."
        ),
    )
    author = forms.CharField(label="Author", required=False, max_length=200)
    topics = forms.CharField(
        label="Topics",
        required=False,
        max_length=1000,
        help_text="Optional, separated by commas (for example: Defence, Turkey); added to "
        "every imported story.",
    )
    publish = forms.BooleanField(
        label="Publish at once",
        required=False,
        help_text="New stories go live as soon as they are imported. Leave it unticked to "
        "import them as drafts.",
    )

    def __init__(self, *args, may_publish: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_publish:
            # Without the field, a crafted "publish=on" from a writer is never even read.
            del self.fields["publish"]
        desk = settings.NEWSROOM_DESK_BYLINE
        self.fields["author"].widget.attrs["placeholder"] = desk
        self.fields["author"].help_text = (
            f"Optional. The byline of every imported story; left empty, new stories are "
            f"by \u201c{desk}\u201d and stories imported before keep their byline."
        )

    def clean_files(self) -> list[tuple[str, UploadedFile]]:
        uploads = self.cleaned_data["files"]
        if len(uploads) > MAX_FILES:
            raise ValidationError(
                f"{len(uploads)} files chosen: import at most {MAX_FILES} at a time."
            )
        named, problems, seen = [], [], set()
        for upload in uploads:
            name = safe_name(upload.name)
            problem = name_problem(name)
            if problem is None and name in seen:
                problem = "chosen twice; each file can be imported once per upload"
            if problem is None and upload.size > MAX_BYTES:
                # The import would refuse it too, in these words; copying it first is waste.
                problem = f"file is {upload.size:,} bytes, over the {MAX_BYTES:,}-byte limit"
            if problem is not None:
                problems.append(f"{name or upload.name}: {problem}")
            seen.add(name)
            named.append((name, upload))
        if problems:
            raise ValidationError(problems)
        return named

    def clean_author(self) -> str:
        return " ".join(self.cleaned_data["author"].split())

    def clean_topics(self) -> list[str]:
        topics = list(dict.fromkeys(t.strip() for t in self.cleaned_data["topics"].split(",")))
        topics = [t for t in topics if t]
        too_long = [t for t in topics if len(t) > TAG_MAX_CHARS]
        if too_long:
            raise ValidationError(
                f"\u201c{too_long[0][:40]}\u2026\u201d is too long for a topic: "
                f"at most {TAG_MAX_CHARS} characters."
            )
        return topics


def safe_name(raw: str) -> str:
    """The bare file name: a browser may send a whole path, and no name may leave its batch."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable()).strip()


def name_problem(name: str) -> str | None:
    if not name.lower().endswith(SEED_SUFFIX) or not name[: -len(SEED_SUFFIX)].strip(". "):
        return f"not a {SEED_SUFFIX} file; only scraped {SEED_SUFFIX} files can be imported"
    if len(name.encode()) > MAX_NAME_BYTES:
        return "the file name is too long; shorten it and upload it again"
    return None


# Batches on disk


def imports_root() -> Path:
    return Path(tempfile.gettempdir()) / "newsroom-imports"


def _private_root() -> Path:
    root = imports_root()
    root.mkdir(mode=0o700, exist_ok=True)
    # The temporary directory is shared: a folder someone else made (or a link to one) could
    # let them swap the files between the dry run and the import.
    info = root.lstat()
    if root.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise OSError(f"{root} is not a private directory of this server")
    return root


def store_batch(uploads: list[tuple[str, UploadedFile]]) -> str:
    """Write the uploads into a fresh batch directory; return its token."""
    root = _private_root()
    token = secrets.token_hex(16)
    directory = root / token
    directory.mkdir(mode=0o700)
    try:
        for name, upload in uploads:
            with open(directory / name, "xb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
    except OSError:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return token


def claim_batch(token: str) -> Path:
    """Take the batch for one import; FileNotFoundError when it is gone or already taken."""
    root = imports_root()
    claimed = root / f"{token}.claimed"
    (root / token).rename(claimed)
    return claimed


def discard_batch(token: str) -> None:
    shutil.rmtree(imports_root() / token, ignore_errors=True)


def remove_stale_batches() -> None:
    root = imports_root()
    if not root.is_dir():
        return
    cutoff = time.time() - BATCH_MAX_AGE
    for entry in root.iterdir():
        try:
            if entry.lstat().st_mtime < cutoff:
                shutil.rmtree(entry)
        except OSError:
            # Another request removed it first, or it is not ours to remove.
            continue


# The signed confirmation


class BatchInvalid(Exception):
    pass


class BatchExpired(Exception):
    pass


@dataclass(frozen=True, kw_only=True)
class Batch:
    """What a confirmation imports, exactly as the dry run showed it."""

    token: str
    names: tuple[str, ...]
    user_pk: int
    publish: bool = False
    author: str = ""
    topics: tuple[str, ...] = ()

    def sign(self) -> str:
        return signing.dumps(
            {
                "token": self.token,
                "names": list(self.names),
                "user": self.user_pk,
                "publish": self.publish,
                "author": self.author,
                "topics": list(self.topics),
            },
            salt=_SALT,
            compress=True,
        )

    @classmethod
    def unsign(cls, value: str, *, user) -> Batch:
        try:
            data = signing.loads(value, salt=_SALT, max_age=BATCH_MAX_AGE)
        except signing.SignatureExpired:
            raise BatchExpired from None
        except signing.BadSignature:
            raise BatchInvalid from None
        try:
            batch = cls(
                token=data["token"],
                names=tuple(data["names"]),
                user_pk=data["user"],
                publish=bool(data["publish"]),
                author=data["author"],
                topics=tuple(data["topics"]),
            )
        except (KeyError, TypeError):
            raise BatchInvalid from None
        # Only the person who saw the dry run may confirm it.
        if batch.user_pk != user.pk or not _TOKEN.fullmatch(batch.token):
            raise BatchInvalid
        if any(safe_name(n) != n or name_problem(n) for n in batch.names):
            raise BatchInvalid
        return batch


# Running the import


def run_batch(batch: Batch, directory: Path, *, user, dry_run: bool) -> ImportReport:
    _refuse_stories_not_theirs(batch.names, user)
    return import_files(
        [SeedFile(name, _read(directory / name)) for name in batch.names],
        # Checked again here: a writer never publishes, whatever the token says.
        publish=batch.publish and workflow.is_editor(user),
        author_name=batch.author or None,
        tags=batch.topics,
        dry_run=dry_run,
        user=user,
    )


def _read(path: Path) -> bytes:
    """A stored upload's bytes; a file gone from the batch is the batch gone."""
    try:
        return path.read_bytes()
    except OSError:
        raise ImportFailed(
            path.name, "this upload is no longer there; choose the files again"
        ) from None


def _refuse_stories_not_theirs(names: tuple[str, ...], user) -> None:
    """A writer's upload may not rewrite a story the writer could not edit in the admin."""
    if workflow.is_editor(user):
        return
    for article in Article.objects.filter(source_name__in=names).order_by("source_name"):
        if not workflow.can_edit(user, article):
            raise ImportFailed(
                article.source_name,
                "this file was imported before, as a story you can't change; "
                "ask an editor to import it",
            )


def one_line(exc: ImportFailed) -> str:
    """The refusal as the editor knows the file: its uploaded name, never the batch path."""
    where = "Author" if str(exc.path) == "--author" else Path(exc.path).name
    return f"{where}: {exc.reason}"


def report_rows(report: ImportReport) -> list[dict[str, object]]:
    rows = []
    for file_report in report.files:
        head, *details = replace(file_report, path=Path(file_report.path.name)).lines()
        rows.append({"head": head, "details": [line.strip() for line in details]})
    return rows


# The view


def import_view(model_admin, request):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    if request.method == "POST" and "batch" in request.POST:
        return _confirm(model_admin, request)
    may_publish = workflow.is_editor(request.user)
    if request.method != "POST":
        return _render(model_admin, request, form=UploadForm(may_publish=may_publish))

    form = UploadForm(request.POST, request.FILES, may_publish=may_publish)
    if not form.is_valid():
        return _render(model_admin, request, form=form)
    remove_stale_batches()
    uploads = form.cleaned_data["files"]
    try:
        token = store_batch(uploads)
    except OSError:
        logger.exception("admin import: could not store an upload batch")
        form.add_error(None, NOT_STORED)
        return _render(model_admin, request, form=form)
    batch = Batch(
        token=token,
        names=tuple(name for name, _ in uploads),
        user_pk=request.user.pk,
        publish=may_publish and form.cleaned_data.get("publish", False),
        author=form.cleaned_data["author"],
        topics=tuple(form.cleaned_data["topics"]),
    )
    try:
        report = run_batch(batch, imports_root() / token, user=request.user, dry_run=True)
    except ImportFailed as exc:
        discard_batch(token)
        form.add_error("files", one_line(exc))
        return _render(model_admin, request, form=form)
    return _render(model_admin, request, form=None, batch=batch, report=report)


def _confirm(model_admin, request):
    upload_again = redirect("admin:news_article_import")
    try:
        batch = Batch.unsign(request.POST["batch"], user=request.user)
    except BatchExpired:
        model_admin.message_user(request, EXPIRED, messages.ERROR)
        return upload_again
    except BatchInvalid:
        model_admin.message_user(request, TAMPERED, messages.ERROR)
        return upload_again
    if "cancel" in request.POST:
        discard_batch(batch.token)
        model_admin.message_user(request, "Import cancelled. Nothing was imported.")
        return upload_again
    try:
        directory = claim_batch(batch.token)
    except FileNotFoundError:
        model_admin.message_user(request, EXPIRED, messages.ERROR)
        return upload_again
    try:
        report = run_batch(batch, directory, user=request.user, dry_run=False)
    except ImportFailed as exc:
        model_admin.message_user(request, f"Nothing was imported. {one_line(exc)}", messages.ERROR)
        return upload_again
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    model_admin.message_user(request, f"Import done: {report.summary()}", messages.SUCCESS)
    for file_report in report.files:
        for warning in file_report.warnings:
            model_admin.message_user(
                request, f"{file_report.path.name}: {warning}", messages.WARNING
            )
    return redirect(reverse("admin:news_article_changelist"))


def _render(model_admin, request, *, form, batch=None, report=None):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Import scraped files",
        "form": form,
        "batch": batch,
        "signed_batch": batch.sign() if batch else "",
        "rows": report_rows(report) if report else [],
        "summary": report.summary() if report else "",
        "desk_byline": settings.NEWSROOM_DESK_BYLINE,
    }
    return TemplateResponse(request, "admin/news/article/import.html", context)
