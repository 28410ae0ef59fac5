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

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from newsroom.ingest.seeds import ParsedStory, SeedError, read_seed
from newsroom.markup.sanitize import INLINE_TAGS, html_to_text, paragraphs_to_html, removed_markup
from newsroom.news import revisions, workflow
from newsroom.news.models import (
    TAG_MAX_CHARS,
    Article,
    Author,
    Byline,
    RelatedLink,
    Revision,
    StatusChange,
    unique_slug,
)

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
    reports: list[FileReport] = []
    with transaction.atomic():
        existing = _existing_articles([path.name for path, _ in parsed])
        authors: dict[str, Author] = {}
        # New stories are written first, together: a handful of batched INSERTs for the whole
        # run instead of a dozen queries each. The rest follow one by one, in file order.
        created = _create_stories(
            [
                (path, story, fields)
                for (path, story), fields in zip(parsed, cleaned, strict=True)
                if path.name not in existing
            ],
            authors=authors,
            publish=publish,
            byline=byline,
            tags=tag_names,
            user=user,
        )
        for (path, story), fields in zip(parsed, cleaned, strict=True):
            report = created.get(path.name) or _import_story(
                path,
                story,
                fields,
                article=existing[path.name],
                authors=authors,
                publish=publish,
                byline=byline,
                explicit_author=bool(author_name),
                tags=tag_names,
                force=force,
                user=user,
            )
            if dry_run:
                report.dry_run, report.removed = True, _removed_markup(story)
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
        # paragraphs_to_html's output is already what clean_html would make of it (its inline
        # allow-list is a subset of the body's; tests/test_importing.py checks the fixed point),
        # so each text is parsed once.
        return cls(
            title=html_to_text(story.headline),
            standfirst=html_to_text(paragraphs.pop(0)) if paragraphs else "",
            body=paragraphs_to_html(paragraphs),
        )


def _create_stories(
    new: list[tuple[Path, ParsedStory, _Cleaned]],
    *,
    authors: dict[str, Author],
    publish: bool,
    byline: str,
    tags: list[str],
    user,
) -> dict[str, FileReport]:
    """Write the run's new stories with batched inserts; the rows are those that creating each
    story, publishing it, and recording its byline, links, status changes and revision one by
    one would leave (the same version numbers too: 1, or 2 once published).

    Article.save is not called: its work for a new imported story is cleaning the body (done
    before the transaction), counting the version and dropping the publication time's
    fraction of a second (both done here) and measuring a lead image (an import has none).
    Bulk writes on reader-visible models empty the page cache themselves, and the search index
    follows news_article through the database (see search.py).
    """
    if not new:
        return {}
    now = timezone.now().replace(microsecond=0)
    status = Status.PUBLISHED if publish else Status.DRAFT
    slugs = _unique_slugs([fields.title for _, _, fields in new])
    author = _author(byline, authors)
    articles, links, reports = [], [], []
    for (path, story, fields), slug in zip(new, slugs, strict=True):
        report = FileReport(
            path=path,
            action="created",
            slug=slug,
            paragraphs=len(story.paragraphs),
            related_links=len(story.related),
            stripped=story.stripped,
        )
        _warn(report, story)
        article = Article(
            source_name=path.name,
            slug=slug,
            status=status,
            published_at=now if publish else None,
            created_by=user,
            last_edited_by=user,
            version=2 if publish else 1,
        )
        _fill(article, story, fields)
        story_links = sorted(_related_links(article, story, report), key=lambda r: r.position)
        article.import_fingerprint = _fingerprint(article, story_links)
        articles.append(article)
        links.append(story_links)
        reports.append(report)

    if connection.features.can_return_rows_from_bulk_insert:
        Article.objects.bulk_create(articles)
    else:  # Without RETURNING the new ids are unknown: insert one by one.
        for article in articles:
            article.version -= 1  # save() counts it
            article.save()
    changes = [
        StatusChange(article=a, from_status="", to_status=Status.DRAFT, changed_by=user)
        for a in articles
    ]
    if publish:
        changes += [
            StatusChange(
                article=a, from_status=Status.DRAFT, to_status=Status.PUBLISHED, changed_by=user
            )
            for a in articles
        ]
    StatusChange.objects.bulk_create(changes)
    Byline.objects.bulk_create(Byline(article=a, author=author, position=0) for a in articles)
    for article, story_links in zip(articles, links, strict=True):
        for link in story_links:
            link.article = article
    RelatedLink.objects.bulk_create(link for story_links in links for link in story_links)
    revisions_ = []
    for article, story_links, report in zip(articles, links, reports, strict=True):
        names: list[str] = []
        if tags:
            # taggit matches topics case-insensitively to existing ones; the revision keeps
            # the names it chose.
            article.tags.add(*tags)
            names = list(article.tags.names())
        revisions_.append(
            Revision(
                article=article,
                number=article.version,
                snapshot=revisions.snapshot_of(
                    article, authors=[author], tags=names, related_links=story_links
                ),
                summary=f"Created by import of {report.path.name}"[:200],
                created_by=user,
            )
        )
    Revision.objects.bulk_create(revisions_)
    return {report.path.name: report for report in reports}


def _fingerprint(article: Article, links: list[RelatedLink]) -> str:
    """Article.content_fingerprint for links not yet in the database (tests hold them equal)."""
    rows = [(r.title, r.url, r.position, r.after_paragraph) for r in links]
    canonical = json.dumps(
        [article.title, article.standfirst, article.body, rows], ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _unique_slugs(titles: list[str]) -> list[str]:
    """unique_slug for each title, also unique among themselves, in a query per 500 titles."""
    bases = [slugify(t, allow_unicode=True)[:196].strip("-") or "story" for t in titles]
    taken: set[str] = set()
    distinct = list(dict.fromkeys(bases))
    for start in range(0, len(distinct), 500):
        chunk = distinct[start : start + 500]
        taken.update(Article.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    slugs, looked_up = [], set()
    for base in bases:
        if base in taken and base not in looked_up:
            # Rare: the headline is in use. Learn every "base-N" in one query.
            taken.update(
                Article.objects.filter(slug__startswith=base).values_list("slug", flat=True)
            )
            looked_up.add(base)
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


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
    article: Article,
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
    _warn(report, story)

    if article.source_hash == story.content_hash:
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

    _fill(article, story, fields)
    article.last_edited_by = user
    article.save()
    report.slug = article.slug

    article.related_links.all().delete()
    RelatedLink.objects.bulk_create(_related_links(article, story, report))
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
    revisions.record(
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
            article.last_edited_by = user
            article.save()
            workflow.record(article, from_status=from_status, user=user)
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
        # Shown where the source had it; its first paragraph became the standfirst, so a link
        # after that one opens the body (paragraph 0).
        links[-1].after_paragraph = max(related.position - 1, 0)
    return links


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
