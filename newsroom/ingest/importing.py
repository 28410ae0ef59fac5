"""Turn scraped story files into Article, Author, tag and RelatedLink rows.

A run has two steps. First, with no lock held, it lists the folders, reads and parses every
file, cleans every text and builds the rows of new stories. Then it writes, in one short
transaction: on SQLite that transaction holds the database's one write lock, and an editor's
save waits for it (`make bench` measures how long).

One run is all or nothing. A path named on the command line that cannot be imported, or a file
that holds text that cannot become a story (binary, not UTF-8, too large, no headline), stops
the run before anything is written; a run killed half-way (even by SIGKILL: the database
discards an uncommitted transaction) leaves the database exactly as it was. A folder is read
recursively, and every entry of it that is not imported is named in the report with its reason:
hidden, not .txt, not a regular file, a broken or looping link, a link to a folder, unreadable,
or empty. Those are passed over, not failures: the rest of the folder is imported.

Articles are keyed on their source file name, which makes a run idempotent: an unchanged file
is left alone, a changed one updates its article (keeping its address), unless an editor has
changed the article since it was imported; then it is skipped with a warning unless `force` is
given. A story in the trash is skipped, saying so: restoring it or deleting it for good is the
editor's call. A dry run goes through exactly the same steps and rolls the transaction back.
"""

from __future__ import annotations

import errno
import gc
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from newsroom.ingest.seeds import (
    NothingToRead,
    ParsedStory,
    RelatedHeadline,
    SeedError,
    parse_bytes,
    read_seed,
)
from newsroom.markup.sanitize import (
    INLINE_TAGS,
    clean_html,
    html_to_text,
    paragraphs_to_html,
    removed_markup,
)
from newsroom.news import workflow, writing
from newsroom.news.models import (
    TAG_MAX_CHARS,
    Article,
    Author,
    Byline,
    RelatedLink,
    unique_slug,
)

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

SEED_SUFFIX = ".txt"
Status = Article.Status
_URL_VALIDATOR = URLValidator(schemes=["http", "https"])
# Rows looked up per query: under SQLite's oldest limit of 999 parameters.
_CHUNK = 500
IN_THE_TRASH = "in the trash (restore it, or delete it for good from the trash, first)"


class ImportFailed(Exception):
    """A file that stops the run; `str()` is the one line an editor sees."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(kw_only=True)
class FileReport:
    path: Path
    action: str = ""  # created, updated, unchanged or skipped (also in a dry run)
    slug: str = ""
    paragraphs: int = 0
    related_links: int = 0
    stripped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    # What the sanitiser removes from the story's text ("<script>", "onclick on <a>"): worked
    # out for dry runs only, so a real run pays no second parse of each paragraph.
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        """The action as said: "would be created" in a dry run, where nothing is."""
        if self.dry_run and self.action != "unchanged":
            return f"would be {self.action}"
        return self.action

    def lines(self) -> list[str]:
        out = [
            f"{_display(self.path)}: {self.outcome} /news/{self.slug}/ "
            f"({self.paragraphs} paragraphs, {self.related_links} related links)"
        ]
        if self.stripped:
            out.append(
                "  stripped: " + ", ".join(f"{what} \u00d7{n}" for what, n in self.stripped.items())
            )
        if self.removed:
            out.append(
                "  sanitiser removed: "
                + ", ".join(f"{what} \u00d7{n}" for what, n in self.removed.items())
            )
        out.extend(f"  warning: {warning}" for warning in self.warnings)
        return out


@dataclass(frozen=True, kw_only=True)
class PassedOver:
    """An entry of a folder that is not imported, and why."""

    path: Path
    reason: str

    def line(self) -> str:
        return f"{_display(self.path)}: not imported: {self.reason}"


def _display(path: Path) -> Path:
    """The path as the editor would type it: relative to where they are when it can be."""
    try:
        return path.absolute().relative_to(Path.cwd())
    except ValueError:
        return path


@dataclass(kw_only=True)
class ImportReport:
    files: list[FileReport]
    passed_over: list[PassedOver] = field(default_factory=list)
    dry_run: bool = False

    def count(self, action: str) -> int:
        return sum(1 for f in self.files if f.action == action)

    def lines(self) -> list[str]:
        """Every story's lines, then every folder entry passed over; the summary apart."""
        return [
            *(line for report in self.files for line in report.lines()),
            *(entry.line() for entry in self.passed_over),
        ]

    def summary(self) -> str:
        counts = ", ".join(
            f"{self.count(action)} {action}"
            for action in ("created", "updated", "unchanged", "skipped")
        )
        if n := len(self.passed_over):
            counts += f"; {n} other {'entry' if n == 1 else 'entries'} not imported"
        prefix = "Dry run, nothing written: would have " if self.dry_run else ""
        return f"{prefix}{counts}."


# Finding the files


@dataclass(kw_only=True)
class SeedFiles:
    """What a run's paths hold: the files to read, and the folder entries passed over."""

    files: list[Path] = field(default_factory=list)
    # The files found in a folder rather than named: one with nothing to read is passed over.
    listed: set[Path] = field(default_factory=set)
    passed_over: list[PassedOver] = field(default_factory=list)


def find_seed_files(paths: Iterable[Path | str]) -> SeedFiles:
    """Expand folders, recursively and sorted, to the .txt files in them, and name every other
    entry with the reason it is passed over; a named path that cannot be imported stops the run."""
    found, named = SeedFiles(), set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files, entries = len(found.files), len(found.passed_over)
            try:
                _list_folder(path, found)
            except OSError as exc:
                raise ImportFailed(path, _unreadable(exc, "folder")) from None
            if len(found.files) == files:
                raise ImportFailed(
                    path,
                    f"directory holds no {SEED_SUFFIX} files"
                    + _in_brief(path, found.passed_over[entries:]),
                )
        elif path.exists():
            found.files.append(path)
            named.add(path)
        else:
            raise ImportFailed(path, _link_problem(path) or "no such file or directory")
    found.listed -= named  # a file named on its own is meant: nothing to read stops the run
    names: dict[str, Path] = {}
    for path in found.files:
        if path.name in names and names[path.name].resolve() != path.resolve():
            raise ImportFailed(path, f"has the same file name as {names[path.name]}")
        names[path.name] = path
    found.files = list(dict.fromkeys(names.values()))
    return found


def _list_folder(folder: Path, found: SeedFiles) -> None:
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
    for entry in entries:
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
            before = len(found.files) + len(found.passed_over)
            try:
                _list_folder(path, found)
            except OSError as exc:
                found.passed_over.append(PassedOver(path=path, reason=_unreadable(exc, "folder")))
            else:
                if len(found.files) + len(found.passed_over) == before:
                    found.passed_over.append(PassedOver(path=path, reason="an empty folder"))
        elif reason := _entry_problem(entry):
            found.passed_over.append(PassedOver(path=path, reason=reason))
        else:
            found.files.append(path)
            found.listed.add(path)


def _entry_problem(entry: os.DirEntry) -> str | None:
    """Why a folder entry is not a story file to read; None when it is one."""
    if entry.name.startswith("."):
        kind = "folder" if entry.is_dir(follow_symlinks=False) else "file"
        return f"a hidden {kind} (its name starts with a dot)"
    if entry.is_symlink():
        if problem := _link_problem(Path(entry.path)):
            return problem
        if entry.is_dir():
            # Followed links could lead out of the folder, or round in a circle.
            return "a link to a folder (links to folders are not followed)"
    if Path(entry.name).suffix.lower() != SEED_SUFFIX:
        return f"not a {SEED_SUFFIX} file"
    try:
        mode = os.stat(entry.path).st_mode
    except OSError as exc:
        return _unreadable(exc, "file")
    if not stat.S_ISREG(mode):
        return f"not a regular file ({_file_kind(mode)})"
    return None


def _link_problem(path: Path) -> str | None:
    """Why `path` is a symbolic link that cannot be followed (broken, or looping), or None."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link that loops (it leads back to itself)"
        if exc.errno == errno.ENOENT and path.is_symlink():
            return f"a broken symbolic link (it points to {os.readlink(path)}, which is missing)"
    return None


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISBLK(mode) or stat.S_ISCHR(mode):
        return "a device"
    return "a special file"


def _unreadable(exc: OSError, what: str) -> str:
    if isinstance(exc, PermissionError):
        return f"permission denied: the {what} cannot be read"
    return f"the {what} cannot be read ({exc.strerror or exc})"


def _in_brief(folder: Path, passed_over: list[PassedOver], most: int = 3) -> str:
    """The first few entries passed over, for a one-line message: "; a.md: not a .txt file"."""
    named = [f"; {entry.path.relative_to(folder)}: {entry.reason}" for entry in passed_over]
    more = f"; and {len(named) - most} more" if len(named) > most else ""
    return "".join(named[:most]) + more


# The run


@dataclass(frozen=True)
class SeedFile:
    """A story file's name and contents, however it arrived: the admin's upload, for one."""

    name: str
    data: bytes


@dataclass(frozen=True, kw_only=True)
class Options:
    """What an import run is asked to do besides reading its files."""

    publish: bool = False
    author_name: str | None = None
    tags: Sequence[str] = ()
    dry_run: bool = False
    force: bool = False
    user: AbstractBaseUser | None = None


class OptionArgs(TypedDict, total=False):
    """`Options` as keyword arguments (`import_paths(paths, publish=True)`), so a type checker
    holds each to its type; the defaults are Options's."""

    publish: bool
    author_name: str | None
    tags: Sequence[str]
    dry_run: bool
    force: bool
    user: AbstractBaseUser | None


def import_paths(
    paths: Sequence[Path | str],
    *,
    read_progress: Callable[[int, int], None] | None = None,
    progress: Callable[[int, int, FileReport], None] | None = None,
    **options: Unpack[OptionArgs],
) -> ImportReport:
    """Import scraped files and folders (see `Options`); `user` (optional) is recorded as the
    creator and editor.

    `read_progress(done, total)` is called after each file is read and cleaned, before the
    transaction. `progress(done, total, report)` is called after each file is written, inside
    the run's transaction: what it reports is not committed until the whole run is.
    """
    run = Options(**options)
    byline, tag_names = _checked_options(run)
    found = find_seed_files(paths)
    with _collector_paused():
        stories = list(_read_and_clean(found, dry_run=run.dry_run, progress=read_progress))
        return _write(
            stories, found.passed_over, run, byline=byline, tags=tag_names, progress=progress
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for a folder's run (`import_seeds`, in a process of its own).

    A run builds hundreds of thousands of objects (rows, reports) that all live until it ends,
    so each of the collector's full passes walks them all and frees nothing: about a tenth of a
    10,000-story import's CPU. Reference counting still frees what the run drops.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_files(files: Sequence[SeedFile], **options: Unpack[OptionArgs]) -> ImportReport:
    """Import story files given by name and contents, as the admin's upload does (see
    `Options`). Every file is named, so one that cannot become a story stops the run."""
    run = Options(**options)
    byline, tag_names = _checked_options(run)
    stories = []
    for file in files:
        try:
            parsed = parse_bytes(file.data)
        except SeedError as exc:  # NothingToRead included: an empty upload is a named file
            raise ImportFailed(file.name, str(exc)) from None
        stories.append(_story(Path(file.name), parsed, dry_run=run.dry_run))
    return _write(stories, [], run, byline=byline, tags=tag_names, progress=None)


def _checked_options(run: Options) -> tuple[str, list[str]]:
    """The byline and topics asked for, or the one line that says what is wrong with them."""
    byline = (run.author_name or settings.NEWSROOM_DESK_BYLINE).strip()
    if not slugify(byline, allow_unicode=True):
        raise ImportFailed("--author", f"{byline!r} is not a usable author name")
    tag_names = [t.strip() for t in run.tags if t.strip()]
    if too_long := [t for t in tag_names if len(t) > TAG_MAX_CHARS]:
        raise ImportFailed(
            "--tag", f"a topic can be at most {TAG_MAX_CHARS} characters: {too_long[0][:40]!r}..."
        )
    return byline, tag_names


def _write(
    stories: list[_Story],
    passed_over: list[PassedOver],
    run: Options,
    *,
    byline: str,
    tags: list[str],
    progress: Callable[[int, int, FileReport], None] | None,
) -> ImportReport:
    """The run's second step: build new stories' rows, then write everything in one short
    transaction (rolled back for a dry run)."""
    publish, user = run.publish, run.user
    names = [story.path.name for story in stories]
    imported = _imported_hashes(names)
    prepared: dict[str, _NewStory] = {}
    for story in stories:
        if story.path.name not in imported:
            prepared[story.path.name] = _NewStory.of(story, publish=publish, user=user)
        elif imported[story.path.name] != story.parsed.content_hash:
            # The update's save cleans the body again: cleaned now, it then costs a hash
            # (clean_html remembers its recent outputs) instead of a parse under the lock.
            clean_html(story.fields.body)

    reports: list[FileReport] = []
    with transaction.atomic():
        # A story whose days in the trash are over is gone: its file imports as a new story.
        writing.empty_expired_trash()
        existing = _existing_articles(names)
        authors: dict[str, Author] = {}
        # New stories are written first, together: a handful of batched INSERTs for the whole
        # run instead of a dozen queries each. The rest follow one by one, in file order.
        created = _create_stories(
            [
                prepared.get(story.path.name)
                # Its story was deleted between the look and the lock.
                or _NewStory.of(story, publish=publish, user=user)
                for story in stories
                if story.path.name not in existing
            ],
            authors=authors,
            publish=publish,
            byline=byline,
            tags=tags,
            user=user,
        )
        for story in stories:
            report = created.get(story.path.name) or _import_story(
                story,
                article=existing[story.path.name],
                authors=authors,
                publish=publish,
                byline=byline,
                explicit_author=bool(run.author_name),
                tags=tags,
                force=run.force,
                user=user,
            )
            if run.dry_run:
                report.dry_run, report.removed = True, story.fields.removed
            reports.append(report)
            if progress is not None:
                progress(len(reports), len(stories), report)
        if run.dry_run:
            transaction.set_rollback(True)
    passed_over = sorted(passed_over, key=lambda entry: entry.path)
    return ImportReport(files=reports, passed_over=passed_over, dry_run=run.dry_run)


@dataclass(frozen=True, kw_only=True)
class _Cleaned:
    """The fields a story's text becomes, cleaned before the write transaction begins.

    The source has no standfirst of its own, so its first paragraph becomes the standfirst and
    the rest the body: the page shows every paragraph once, in source order.
    """

    title: str
    standfirst: str
    body: str
    # The related links that fit their columns and hold usable URLs, and what was changed.
    links: tuple[RelatedHeadline, ...]
    link_warnings: tuple[str, ...]
    # What cleaning removes, for a dry run's report (see FileReport.removed).
    removed: dict[str, int]

    @classmethod
    def of(cls, story: ParsedStory, *, dry_run: bool = False) -> _Cleaned:
        paragraphs = list(story.paragraphs)
        links, warnings = _checked_links(story)
        # Scraped text may carry markup: plain-text fields keep its words, never its tags.
        # paragraphs_to_html's output is already what clean_html would make of it (its inline
        # allow-list is a subset of the body's; tests/test_importing.py checks the fixed point),
        # so each text is parsed once.
        return cls(
            title=html_to_text(story.headline),
            standfirst=html_to_text(paragraphs.pop(0)) if paragraphs else "",
            body=paragraphs_to_html(paragraphs),
            links=links,
            link_warnings=warnings,
            removed=_removed_markup(story) if dry_run else {},
        )


@dataclass(frozen=True, kw_only=True)
class _Story:
    """One file, read, parsed and cleaned."""

    path: Path
    parsed: ParsedStory
    fields: _Cleaned


def _story(path: Path, parsed: ParsedStory, *, dry_run: bool) -> _Story:
    fields = _Cleaned.of(parsed, dry_run=dry_run)
    if not fields.title:
        raise ImportFailed(path, "no headline found: the headline holds only markup")
    return _Story(path=path, parsed=parsed, fields=fields)


def _read_and_clean(
    found: SeedFiles, *, dry_run: bool, progress: Callable[[int, int], None] | None
) -> Iterator[_Story]:
    """Each file's story; a listed file with nothing to read joins `found.passed_over`."""
    for done, path in enumerate(found.files, start=1):
        try:
            parsed = read_seed(path)
        except NothingToRead as exc:
            if path not in found.listed:
                raise ImportFailed(path, str(exc)) from None
            found.passed_over.append(PassedOver(path=path, reason=str(exc)))
        except SeedError as exc:
            raise ImportFailed(path, str(exc)) from None
        else:
            yield _story(path, parsed, dry_run=dry_run)
        if progress is not None:
            progress(done, len(found.files))


@dataclass(kw_only=True)
class _NewStory:
    """A new story's report and rows, built before the write transaction (`writing.prepare`):
    all but what needs the database (its address, its author's row, its topics)."""

    report: FileReport
    new: writing.NewStory

    @classmethod
    def of(cls, story: _Story, *, publish: bool, user) -> _NewStory:
        parsed, fields = story.parsed, story.fields
        report = FileReport(
            path=story.path,
            action="created",
            paragraphs=len(parsed.paragraphs),
            related_links=len(parsed.related),
            stripped=parsed.stripped,
        )
        _warn(report, parsed)
        report.warnings.extend(fields.link_warnings)
        article = Article(source_name=story.path.name)
        _fill(article, parsed, fields)
        new = writing.NewStory(
            article=article,
            related_links=_link_rows(fields),  # `create` sets their story
            summary=f"Created by import of {story.path.name}",
            fingerprint=True,
            # paragraphs_to_html's output is what clean_html makes of it (_Cleaned.of).
            body_is_clean=True,
        )
        writing.prepare([new], user=user, publish=publish)
        return cls(report=report, new=new)


def _create_stories(
    new: list[_NewStory],
    *,
    authors: dict[str, Author],
    publish: bool,
    byline: str,
    tags: list[str],
    user,
) -> dict[str, FileReport]:
    """Write the run's new stories through `writing.create`: a handful of batched INSERTs
    for the whole run, leaving the rows that creating each one by one would leave."""
    if not new:
        return {}
    author = _author(byline, authors)
    for story in new:
        story.new.authors, story.new.tags = [author], tags
    writing.create([story.new for story in new], user=user, publish=publish)
    for story in new:
        story.report.slug = story.new.article.slug
    return {story.report.path.name: story.report for story in new}


def _chunks(names: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(names), _CHUNK):
        yield names[start : start + _CHUNK]


def _imported_hashes(names: list[str]) -> dict[str, str]:
    """The source hash of each of the run's stories already imported, by source file name.

    Read before the write transaction, so it takes no lock: it tells which stories to build as
    new ones. The transaction reads them again, locked (_existing_articles), and goes by that.
    """
    found: dict[str, str] = {}
    for chunk in _chunks(names):
        found.update(
            Article.objects.filter(source_name__in=chunk)
            .exclude(source_name="")
            .values_list("source_name", "source_hash")
        )
    return found


def _existing_articles(names: list[str]) -> dict[str, Article]:
    """The run's stories already in the database, locked, by source file name."""
    found: dict[str, Article] = {}
    for chunk in _chunks(names):
        for article in (
            Article.objects.select_for_update()
            .filter(source_name__in=chunk)
            .exclude(source_name="")
        ):
            found[article.source_name] = article
    return found


def _import_story(
    story: _Story,
    *,
    article: Article,
    authors: dict[str, Author],
    publish: bool,
    byline: str,
    explicit_author: bool,
    tags: list[str],
    force: bool,
    user,
) -> FileReport:
    path, parsed, fields = story.path, story.parsed, story.fields
    report = FileReport(
        path=path,
        paragraphs=len(parsed.paragraphs),
        related_links=len(parsed.related),
        stripped=parsed.stripped,
    )
    _warn(report, parsed)

    if article.deleted_at is not None:
        # Neither brought back nor overwritten behind the editor who deleted it.
        report.action, report.slug = "skipped", article.slug
        report.warnings.append(IN_THE_TRASH)
        return report
    if article.source_hash == parsed.content_hash:
        # Same words as last time: only what the options ask for can change.
        report.slug = article.slug
        changes = _apply_options(
            article,
            report=report,
            authors=authors,
            publish=publish,
            author=byline if explicit_author else None,
            tags=tags,
            user=user,
        )
        report.action = "updated" if changes else "unchanged"
        if changes:
            report.warnings.append(f"source unchanged; {', '.join(changes)}")
            writing.finish(article, user=user, summary=f"Import options: {', '.join(changes)}")
        return report
    elif article.import_fingerprint != article.content_fingerprint() and not force:
        report.action, report.slug = "skipped", article.slug
        report.warnings.append(
            "edited in the admin since it was imported, so it was not overwritten (`manage.py "
            "import_seeds --force` replaces the editor's changes)"
        )
        return report
    else:
        report.action = "updated"

    _fill(article, parsed, fields)
    writing.save(article, user=user)
    report.slug = article.slug

    article.related_links.all().delete()
    RelatedLink.objects.bulk_create(_link_rows(fields, article=article))
    report.warnings.extend(fields.link_warnings)
    _apply_options(
        article,
        report=report,
        authors=authors,
        publish=publish,
        author=byline if explicit_author else None,
        tags=tags,
        user=user,
    )
    article.import_fingerprint = article.content_fingerprint()
    article.save(update_fields=["import_fingerprint"])
    writing.finish(
        article, user=user, summary=f"{report.action.capitalize()} by import of {path.name}"
    )
    return report


def _apply_options(
    article: Article,
    *,
    report: FileReport,
    authors: dict[str, Author],
    publish: bool,
    author: str | None,
    tags: list[str],
    user,
) -> list[str]:
    """Apply --publish, --author and --tag; say what changed (nothing, on a plain re-run), and
    in `report` what could not be done.

    --publish publishes a story that has never been published; one an editor has unpublished
    stays unpublished, so re-running `make run` cannot undo an editor's decision.
    """
    changes = []
    # The byline first: publishing needs one.
    rebylined = bool(author and [a.name for a in article.byline] != [author])
    if rebylined:
        _set_byline(article, author, authors)
    if publish and article.status in (Status.DRAFT, Status.REVIEW) and not article.published_at:
        try:
            workflow.check_byline(article, Status.PUBLISHED, authors=article.bylines.count())
        except workflow.WorkflowError as exc:
            # New stories always get a byline (--author, or the desk's); this one's was removed
            # in the admin since, and the desk's is not put back over an editor's choice.
            report.warnings.append(f"not published: {exc} (Add one in the admin, or use --author.)")
        else:
            from_status = article.status
            article.status, article.published_at = Status.PUBLISHED, timezone.now()
            writing.save(article, user=user, from_status=from_status)
            changes.append("published")
    if rebylined:
        changes.append(f"byline {author}")
    missing = [t for t in tags if t.casefold() not in {n.casefold() for n in article.tags.names()}]
    if missing:
        article.tags.add(*missing)
        changes.append(f"topics added: {', '.join(missing)}")
    return changes


def _removed_markup(story: ParsedStory) -> dict[str, int]:
    """What cleaning removes from the story's text, with each field's allow-list: the headline,
    the standfirst (the first paragraph) and related headlines are plain text, the body keeps
    inline markup (see _Cleaned.of and _related_links)."""
    removed: Counter[str] = Counter()
    plain = frozenset()
    removed.update(removed_markup(story.headline, keep=plain))
    for n, paragraph in enumerate(story.paragraphs):
        removed.update(removed_markup(paragraph, keep=plain if n == 0 else INLINE_TAGS))
    for related in story.related:
        removed.update(removed_markup(related.title, keep=plain))
    return dict(removed)


def _warn(report: FileReport, story: ParsedStory) -> None:
    if story.lead_image_missing:
        report.warnings.append("lead image missing: the source had an image placeholder")
    if not story.paragraphs:
        report.warnings.append("the story has no body paragraphs")


def _checked_links(story: ParsedStory) -> tuple[tuple[RelatedHeadline, ...], tuple[str, ...]]:
    """Related links that fit their columns and hold usable URLs; the rest said in warnings."""
    max_title = RelatedLink._meta.get_field("title").max_length
    max_url = RelatedLink._meta.get_field("url").max_length
    links, warnings = [], []
    for related in story.related:
        title, url = html_to_text(related.title), related.url
        if not title:
            continue
        if len(title) > max_title:
            title = title[: max_title - 1] + "\u2026"
            warnings.append(f"a related headline was shortened to {max_title} characters")
        if url:
            try:
                if len(url) > max_url:
                    raise ValidationError("too long")
                _URL_VALIDATOR(url)
            except ValidationError:
                warnings.append(f"related link {title[:60]!r}: unusable URL dropped")
                url = ""
        links.append(RelatedHeadline(title=title, url=url, position=related.position))
    return tuple(links), tuple(warnings)


def _link_rows(fields: _Cleaned, **story: Article) -> list[RelatedLink]:
    """The story's related link rows; `article=` their story, when it has been saved."""
    return [
        RelatedLink(
            **story,
            title=link.title,
            url=link.url,
            position=link.position,
            # Shown where the source had it; its first paragraph became the standfirst, so a
            # link after that one opens the body (paragraph 0).
            after_paragraph=max(link.position - 1, 0),
        )
        for link in fields.links
    ]


def _fill(article: Article, story: ParsedStory, fields: _Cleaned) -> None:
    article.title = fields.title
    article.standfirst = fields.standfirst
    article.body = fields.body
    article.source_hash = story.content_hash
    article.lead_image_missing = story.lead_image_missing and not article.lead_image


def _set_byline(article: Article, name: str, authors: dict[str, Author]) -> None:
    """Make `name` the byline."""
    author = _author(name, authors)
    article.bylines.all().delete()
    Byline.objects.create(article=article, author=author, position=0)


def _author(name: str, authors: dict[str, Author]) -> Author:
    """The author called `name`; `authors` remembers the run's authors, found or made once."""
    author = authors.get(name)
    if author is None:
        author = Author.objects.filter(slug=slugify(name, allow_unicode=True)).first()
        if author is None:
            author = Author.objects.create(name=name, slug=unique_slug(Author, name))
        authors[name] = author
    return author
