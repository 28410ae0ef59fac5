"""Sitemaps for search engines, the Google News sitemap, and robots.txt that points at both.

A story's `lastmod` is its last *published* change: the latest correction or update note
readers can see (what `Article.modified_at` reports), else its publication time. `updated_at`
is not used: it moves on every save, a draft of a later edit included, and a crawler told the
page changed would find it had not. Stories whose canonical address is elsewhere (republished
from another outlet) are left out: a sitemap lists only the addresses we want indexed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Max, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.cache import cache_control
from taggit.models import Tag, TaggedItem

from newsroom import pagecache

from . import cachetags
from .addresses import topic_url
from .models import Article, Author, Byline, Correction, month_start

# Google News reads stories first published in the last two days, at most 1,000 per sitemap.
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000

# The sitemap protocol's most sitemaps in one index.
SITEMAPS_PER_INDEX = 50_000

# Crawlers may skip these: the admin, shared draft previews and search results.
ROBOTS_DISALLOW = ("/admin/", "/preview/", "/search/")

# Sitemaps and robots.txt are public and read by robots: a minute in any cache, as the pages.
public_cache = cache_control(public=True, max_age=60)
# Every sitemap lists stories, topics or authors with their last change.
SITEMAP_TAGS = (cachetags.STORIES, cachetags.TOPICS, cachetags.SITEMAPS)


def _seconds(moment: datetime) -> datetime:
    """Whole seconds: W3C datetimes without a fraction, as Google's examples write them."""
    return moment.replace(microsecond=0)


def _indexable_stories():
    return Article.objects.published().filter(canonical_url="")


def _latest_publication(**story_filter) -> Subquery:
    """The newest published story's time for each row of the outer query."""
    return Subquery(
        Article.objects.published()
        .filter(**story_filter)
        .order_by("-published_at")
        .values("published_at")[:1]
    )


def _newest(stories) -> Subquery:
    """The newest publication time of `stories`, read from the top of the live index."""
    return Subquery(stories.order_by("-published_at").values("published_at")[:1])


def _story_topics():
    """The taggings of the story in the outer query."""
    return TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Article), object_id=OuterRef("pk")
    )


def _summary_of(rows, *, newest: Subquery) -> dict:
    """How many `rows` there are, and `newest` (one value for all of them), in one query.

    Counting topics or authors that have a published story by joining every story to its
    taggings or bylines grows with the archive; asking each topic or author whether it has one
    (EXISTS, usually answered by its newest story) grows only with the topics or authors.
    """
    return rows.aggregate(count=Count("pk"), latest=Max(newest))


class SummarisedSitemap(Sitemap):
    """A section that says how many pages it has and when it last changed in one query.

    The sitemap index asks every section both; Django would count the rows, then load them all
    to find the latest lastmod (every story, for the stories section). A page holds 1,000
    addresses, not the protocol's 50,000: a page then takes the same time to make however many
    stories there are, and the index lists one more page per thousand.
    """

    limit = 1000

    def summary(self) -> dict:
        """{"count": rows, "latest": the newest lastmod or None}."""
        raise NotImplementedError

    @cached_property
    def _summary(self) -> dict:
        return self.summary()

    def get_latest_lastmod(self) -> datetime | None:
        latest = self._summary["latest"]
        return _seconds(latest) if latest else None

    @property
    def paginator(self) -> Paginator:
        paginator = Paginator(self._items(), self.limit)
        paginator.count = self._summary["count"]  # instead of a COUNT query of its own
        return paginator


class StorySitemap(SummarisedSitemap):
    def items(self):
        # The same rule as Article.modified_at (notes readers can see). A subquery per row of
        # the page, not a join and GROUP BY over every story: the page is read off the index.
        last_note = (
            Correction.objects.filter(article=OuterRef("pk"), noted_at__lte=timezone.now())
            .order_by("-noted_at")
            .values("noted_at")[:1]
        )
        return (
            _indexable_stories()
            .annotate(last_note_at=Subquery(last_note))
            .only("slug", "published_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, item: Article) -> datetime:
        return _seconds(item.last_note_at or item.published_at)

    def summary(self) -> dict:
        stories = _indexable_stories()
        # Newest note first, down the noted_at index, until one is on an indexable story.
        notes = Correction.objects.filter(
            Exists(stories.filter(pk=OuterRef("article_id"))), noted_at__lte=timezone.now()
        )
        # Counted in the order of the index of indexable stories (0010): PostgreSQL then reads
        # the index alone, where a bare COUNT makes it read every story's row. The limit is the
        # most an index can list (50,000 sitemaps), so it never cuts the count short.
        summary = (
            stories.order_by("-published_at")
            .values("published_at")[: SITEMAPS_PER_INDEX * self.limit]
            .aggregate(count=Count("published_at"), published=Max("published_at"))
        )
        noted = notes.order_by("-noted_at").values_list("noted_at", flat=True).first()
        moments = [m for m in (summary["published"], noted) if m]
        return {"count": summary["count"], "latest": max(moments, default=None)}


class TopicSitemap(SummarisedSitemap):
    """Topics with at least one published story (an empty topic page is a 404)."""

    def items(self):
        return (
            Tag.objects.annotate(
                latest=_newest(
                    Article.objects.published().filter(
                        Exists(_story_topics().filter(tag=OuterRef(OuterRef("pk"))))
                    )
                )
            )
            .filter(latest__isnull=False)
            .order_by("name", "pk")
        )

    def location(self, item: Tag) -> str:
        return topic_url(item.slug)

    def lastmod(self, item: Tag) -> datetime:
        return _seconds(item.latest)

    def summary(self) -> dict:
        published = Article.objects.published()
        return _summary_of(
            Tag.objects.filter(Exists(published.filter(tags=OuterRef("pk")))),
            newest=_newest(published.filter(Exists(_story_topics()))),
        )


class AuthorSitemap(SummarisedSitemap):
    """Authors with at least one published story (an empty author page is noindex)."""

    def items(self):
        return (
            Author.objects.annotate(latest=_latest_publication(authors=OuterRef("pk")))
            .filter(latest__isnull=False)
            .order_by("name", "pk")
        )

    def lastmod(self, item: Author) -> datetime:
        return _seconds(item.latest)

    def summary(self) -> dict:
        published = Article.objects.published()
        return _summary_of(
            Author.objects.filter(Exists(published.filter(authors=OuterRef("pk")))),
            newest=_newest(published.filter(Exists(Byline.objects.filter(article=OuterRef("pk"))))),
        )


class ArchiveSitemap(SummarisedSitemap):
    """Months with published stories, in the site's time zone as the archive pages count them."""

    def items(self):
        return Article.objects.month_rows()

    def location(self, item: dict) -> str:
        month = timezone.localtime(month_start(item["month"]))
        return reverse("news:archive_month", kwargs={"year": month.year, "month": month.month})

    def lastmod(self, item: dict) -> datetime:
        return _seconds(item["latest"])

    def summary(self) -> dict:
        # The months from the first story to the latest: at least as many as have stories, and
        # read off the index, where counting the months with stories would truncate every
        # story's date. (A page holds 83 years of months, so the difference never shows.)
        published = Article.objects.published()
        # The oldest story's row, with the newest's time beside it: two steps down the index,
        # where min() and max() side by side in one aggregate make SQLite read every story.
        span = (
            published.order_by("published_at")
            .values(first=F("published_at"), latest=Subquery(_newest(published)))
            .first()
        ) or {"latest": None}
        if span["latest"] is None:
            return {"count": 0, "latest": None}
        first, latest = timezone.localtime(span["first"]), timezone.localtime(span["latest"])
        months = (latest.year - first.year) * 12 + latest.month - first.month + 1
        return {"count": months, "latest": span["latest"]}


SECTIONS = {
    "stories": StorySitemap,
    "topics": TopicSitemap,
    "authors": AuthorSitemap,
    "archive": ArchiveSitemap,
}


@public_cache
def sitemap_index(request: HttpRequest) -> HttpResponse:
    pagecache.tag(request, *SITEMAP_TAGS)
    return sitemap_views.index(request, SECTIONS, sitemap_url_name="news:sitemap_section")


@public_cache
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    pagecache.tag(request, *SITEMAP_TAGS)
    # Django's own template writes lastmod as a date only; ours keeps the time, so a
    # correction made on the day of publication still moves it.
    return sitemap_views.sitemap(
        request, SECTIONS, section=section, template_name="news/sitemap.xml"
    )


@dataclass(frozen=True)
class NewsEntry:
    location: str
    title: str
    published: str


def news_language(language_code: str) -> str:
    """Google News wants an ISO 639 code ("en" for "en-gb"); Chinese alone keeps its script,
    as zh-cn (Simplified) or zh-tw (Traditional)."""
    code = language_code.lower().replace("_", "-")
    language, _, variant = code.partition("-")
    if language == "zh":
        return "zh-tw" if variant in {"tw", "hk", "mo", "hant"} else "zh-cn"
    return language


@public_cache
@sitemap_views.x_robots_tag
def news_sitemap(request: HttpRequest) -> HttpResponse:
    pagecache.tag(request, *SITEMAP_TAGS)
    since = timezone.now() - NEWS_WINDOW
    stories = (
        _indexable_stories()
        .filter(published_at__gte=since)
        .only("title", "slug", "published_at")
        .order_by("-published_at", "-pk")[:NEWS_LIMIT]
    )
    entries = [
        NewsEntry(
            location=request.build_absolute_uri(story.get_absolute_url()),
            title=story.title,
            published=timezone.localtime(story.published_at).isoformat(timespec="seconds"),
        )
        for story in stories
    ]
    context = {
        "publication": settings.NEWSROOM_SITE_NAME,
        "language": news_language(settings.LANGUAGE_CODE),
        "entries": entries,
    }
    return render(request, "news/news_sitemap.xml", context, content_type="application/xml")


@public_cache
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), ""]
    lines += [
        f"Sitemap: {request.build_absolute_uri(reverse(name))}"
        for name in ("news:sitemap", "news:news_sitemap")
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
