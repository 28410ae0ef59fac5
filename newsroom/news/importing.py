"""Turn scraped story files into Article, Author, tag and RelatedLink rows.

One run is all or nothing: every file is read and parsed before anything is written, and the
writes share one transaction, so a bad file, or a run killed half-way (even by SIGKILL: the
database discards an uncommitted transaction), leaves the database exactly as it was. Articles are
keyed on their source file name, which makes a run idempotent: an unchanged file is left alone,
a changed one updates its article (keeping its address), unless an editor has changed the
article since it was imported; then it is skipped with a warning unless `force` is given.
A dry run goes through exactly the same steps and rolls the transaction back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from . import revisions, workflow
from .models import TAG_MAX_CHARS, Article, Author, Byline, RelatedLink, unique_slug
from .sanitize import clean_html, html_to_text, paragraphs_to_html
from .seeds import ParsedStory, SeedError, read_seed

SEED_SUFFIX = ".txt"
Status = Article.Status
_URL_VALIDATOR = URLValidator(schemes=["http", "https"])


class ImportFailed(Exception):
    """A file that stops the run; `str()` is the one line an editor sees."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(kw_only=True)
class FileReport:
    path: Path
    action: str = ""  # created, updated, unchanged or skipped
    slug: str = ""
    paragraphs: int = 0
    related_links: int = 0
    stripped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"{_display(self.path)}: {self.action} /news/{self.slug}/ "
            f"({self.paragraphs} paragraphs, {self.related_links} related links)"
        ]
        if self.stripped:
            out.append(
                "  stripped: " + ", ".join(f"{what} \u00d7{n}" for what, n in self.stripped.items())
            )
        out.extend(f"  warning: {warning}" for warning in self.warnings)
        return out


def _display(path: Path) -> Path:
    """The path as the editor would type it: relative to where they are when it can be."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


@dataclass(kw_only=True)
class ImportReport:
    files: list[FileReport]
    dry_run: bool = False

    def count(self, action: str) -> int:
        return sum(1 for f in self.files if f.action == action)

    def summary(self) -> str:
        counts = ", ".join(
            f"{self.count(action)} {action}"
            for action in ("created", "updated", "unchanged", "skipped")
        )
        prefix = "Dry run, nothing written: would have " if self.dry_run else ""
        return f"{prefix}{counts}."


def find_seed_files(paths: Iterable[Path | str]) -> list[Path]:
    """Expand directories to the .txt files inside them (sorted); name every bad path."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # Hidden files (".DS_Store", macOS "._story.txt") are never stories.
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() == SEED_SUFFIX
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not files:
                raise ImportFailed(path, f"directory holds no {SEED_SUFFIX} files")
            found.extend(files)
        elif path.exists():
            found.append(path)
        else:
            raise ImportFailed(path, "no such file or directory")
    names: dict[str, Path] = {}
    for path in found:
        if path.name in names and names[path.name].resolve() != path.resolve():
            raise ImportFailed(path, f"has the same file name as {names[path.name]}")
        names[path.name] = path
    return list(dict.fromkeys(names.values()))


def import_paths(
    paths: Sequence[Path | str],
    *,
    publish: bool = False,
    author_name: str | None = None,
    tags: Sequence[str] = (),
    dry_run: bool = False,
    force: bool = False,
    user=None,
    progress: Callable[[int, int, FileReport], None] | None = None,
) -> ImportReport:
    """Import scraped files; `user` (optional) is recorded as the creator and editor.

    `progress(done, total, report)` is called after each file is written, inside the run's
    transaction: what it reports is not committed until the whole run is.
    """
    files = find_seed_files(paths)
    parsed: list[tuple[Path, ParsedStory]] = []
    for path in files:
        try:
            story = read_seed(path)
        except SeedError as exc:
            raise ImportFailed(path, str(exc)) from None
        if not html_to_text(story.headline):
            raise ImportFailed(path, "no headline found: the headline holds only markup")
        parsed.append((path, story))

    byline = (author_name or settings.NEWSROOM_DESK_BYLINE).strip()
    if not slugify(byline, allow_unicode=True):
        raise ImportFailed("--author", f"{byline!r} is not a usable author name")
    tag_names = [t.strip() for t in tags if t.strip()]
    if too_long := [t for t in tag_names if len(t) > TAG_MAX_CHARS]:
        raise ImportFailed(
            "--tag", f"a topic can be at most {TAG_MAX_CHARS} characters: {too_long[0][:40]!r}..."
        )

    # The sanitising happens here, before the transaction: on SQLite the transaction holds the
    # database's one write lock, and every editor's save waits for it.
    cleaned = [_Cleaned.of(story) for _, story in parsed]
    reports = []
    with transaction.atomic():
        existing = _existing_articles([path.name for path, _ in parsed])
        authors: dict[str, Author] = {}
        for (path, story), fields in zip(parsed, cleaned, strict=True):
            report = _import_story(
                path,
                story,
                fields,
                article=existing.get(path.name),
                authors=authors,
                publish=publish,
                byline=byline,
                explicit_author=bool(author_name),
                tags=tag_names,
                force=force,
                user=user,
            )
            reports.append(report)
            if progress is not None:
                progress(len(reports), len(parsed), report)
        if dry_run:
            transaction.set_rollback(True)
    return ImportReport(files=reports, dry_run=dry_run)


@dataclass(frozen=True, kw_only=True)
class _Cleaned:
    """The fields a story's text becomes, cleaned before the write transaction begins.

    The source has no standfirst of its own, so its first paragraph becomes the standfirst and
    the rest the body: the page shows every paragraph once, in source order.
    """

    title: str
    standfirst: str
    body: str

    @classmethod
    def of(cls, story: ParsedStory) -> _Cleaned:
        paragraphs = list(story.paragraphs)
        # Scraped text may carry markup: plain-text fields keep its words, never its tags.
        # clean_html here as well: Article.save cleans again, and recognises its own output.
        return cls(
            title=html_to_text(story.headline),
            standfirst=html_to_text(paragraphs.pop(0)) if paragraphs else "",
            body=clean_html(paragraphs_to_html(paragraphs)),
        )


def _existing_articles(names: list[str]) -> dict[str, Article]:
    """The run's stories already in the database, locked, by source file name."""
    found: dict[str, Article] = {}
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        for article in (
            Article.objects.select_for_update()
            .filter(source_name__in=chunk)
            .exclude(source_name="")
        ):
            found[article.source_name] = article
    return found


def _import_story(
    path: Path,
    story: ParsedStory,
    fields: _Cleaned,
    *,
    article: Article | None,
    authors: dict[str, Author],
    publish: bool,
    byline: str,
    explicit_author: bool,
    tags: list[str],
    force: bool,
    user,
) -> FileReport:
    report = FileReport(
        path=path,
        paragraphs=len(story.paragraphs),
        related_links=len(story.related),
        stripped=story.stripped,
    )
    if story.lead_image_missing:
        report.warnings.append("lead image missing: the source had an image placeholder")
    if not story.paragraphs:
        report.warnings.append("the story has no body paragraphs")

    if article is None:
        article = Article(
            source_name=path.name, slug=unique_slug(Article, fields.title), created_by=user
        )
        report.action = "created"
    elif article.source_hash == story.content_hash:
        # Same words as last time: only what the options ask for can change.
        report.slug = article.slug
        changes = _apply_options(
            article,
            authors=authors,
            publish=publish,
            author=byline if explicit_author else None,
            tags=tags,
            user=user,
        )
        report.action = "updated" if changes else "unchanged"
        if changes:
            report.warnings.append(f"source unchanged; {', '.join(changes)}")
            revisions.record(article, user=user, summary=f"Import options: {', '.join(changes)}")
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

    created = report.action == "created"
    _fill(article, story, fields)
    article.last_edited_by = user
    article.save()
    if created:
        workflow.record(article, from_status="", user=user)
    report.slug = article.slug

    if not created:
        article.related_links.all().delete()
    RelatedLink.objects.bulk_create(_related_links(article, story, report))
    _apply_options(
        article,
        authors=authors,
        created=created,
        publish=publish,
        author=byline if created or explicit_author else None,
        tags=tags,
        user=user,
    )
    article.import_fingerprint = article.content_fingerprint()
    article.save(update_fields=["import_fingerprint"])
    revisions.record(
        article, user=user, summary=f"{report.action.capitalize()} by import of {path.name}"
    )
    return report


def _apply_options(
    article: Article,
    *,
    authors: dict[str, Author],
    publish: bool,
    author: str | None,
    tags: list[str],
    user,
    created: bool = False,
) -> list[str]:
    """Apply --publish, --author and --tag; say what changed (nothing, on a plain re-run).

    --publish publishes a story that has never been published; one an editor has unpublished
    stays unpublished, so re-running `make run` cannot undo an editor's decision.
    """
    changes = []
    if publish and article.status in (Status.DRAFT, Status.REVIEW) and not article.published_at:
        from_status = article.status
        article.status, article.published_at = Status.PUBLISHED, timezone.now()
        article.last_edited_by = user
        article.save()
        workflow.record(article, from_status=from_status, user=user)
        changes.append("published")
    # A story created by this run has no byline yet: nothing to look up or remove.
    if author and (created or [a.name for a in article.byline] != [author]):
        _set_byline(article, author, authors, replace=not created)
        changes.append(f"byline {author}")
    missing = [t for t in tags if t.casefold() not in {n.casefold() for n in article.tags.names()}]
    if missing:
        article.tags.add(*missing)
        changes.append(f"topics added: {', '.join(missing)}")
    return changes


def _related_links(article: Article, story: ParsedStory, report: FileReport) -> list[RelatedLink]:
    """Related links that fit their columns and hold usable URLs; the rest said in warnings."""
    max_title = RelatedLink._meta.get_field("title").max_length
    max_url = RelatedLink._meta.get_field("url").max_length
    links = []
    for related in story.related:
        title, url = html_to_text(related.title), related.url
        if not title:
            continue
        if len(title) > max_title:
            title = title[: max_title - 1] + "\u2026"
            report.warnings.append(f"a related headline was shortened to {max_title} characters")
        if url:
            try:
                if len(url) > max_url:
                    raise ValidationError("too long")
                _URL_VALIDATOR(url)
            except ValidationError:
                report.warnings.append(f"related link {title[:60]!r}: unusable URL dropped")
                url = ""
        links.append(RelatedLink(article=article, title=title, url=url, position=related.position))
    return links


def _fill(article: Article, story: ParsedStory, fields: _Cleaned) -> None:
    article.title = fields.title
    article.standfirst = fields.standfirst
    article.body = fields.body
    article.source_hash = story.content_hash
    article.lead_image_missing = story.lead_image_missing and not article.lead_image


def _set_byline(
    article: Article, name: str, authors: dict[str, Author], *, replace: bool = True
) -> None:
    """Make `name` the byline; `authors` remembers the run's authors, found or made once."""
    author = authors.get(name)
    if author is None:
        author = Author.objects.filter(slug=slugify(name, allow_unicode=True)).first()
        if author is None:
            author = Author.objects.create(name=name, slug=unique_slug(Author, name))
        authors[name] = author
    if replace:
        article.bylines.all().delete()
    Byline.objects.create(article=article, author=author, position=0)
