"""Stories, the people who write them, and the headlines they point readers to."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import connections, models, transaction
from django.db.models import (
    Aggregate,
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextField,
    When,
)
from django.db.models.functions import JSONObject, Lower, Substr, TruncMonth
from django.db.models.signals import post_delete, pre_save
from django.dispatch import Signal, receiver
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import pgettext_lazy
from PIL import Image
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItem

from newsroom import pagecache
from newsroom.markup.sanitize import clean_html, clean_sponsored_html, html_to_text

from . import renditions
from .addresses import slug_url

# The longest topic name taggit's table holds.
TAG_MAX_CHARS = Tag._meta.get_field("name").max_length
# How long a deleted story waits in the trash, restorable, before it is gone for good.
TRASH_DAYS = 30


class URLField(models.URLField):
    """A URL typed without a scheme ("example.com/story") means https, as in Django 6."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


def unique_slug(model: type[models.Model], text: str, *, max_length: int = 200) -> str:
    """A slug for `text` that no row of `model` has yet: "headline", "headline-2", ..."""
    return unique_slugs(model, [text], max_length=max_length)[0]


def unique_slugs(
    model: type[models.Model], texts: list[str], *, max_length: int = 200
) -> list[str]:
    """`unique_slug` for each text, also unique among themselves, in a query per 500 texts
    (the import names a thousand stories at once)."""
    bases = [slugify(t, allow_unicode=True)[: max_length - 4].strip("-") or "story" for t in texts]
    rows = model._default_manager
    taken: set[str] = set()
    distinct = list(dict.fromkeys(bases))
    for start in range(0, len(distinct), 500):
        taken.update(
            rows.filter(slug__in=distinct[start : start + 500]).values_list("slug", flat=True)
        )
    slugs, looked_up = [], set()
    for base in bases:
        if base in taken and base not in looked_up:
            # Exact candidates first: an indexed IN lookup, where `startswith` (LIKE) scans every
            # slug on SQLite. Only a headline used more than 20 times needs the prefix search.
            candidates = [f"{base}-{n}" for n in range(2, 21)]
            found = set(rows.filter(slug__in=candidates).values_list("slug", flat=True))
            if len(found) == len(candidates):
                found = set(rows.filter(slug__startswith=base).values_list("slug", flat=True))
            taken |= found
            looked_up.add(base)
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


def to_the_second(moment: datetime) -> datetime:
    """A time as a story stores it: the admin shows and sends back whole seconds."""
    return moment.replace(microsecond=0)


def month_start(month: datetime | str) -> datetime:
    """TruncMonth's aware datetime as it is, or "YYYY-MM" (UTC) made into one."""
    if isinstance(month, str):
        year, number = month.split("-")
        return datetime(int(year), int(number), 1, tzinfo=UTC)
    return month


# Sent before a bulk write of rows readers see (which sends no save or delete signals), with
# `queryset` (an update: the rows it will touch, and `fields`, the columns it sets) or `objects`
# (bulk_create, bulk_update). Each receiver returns the page-cache tags of those rows
# (cachetags.rows_tags), retired once the write is made.
rows_written = Signal()


class InsertQuerySet(models.QuerySet):
    def insert(self, objs: Iterable[models.Model], *, key: str = "") -> list[models.Model]:
        """Insert new rows, each as `bulk_create` writes it.

        One INSERT that the database runs for each row (executemany), every value still made
        by its field (`pre_save`, `get_db_prep_save`). Django's compiler builds a multi-row
        INSERT's SQL and parameters value by value, which costs about twice the CPU for the
        hundreds of thousands of values an import writes. The objects get their ids only with
        `key`, a unique field they all fill (a story's slug), by which they are read back in a
        query per 500 rows; rows nothing reads back (a new story's status moves, byline, links
        and revision) keep no pk.
        """
        objs = list(objs)
        meta = self.model._meta
        fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
        if meta.parents or any(f.generated or f.db_returning or f.has_db_default() for f in fields):
            raise TypeError(f"insert() cannot write {meta.label}: use bulk_create()")
        if not objs:
            return objs
        connection = connections[self.db]
        for obj in objs:
            if obj.pk is not None:
                raise ValueError(f"insert() writes new rows only, not {meta.label} {obj.pk}")
            obj._prepare_related_fields_for_save(operation_name="insert")
        rows = [
            tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
            for obj in objs
        ]
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )
        with transaction.atomic(using=self.db, savepoint=False), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        ids = {}
        if key:
            keys = [getattr(obj, key) for obj in objs]
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                ids.update(self.filter(**{f"{key}__in": chunk}).values_list(key, "pk"))
        for obj in objs:
            obj._state.adding, obj._state.db = False, self.db
            if key:
                obj.pk = ids[getattr(obj, key)]
        return objs


class ReaderVisibleQuerySet(InsertQuerySet):
    """Rows readers see: bulk writes, which send no signals, retire their pages themselves
    (saves and deletes do it through signals; see cachetags.py)."""

    def update(self, **kwargs) -> int:
        tags = _tags_of(self.model, queryset=self, fields=tuple(kwargs))
        rows = super().update(**kwargs)
        pagecache.retire(tags)
        return rows

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        pagecache.retire(_tags_of(self.model, objects=created))
        return created

    def bulk_update(self, objs, *args, **kwargs) -> int:
        objs = list(objs)
        rows = super().bulk_update(objs, *args, **kwargs)
        pagecache.retire(_tags_of(self.model, objects=objs))
        return rows

    def insert(self, objs, *, key=""):
        inserted = super().insert(objs, key=key)
        pagecache.retire(_tags_of(self.model, objects=inserted))
        return inserted


def staff_account() -> models.ForeignKey:
    """Who made a row: set by the write path, not by forms, and kept (empty) when the account
    is removed."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )


def focal_point(verbose_name: str, help_text: str) -> models.FloatField:
    """One coordinate of a lead image's focal point, as a fraction of its width or height."""
    return models.FloatField(
        verbose_name,
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=help_text,
    )


def _tags_of(model, **rows) -> set[str]:
    return {tag for _, tags in rows_written.send(sender=model, **rows) for tag in tags or ()}


# An author's profiles elsewhere: a handful of web addresses, one a line.
PROFILES_LIMIT = 10


def split_profiles(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def validate_profiles(text: str) -> None:
    """Each line a full http(s) address; every bad line named, so the desk fixes all at once."""
    lines = split_profiles(text)
    if len(lines) > PROFILES_LIMIT:
        raise ValidationError(
            f"At most {PROFILES_LIMIT} profiles, one a line (there are {len(lines)})."
        )
    check = URLValidator(schemes=["http", "https"])
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            check(line.strip())
        except ValidationError:
            errors.append(
                ValidationError(
                    f"Line {number} (\u201c{line.strip()[:80]}\u201d) is not a web address: give "
                    "the whole address, starting with https://, e.g. https://example.social/@ann."
                )
            )
    if errors:
        raise ValidationError(errors)


class Author(models.Model):
    name = models.CharField(max_length=200, help_text="As it appears in the byline.")
    slug = models.SlugField(
        "address",
        max_length=200,
        unique=True,
        allow_unicode=True,
        # Not "/authors/<slug>/": the admin shows help text as HTML, and <slug> is a tag there.
        help_text="The end of the author's page address: /authors/ann-lee/ for Ann Lee.",
    )
    role = models.CharField(
        max_length=100,
        blank=True,
        help_text="Their job, shown under their name on the author page: \u201cPolitical "
        "correspondent\u201d. Plain text.",
    )
    bio = models.TextField(
        blank=True, help_text="A sentence or two for the author page. Plain text."
    )
    same_as = models.TextField(
        "profiles elsewhere",
        blank=True,
        validators=[validate_profiles],
        help_text="Their pages on other sites (a personal site, social media, a professional "
        f"profile), one full address a line, at most {PROFILES_LIMIT}. Shown on the author page "
        "and given to search engines as the same person.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        help_text="The staff account that writes as this author, if any. A writer's new "
        "stories get this byline.",
    )

    objects = ReaderVisibleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_url("news:author_detail", self.slug)

    @property
    def profiles(self) -> list[str]:
        return split_profiles(self.same_as)


class ArticleQuerySet(ReaderVisibleQuerySet):
    def published(self, *, at: datetime | None = None) -> ArticleQuerySet:
        """What a reader may see, decided when the query runs: a scheduled story goes live by
        itself once its time has come, with no job to flip it. `at` (default now) is the
        moment asked about."""
        return self.filter(
            status=Article.Status.PUBLISHED,
            published_at__lte=at or timezone.now(),
            deleted_at__isnull=True,
        )

    def not_trashed(self) -> ArticleQuerySet:
        """Every story but those in the trash: what the desk works on."""
        return self.filter(deleted_at__isnull=True)

    def trashed(self, *, at: datetime | None = None) -> ArticleQuerySet:
        """Stories in the trash that can still be restored at `at` (default now): deleted less
        than TRASH_DAYS days before. Older ones are gone, whether or not they are purged yet."""
        return self.filter(deleted_at__gt=(at or timezone.now()) - timedelta(days=TRASH_DAYS))

    def trash_expired(self, *, at: datetime | None = None) -> ArticleQuerySet:
        """Stories whose TRASH_DAYS days in the trash are over at `at` (default now)."""
        return self.filter(deleted_at__lte=(at or timezone.now()) - timedelta(days=TRASH_DAYS))

    def breaking(self, *, at: datetime | None = None) -> ArticleQuerySet:
        """Live stories flagged as breaking news at `at` (default now), newest first: the
        banner shows the first. Built on `published()`, so a draft, an unpublished story or one
        scheduled for later never shows, and a scheduled one shows once it goes live."""
        at = at or timezone.now()
        return self.published(at=at).filter(breaking_until__gt=at).order_by("-published_at", "-pk")

    def by_tag(self, slug: str) -> ArticleQuerySet:
        # EXISTS rather than taggit's join, which casts object_id to the story id's type on
        # PostgreSQL and so cannot follow its index from a story to its topics: a topic's
        # newest 20 then meant sorting all of its stories.
        tagged = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Article),
            object_id=OuterRef("pk"),
            tag__slug=slug,
        )
        return self.filter(Exists(tagged))

    def by_author(self, author: Author) -> ArticleQuerySet:
        return self.filter(authors=author)

    def month_rows(self) -> models.QuerySet:
        """Months with published stories, newest first, for the archive and its sitemap: rows
        of {"month", "stories": count, "latest": newest publication time}, not yet run;
        `month_start(row["month"])` is the month's first moment in the site's time zone.

        On SQLite with the site in UTC the month is the stored text's first seven characters:
        TruncMonth there calls a Python function for every story, a second per 100,000.
        """
        live = self.published()
        if connections[live.db].vendor == "sqlite" and settings.TIME_ZONE == "UTC":
            month = Substr("published_at", 1, 7, output_field=models.CharField())
        else:
            month = TruncMonth("published_at")
        return (
            live.annotate(month=month)
            .values("month")
            .annotate(stories=Count("pk"), latest=Max("published_at"))
            .order_by("-month")
        )

    def months(self) -> list[dict]:
        """`month_rows()`, run, each "month" its first moment."""
        return [{**row, "month": month_start(row["month"])} for row in self.month_rows()]

    def with_bylines(self) -> ArticleQuerySet:
        """Prefetch what a feed or a story page shows: authors in byline order, and tags."""
        return self.prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author")),
            "tags",
        )

    def for_listing(self) -> ArticleQuerySet:
        """Prefetch what a listing shows of each story: its authors, in byline order.

        Into a plain list (`to_attr`): Django would otherwise build a queryset per story to
        hold the prefetched rows, a noticeable share of a 20-story page's time. Listings show
        no topics, so they are not fetched.
        """
        return self.prefetch_related(
            Prefetch(
                "bylines",
                queryset=Byline.objects.select_related("author"),
                to_attr="listed_bylines",
            )
        )

    def with_page_data(self) -> ArticleQuerySet:
        """Everything a story page shows: bylines, topics, notes, and the related links with
        where each one leads (`Article.related_for_page()`), in four queries in all."""
        return (
            self.with_bylines()
            .prefetch_related("corrections")
            .annotate(related_json=related_links_json())
        )

    def headline_index(self, headlines: list[str]) -> dict[str, Article]:
        """Articles whose headline matches one of `headlines` (ignoring case), keyed by it."""
        headlines = [h for h in headlines if h]
        if not headlines:
            return {}
        # Exact match always; SQLite's LOWER() folds ASCII only, so case-blind for ASCII there.
        matches = self.annotate(title_key=Lower("title")).filter(
            Q(title__in=headlines) | Q(title_key__in=[h.lower() for h in headlines])
        )
        wanted = {h.casefold() for h in headlines}
        return {
            a.title.casefold(): a
            for a in matches.only("title", "slug")
            if a.title.casefold() in wanted
        }


class JSONList(Aggregate):
    """The rows of a group as one JSON array, as text (SQLite json_group_array, PostgreSQL
    jsonb_agg): lets a handful of child rows ride along with their parent's row."""

    function = "JSON_GROUP_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def related_links_json(*, at: datetime | None = None) -> Subquery:
    """A story's related links as JSON, each with the slug of our own published story of the
    same headline (ignoring case; indexed on LOWER(title)) when the link has no URL, published
    by `at` (default now)."""
    namesake = (
        Article.objects.published(at=at)
        .exclude(pk=OuterRef(OuterRef("pk")))
        .annotate(title_key=Lower("title"))
        .filter(title_key=Lower(OuterRef("title")))
        .order_by("-published_at")
        .values("slug")[:1]
    )
    links = (
        RelatedLink.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(
            data=JSONList(
                JSONObject(
                    id=F("id"),
                    title=F("title"),
                    url=F("url"),
                    position=F("position"),
                    after_paragraph=F("after_paragraph"),
                    target=Case(When(url="", then=Subquery(namesake))),
                )
            )
        )
        .values("data")
    )
    return Subquery(links, output_field=TextField())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    class Type(models.TextChoices):
        """What kind of story it is: a label readers see, and its schema.org type
        (structured_data.SCHEMA_TYPES)."""

        NEWS = "news", pgettext_lazy("story type", "News")
        ANALYSIS = "analysis", pgettext_lazy("story type", "Analysis")
        OPINION = "opinion", pgettext_lazy("story type", "Opinion")
        REVIEW = "review", pgettext_lazy("story type", "Review")
        FACT_CHECK = "fact-check", pgettext_lazy("story type", "Fact check")
        SPONSORED = "sponsored", pgettext_lazy("story type", "Sponsored")

    class AIUse(models.TextChoices):
        NONE = "none", pgettext_lazy("AI use", "No AI used")
        ASSISTED = "assisted", pgettext_lazy("AI use", "AI-assisted")
        GENERATED = "generated", pgettext_lazy("AI use", "AI-generated")

    title = models.CharField("headline", max_length=300)
    slug = models.SlugField(
        "address",
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text="The end of the story's address, filled from the headline: "
        "/news/drones-over-japan/ for \u201cDrones over Japan\u201d. Changing it breaks links "
        "already shared.",
    )
    standfirst = models.TextField(
        blank=True,
        help_text="One or two sentences under the headline, also used in listings and search "
        "results. Plain text.",
    )
    body = models.TextField(
        blank=True,
        help_text="The story. Cleaned on save: only paragraphs, headings, lists, quotes, "
        "emphasis and links are kept.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        db_index=True,
        help_text="Readers see a published story from this time on. Set a future time to "
        "schedule it; it goes live by itself.",
    )
    breaking_until = models.DateTimeField(
        "breaking news until",
        null=True,
        blank=True,
        help_text="While this time is ahead and the story is live, a banner linking to it "
        "shows at the top of every page, then comes down by itself. 2 hours by default, at most "
        "24 (counted from when the story goes live, if it is scheduled), in the newsroom's "
        "time zone. If several stories are flagged, the newest shows.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles", blank=True)
    tags = TaggableManager(
        "topics", blank=True, help_text="Comma-separated topics, e.g. Defence, Japan."
    )

    lead_image = models.ImageField(upload_to="lead-images/%Y/%m/", blank=True)
    # Width and height are read once, at upload (see save()), so a page never opens the image
    # file, and a file gone missing from disk costs a broken image, not a broken page. Not
    # ImageField's width_field: that opens the file whenever a row without them is loaded.
    lead_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_alt = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        help_text="What the image shows, for readers who cannot see it.",
    )
    lead_image_caption = models.CharField("caption", max_length=500, blank=True)
    lead_image_credit = models.CharField("credit", max_length=200, blank=True)
    lead_image_decorative = models.BooleanField(
        "decorative image",
        default=False,
        help_text="Tick only if the image adds nothing a reader would miss; it then needs no "
        "alt text.",
    )
    lead_image_missing = models.BooleanField(
        default=False,
        help_text="The scraped source had an image placeholder but no image. Cleared when "
        "an image is uploaded.",
    )
    lead_image_focal_x = focal_point(
        "focal point across",
        "Where the picture's subject is, from 0 (left edge) to 1 (right edge); 0.5 is the "
        "middle. Crops for search engines and sharing keep this point in view.",
    )
    lead_image_focal_y = focal_point(
        "focal point down", "From 0 (top edge) to 1 (bottom edge); 0.5 is the middle."
    )
    # The image's sized copies and crops, made when the image or its focal point is saved
    # (renditions.make, from prepare()), so a page names them without a query or a disk look.
    lead_image_renditions = models.JSONField(default=dict, blank=True, editable=False)

    live_from = models.DateTimeField(
        "live coverage from",
        null=True,
        blank=True,
        help_text="Makes the story live coverage: readers see a LIVE label and its updates, "
        "newest first, from this time. Leave empty for an ordinary story.",
    )
    live_until = models.DateTimeField(
        "live coverage until",
        null=True,
        blank=True,
        help_text="When the coverage ended (or will end): the LIVE label goes, and the page "
        "says \u201cLive coverage ended at\u201d this time. Empty while it goes on.",
    )

    canonical_url = URLField(
        "canonical URL",
        max_length=500,
        blank=True,
        help_text="Only for a story first published elsewhere: the original's address, so "
        "search engines credit it. Leave empty for our own stories.",
    )

    source_name = models.CharField(
        max_length=255,
        blank=True,
        help_text="The scraped file this story was imported from; empty for stories written here.",
    )
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    import_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="The story's content as last imported, so a re-import can tell whether an "
        "editor has changed it since.",
    )

    article_type = models.CharField(
        "type",
        max_length=20,
        choices=Type,
        default=Type.NEWS,
        help_text="Shown to readers as a label on the story and in listings. Anything other "
        "than News tells them the story is not straight reporting.",
    )
    sponsor_name = models.CharField(
        "paid for by",
        max_length=200,
        blank=True,
        help_text="Sponsored stories only: who paid for it, as readers will see it "
        "(\u201cPaid for by Acme Bank\u201d). Links in a sponsored story are marked as paid.",
    )
    claim_reviewed = models.CharField(
        "claim checked",
        max_length=500,
        blank=True,
        help_text="Fact checks only: the claim, in one short sentence, as it was made.",
    )
    claim_author = models.CharField(
        "claim made by",
        max_length=200,
        blank=True,
        help_text="Fact checks only: the person or organisation who made the claim.",
    )
    claim_date = models.DateField(
        "claim made on",
        null=True,
        blank=True,
        help_text="Fact checks only, optional: when the claim was first made.",
    )
    verdict = models.CharField(
        max_length=100,
        blank=True,
        help_text="Fact checks only: the verdict in a word or two (\u201cFalse\u201d, "
        "\u201cMostly true\u201d), shown to readers.",
    )
    verdict_score = models.PositiveSmallIntegerField(
        "verdict on a scale",
        null=True,
        blank=True,
        choices=[
            (1, "1 \u2013 false"),
            (2, "2 \u2013 mostly false"),
            (3, "3 \u2013 half true"),
            (4, "4 \u2013 mostly true"),
            (5, "5 \u2013 true"),
        ],
        help_text="Fact checks only: the verdict from 1 (false) to 5 (true), for search engines.",
    )
    ai_use = models.CharField(
        "use of AI",
        max_length=20,
        choices=AIUse,
        default=AIUse.NONE,
        help_text="How AI tools were used to make this story. Readers see a label for "
        "AI-assisted and AI-generated stories. An AI-generated story needs a reviewing editor "
        "before it can be published.",
    )
    ai_note = models.CharField(
        "note on AI use",
        max_length=300,
        blank=True,
        help_text="Optional, shown to readers with the label: what the AI did "
        "(\u201cTranslated from Spanish with an AI tool, checked by our staff\u201d). Plain text.",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="reviewing editor",
        help_text="The editor who checked this story and takes responsibility for it. "
        "Required to publish an AI-generated story: choose yourself only if you have read it.",
    )

    created_by = staff_account()
    last_edited_by = staff_account()
    version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Counts saves; a save based on an older version is refused (no lost edits).",
    )
    deleted_at = models.DateTimeField(
        "moved to the trash",
        null=True,
        blank=True,
        editable=False,
        help_text="Set while the story is in the trash: readers don't see it, and it can be "
        f"restored until it has been there {TRASH_DAYS} days.",
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = "story"
        verbose_name_plural = "stories"
        ordering = ["-published_at", "-created_at"]
        permissions = [("publish_article", "Can publish, schedule and unpublish stories")]
        constraints = [
            models.UniqueConstraint(
                fields=["source_name"],
                condition=~Q(source_name=""),
                name="news_article_unique_source_name",
            ),
        ]
        indexes = [
            # Every public listing: live stories, newest first (the ordering's both columns,
            # so a page of 20 is read off the index, however many stories there are).
            # deleted_at last: published() checks it on the index, not on the row (which on
            # SQLite means reading past the body).
            models.Index(
                fields=["status", "published_at", "created_at", "deleted_at"],
                name="news_article_live_idx",
            ),
            # A related link given only as a headline finds our live story of that name (the
            # status and time in the index too, so SQLite's planner prefers it to the one above).
            models.Index(
                Lower("title"), F("status"), F("published_at"), name="news_article_title_lower_idx"
            ),
            # The sitemap counts the stories it lists (ours, not republished ones) off this
            # index alone, however long their bodies. (Not a partial index: SQLite would still
            # read each row to check the condition.)
            models.Index(
                fields=["status", "canonical_url", "published_at", "deleted_at"],
                name="news_article_indexable_idx",
            ),
            # The breaking-news banner and the page cache's next change with time: the few
            # stories ever flagged. Partial, so it stays that small and the planners prefer it
            # to scanning every live story newest first ("breaking_until > now" implies the
            # condition, to SQLite and PostgreSQL alike).
            models.Index(
                fields=["status", "breaking_until"],
                condition=Q(breaking_until__isnull=False),
                name="news_article_breaking_idx",
            ),
            # The page cache asks when the next live coverage starts or ends.
            models.Index(fields=["live_from"], name="news_article_live_from_idx"),
            models.Index(fields=["live_until"], name="news_article_live_until_idx"),
            # The trash, and the stories whose days in it are over.
            models.Index(
                fields=["deleted_at"],
                condition=Q(deleted_at__isnull=False),
                name="news_article_trash_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if (fields := kwargs.get("update_fields")) is not None and "article_type" in fields:
            # The type decides how the body is cleaned (see prepare).
            kwargs["update_fields"] = {*fields, "body"}
        self.prepare(update_fields=kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return slug_url("news:article_detail", self.slug)

    def clean(self) -> None:
        errors = {}
        if self.article_type == self.Type.SPONSORED and not self.sponsor_name.strip():
            errors["sponsor_name"] = "Say who paid for this sponsored story: readers must be told."
        if self.article_type == self.Type.FACT_CHECK:
            for name, what in (
                ("claim_reviewed", "the claim you checked"),
                ("claim_author", "who made the claim"),
                ("verdict", "your verdict"),
                ("verdict_score", "your verdict on the scale"),
            ):
                if getattr(self, name) in (None, ""):
                    errors[name] = f"A fact check needs {what}."
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Where the story was listed when read, and until when it was breaking news, so a save
        # can tell whether that changed.
        instance.listed_as = instance.listing_state()
        instance.breaking_as = instance.__dict__.get("breaking_until")
        # The image as read, so a save can tell it was replaced or cleared (None: not read).
        image = instance.__dict__.get("lead_image")
        instance.lead_image_as = None if image is None else str(image or "")
        return instance

    def listing_state(self) -> tuple:
        """What decides where a story is listed and what finds it by headline (deferred
        fields read as None rather than costing a query)."""
        values = self.__dict__
        return tuple(
            values.get(name)
            for name in (
                "status",
                "published_at",
                "title",
                "slug",
                "live_from",
                "live_until",
                "deleted_at",
            )
        )

    def prepare(self, *, update_fields=None, body_is_clean: bool = False, saves: int = 1) -> None:
        """What every save of a story does to its row before it is written: `save` calls it, and
        `writing.create` calls it for the rows it inserts in bulk, so the rules are said once.

        `body_is_clean`: the body is already what `clean_html` makes of it (the importer builds
        bodies that are; tests/test_importing.py checks that fixed point), so bleach need not
        parse it twice. `saves`: how many saves the write stands for (`writing.prepare` makes a
        new story a draft and publishes it: two).
        """
        sponsored = self.article_type == self.Type.SPONSORED
        if update_fields is None or {"body", "article_type"} & set(update_fields):
            # Every write path (import, admin, shell) stores a clean body; templates trust it.
            # A sponsored story's outbound links are marked rel="sponsored" in the stored body,
            # and a change of type cleans the body again, adding or dropping the mark.
            if sponsored:
                self.body = clean_sponsored_html(self.body)
            elif not body_is_clean:
                self.body = clean_html(self.body)
        # The admin shows and sends back whole seconds: a stored fraction would make the first
        # save of an untouched form look like a change of time.
        for name in ("published_at", "breaking_until", "live_from", "live_until"):
            if moment := getattr(self, name):
                setattr(self, name, to_the_second(moment))
        if self.lead_image:
            self.lead_image_missing = False
        self._measure_lead_image()
        image_fields = {"lead_image", "lead_image_focal_x", "lead_image_focal_y"}
        if update_fields is None or image_fields & set(update_fields):
            self.make_renditions()
        if update_fields is None or "version" in update_fields:
            self.version += saves

    def _measure_lead_image(self) -> None:
        if not self.lead_image:
            self.lead_image_width = self.lead_image_height = None
        elif not self.lead_image._committed or self.lead_image_width is None:
            try:
                self.lead_image_width = self.lead_image.width
                self.lead_image_height = self.lead_image.height
            except (OSError, ValueError):
                self.lead_image_width = self.lead_image_height = None

    def make_renditions(self) -> None:
        """Make the image's copies when the image, or its focal point, is new; schedule the
        replaced image's files for removal once the save is committed."""
        replaced = getattr(self, "lead_image_as", None)
        current = self.lead_image.name if self.lead_image else ""
        if replaced and replaced != current:
            name = replaced
            transaction.on_commit(lambda: remove_image_files(name), using=self._state.db)
        self.lead_image_as = current
        if not self.lead_image:
            self.lead_image_renditions = {}
            return
        focal = renditions.Focal(x=self.lead_image_focal_x, y=self.lead_image_focal_y)
        made = self.lead_image_renditions or {}
        if (
            self.lead_image._committed
            and made.get("original") == current
            and made.get("focal") == [focal.x, focal.y]
        ):
            return
        if not self.lead_image._committed:
            # What FileField.pre_save would do, done first: the copies need the stored name.
            self.lead_image.save(self.lead_image.name, self.lead_image.file, save=False)
        try:
            made = renditions.make(self.lead_image.storage, self.lead_image.name, focal=focal)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            # The form refuses such files; a file gone bad on disk costs the copies (the page
            # shows the original), never the save.
            self.lead_image_renditions = {}
            return
        self.lead_image_renditions = {"original": self.lead_image.name, **made}
        self.lead_image_width, self.lead_image_height = made["width"], made["height"]
        self.lead_image_as = self.lead_image.name

    def canonical(self, absolute) -> str:
        """The one address search engines should index: ours, unless an editor set another."""
        return self.canonical_url or absolute(self.get_absolute_url())

    @property
    def byline(self) -> list[Author]:
        """Authors in byline order (uses the prefetch from `with_bylines()` or `for_listing()`
        when present)."""
        bylines = getattr(self, "listed_bylines", None)
        if bylines is None:
            bylines = self.bylines.all()
        return [b.author for b in bylines]

    @property
    def is_scheduled(self) -> bool:
        return bool(
            self.status == self.Status.PUBLISHED
            and self.published_at
            and self.published_at > timezone.now()
        )

    @property
    def is_live(self) -> bool:
        return bool(
            self.status == self.Status.PUBLISHED
            and self.published_at
            and self.published_at <= timezone.now()
        )

    @property
    def is_breaking(self) -> bool:
        """Live and flagged as breaking news now (the banner shows the newest such story)."""
        return bool(self.is_live and self.breaking_until and self.breaking_until > timezone.now())

    @property
    def is_live_coverage(self) -> bool:
        """Marked as live coverage, whether it has started, goes on or has ended."""
        return self.live_from is not None

    @property
    def live_coverage_on(self) -> bool:
        """The coverage goes on now: readers see the LIVE label and the page polls for updates."""
        now = timezone.now()
        return bool(
            self.live_from
            and self.live_from <= now
            and (self.live_until is None or self.live_until > now)
        )

    @property
    def live_coverage_ended(self) -> bool:
        return bool(self.live_from and self.live_until and self.live_until <= timezone.now())

    @property
    def live_updates(self) -> list[LiveUpdate]:
        """The updates readers see, newest first (`page_updates` when the story page's query
        brought them; otherwise one query, and one for their authors)."""
        updates = getattr(self, "page_updates", None)
        if updates is None:
            updates = list(
                self.updates.for_readers().prefetch_related("authors").order_by("-shown_at", "-id")
            )
            self.page_updates = updates
        return updates

    @property
    def ai_disclosure(self) -> str:
        """The AI-use label and the editor's note in one line, for structured data and feeds
        ("" for a story made without AI)."""
        if self.ai_use == self.AIUse.NONE:
            return ""
        label = str(self.AIUse(self.ai_use).label)
        return f"{label}: {self.ai_note}" if self.ai_note else label

    @property
    def state_label(self) -> str:
        """The status as an editor thinks of it: a published story is "Scheduled" until its
        time comes and "Live" after, with nothing having to run in between."""
        if self.is_scheduled:
            return "Scheduled"
        if self.is_live:
            return "Live"
        return self.get_status_display()

    @property
    def topics(self) -> list[Tag]:
        """The story's topics (`page_topics` when the story page's query brought them)."""
        topics = getattr(self, "page_topics", None)
        return list(self.tags.all()) if topics is None else topics

    @property
    def notes(self) -> list[Correction]:
        """Correction and update notes readers see, oldest first (`page_notes` when the story
        page's query brought them, else prefetched or read)."""
        notes = getattr(self, "page_notes", None)
        if notes is None:
            notes = self.corrections.all()
        now = timezone.now()
        return [note for note in notes if note.noted_at <= now]

    @property
    def modified_at(self):
        """The "Updated" time: the latest correction or update note, never a silent typo fix,
        and on the story page of live coverage its latest update. (Listings and feeds do not
        fetch updates, so there it is the notes alone.)"""
        moments = [note.noted_at for note in self.notes]
        updates = getattr(self, "page_updates", None)
        if updates:
            moments.append(max(update.shown_at for update in updates))
        return max(moments, default=None)

    @property
    def last_editor(self) -> str:
        """Who saved the story last, in editors' words (see `editor_name`)."""
        return editor_name(self.last_edited_by, imported=bool(self.source_name))

    def related_for_page(self) -> list[RelatedLink]:
        """The related links in order, each with `href`: its own URL, else our published story
        of that headline, else "" (shown as plain text). Read from `with_page_data()`'s
        annotation when present, otherwise in one query."""
        if not hasattr(self, "related_json"):
            self.related_json = (
                Article.objects.filter(pk=self.pk)
                .values_list(related_links_json(), flat=True)
                .first()
            )
        links = []
        for row in sorted(
            json.loads(self.related_json or "[]"), key=lambda r: (r["position"], r["id"])
        ):
            link = RelatedLink(
                id=row["id"],
                article=self,
                title=row["title"],
                url=row["url"],
                position=row["position"],
                after_paragraph=row["after_paragraph"],
            )
            target = row.get("target")
            link.href = link.url or (slug_url("news:article_detail", target) if target else "")
            links.append(link)
        return links

    def content_fingerprint(self) -> str:
        """A hash of what an editor can change that an import also writes."""
        return self.fingerprint(self.related_links.all())

    def fingerprint(self, related_links) -> str:
        """`content_fingerprint` with the given related links (rows not yet saved, in bulk)."""
        links = [(r.title, r.url, r.position, r.after_paragraph) for r in related_links]
        canonical = json.dumps([self.title, self.standfirst, self.body, links], ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


class Byline(models.Model):
    """One author on one story; `position` keeps the byline in the order the desk chose."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    objects = ReaderVisibleQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author"], name="news_byline_unique_author_per_article"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.article}"


class RelatedLink(models.Model):
    """A headline the story points readers to: an "Also read" inside the story, after the
    paragraph it is placed after, or one of the "Related stories" listed under it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    title = models.CharField("headline", max_length=300)
    url = URLField(
        "URL",
        max_length=500,
        blank=True,
        help_text="Leave empty when the source gave only a headline; it links to our story "
        "of that headline if we have one.",
    )
    after_paragraph = models.PositiveIntegerField(
        "show after paragraph",
        null=True,
        blank=True,
        help_text="Show it inside the story, after this paragraph of the body: 1 after the "
        "first, 0 at the very top. Headings, lists and quotes are not counted. Leave empty to "
        "list it under \u201cRelated stories\u201d.",
    )
    position = models.PositiveIntegerField(
        "order",
        default=0,
        help_text="Links are shown lowest first, in the list and after the same paragraph. "
        "An import numbers them by the paragraphs before them in the source.",
    )

    objects = ReaderVisibleQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class ChangeLog(models.Model):
    """A line of a log: who made a change, and when, newest first."""

    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    objects = InsertQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-changed_at", "-id"]


class StatusChange(ChangeLog):
    """One move of a story through the workflow: who moved it, from where to where, when."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Article.Status, blank=True)
    to_status = models.CharField(max_length=20, choices=Article.Status)

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or 'new'} \u2192 {self.get_to_status_display()}"


def editor_name(user, *, imported: bool) -> str:
    """Who made a change, as the admin says it: the account's username; else "an import" when
    the change came from an import (the import command runs as nobody); else "a former user",
    whose account has been deleted since (deleting an account keeps its changes, unsigned).

    A story's last save can't always tell the two apart: a change to an imported story by an
    account deleted since also reads "an import". People are deactivated, never deleted, on the
    People screen, so only an administrator deleting an account can cause that.
    """
    if user is not None:
        return user.get_username()
    return "an import" if imported else "a former user"


class Revision(models.Model):
    """What a story said after one save: a snapshot of its words, byline, topics and links."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(help_text="The story's version after this save.")
    snapshot = models.JSONField()
    summary = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = InsertQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="news_revision_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of {self.article}"

    @property
    def saved_by(self) -> str:
        """Who saved this revision, in editors' words (see `editor_name`). The importer's
        summaries say "... by import of <file>" or "Import options: ..."."""
        imported = " by import of " in self.summary or self.summary.startswith("Import options")
        return editor_name(self.created_by, imported=imported)


class Correction(models.Model):
    """A note readers see on a published story. Adding one moves its "Updated" time."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.CORRECTION)
    text = models.TextField(help_text="What was wrong and what is right now. Plain text.")
    noted_at = models.DateTimeField(
        "time", default=timezone.now, help_text="Shown to readers as the story's Updated time."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )

    objects = ReaderVisibleQuerySet.as_manager()

    class Meta:
        ordering = ["noted_at", "id"]
        # The page cache asks for the next note dated in the future.
        indexes = [models.Index(fields=["noted_at"], name="news_correction_noted_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.article}"


class LiveUpdateQuerySet(ReaderVisibleQuerySet):
    def for_readers(self) -> LiveUpdateQuerySet:
        """The updates readers see on a story they may see (`Article.objects.published()`
        decides that): approved and not deleted."""
        return self.filter(status=LiveUpdate.Status.APPROVED, deleted_at__isnull=True)


class LiveUpdate(models.Model):
    """One entry of live coverage: a time, an optional headline, a short clean body, its authors."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an editor"
        APPROVED = "approved", "Approved"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="updates", verbose_name="story"
    )
    shown_at = models.DateTimeField(
        "time",
        default=timezone.now,
        help_text="Shown to readers beside the update; the time it was posted unless you "
        "change it. Not in the future.",
    )
    headline = models.CharField(
        max_length=200, blank=True, help_text="Optional: a few words above the update. Plain text."
    )
    body = models.TextField(
        help_text="The update. Cleaned on save, like a story's body: paragraphs, lists, "
        "quotes, emphasis and links are kept."
    )
    authors = models.ManyToManyField(
        Author,
        related_name="live_updates",
        blank=True,
        help_text="Who wrote it; empty means the story's byline.",
    )
    key_event = models.BooleanField(
        "key event",
        default=False,
        help_text="Listed under \u201cKey events\u201d at the top of the page.",
    )
    pinned = models.BooleanField(
        default=False, help_text="Kept at the top of the updates, above the newest."
    )
    status = models.CharField(
        max_length=20,
        choices=Status,
        default=Status.APPROVED,
        help_text="A writer's update on a published story waits for an editor's approval.",
    )
    created_by = staff_account()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    deleted_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Readers no longer see a deleted update; the record of it stays.",
    )

    objects = LiveUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = "live update"
        ordering = ["-shown_at", "-id"]

    def __str__(self) -> str:
        return self.headline or html_to_text(self.body)[:60] or f"Update {self.pk}"

    def save(self, *args, **kwargs) -> None:
        # Every write path stores a clean body; templates trust it (as Article.prepare does).
        self.body = clean_html(self.body)
        if self.shown_at:
            self.shown_at = self.shown_at.replace(microsecond=0)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self) -> str:
        return f"update-{self.pk}"

    @property
    def text(self) -> str:
        """The body as plain text, for summaries, feeds and structured data."""
        return html_to_text(self.body.replace("<br>", " <br>"))

    @property
    def credits(self) -> list[Author]:
        """Its authors (prefetched or brought by the story page's query) in the order added."""
        authors = getattr(self, "page_authors", None)
        return list(self.authors.all()) if authors is None else authors


class LiveUpdateChange(ChangeLog):
    """Who posted, edited, approved or deleted a live update, and when."""

    class Action(models.TextChoices):
        POSTED = "posted", "Posted"
        EDITED = "edited", "Edited"
        APPROVED = "approved", "Approved"
        DELETED = "deleted", "Deleted"

    update = models.ForeignKey(LiveUpdate, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=20, choices=Action)

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.changed_at:%Y-%m-%d %H:%M}"


class Topic(Tag):
    """Taggit's tag under the name the newsroom uses: the admin's topics screen shows this."""

    class Meta:
        proxy = True
        verbose_name = "topic"
        verbose_name_plural = "topics"


# A proxy's saves signal with the proxy as sender, so receivers for topics take both.
def remove_image_files(name: str) -> None:
    """Delete a lead image that no story uses any more, with its copies."""
    if not name or Article.objects.filter(lead_image=name).exists():
        return
    storage = Article._meta.get_field("lead_image").storage
    renditions.remove(storage, name)
    storage.delete(name)


@receiver(post_delete, sender=Article)
def remove_a_deleted_storys_image(sender, instance: Article, using, **kwargs) -> None:
    """A story deleted for good takes its image and the image's copies with it."""
    if name := instance.__dict__.get("lead_image"):
        name = str(name)
        transaction.on_commit(lambda: remove_image_files(name), using=using)


@receiver(pre_save, sender=Topic)
@receiver(pre_save, sender=Tag)
def give_every_topic_a_slug(sender, instance: Tag, **kwargs) -> None:
    """A topic named only in punctuation ("!!!") slugifies to nothing, and a page address
    can't be empty: such a topic gets a made-up one, so its page and links work."""
    if not instance.slug:
        instance.slug = f"topic-{secrets.token_hex(4)}"
