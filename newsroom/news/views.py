"""Readers' pages. Every one starts from `Article.objects.published()`."""

from datetime import date, datetime, time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.cache import cache_control
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from newsroom import pagecache

from . import cachetags, inline, renditions, storypage, structured_data
from .models import Article, Author

PAGE_SIZE = 20
# What a story without a lead image shares on social networks.
LOGO = "news/logo.png"
# How wide the lead image is shown (static/css/site.css): the story's 42rem column, or the
# screen less the page's 1rem margins. The browser picks the copy from this before any CSS.
LEAD_IMAGE_SIZES = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"
# The newest updates a live page's poll brings back: more than could be posted between polls.
FRAGMENT_UPDATES = 20
# How long browsers may keep a page of live coverage under way and its updates fragment, so a
# reader coming back soon sees new updates (the fragment's script revalidates on every poll
# anyway, and gets a 304 when nothing changed).
LIVE_MAX_AGE = 10
# A listing counts its stories only this many pages past the one asked for: a topic of 5,000
# stories costs a page of 20 the same as one of 300. Past that, the page says "Page 3", not
# "Page 3 of 250", and still links to the next.
COUNT_AHEAD_PAGES = 10

# Public pages may be kept by browsers and shared caches for a minute: a scheduled story shows
# up at most that late, and a reader's next visit usually costs a 304. The consent middleware
# adds `Vary: Cookie`, so a reader who has chosen never gets the page with the banner.
public_cache = method_decorator(cache_control(public=True, max_age=60), name="dispatch")


class LookaheadPaginator(Paginator):
    """A paginator that counts no further than `count_limit` rows.

    `exact` says whether `count` (and so `num_pages`) is the true total. When it is not, the
    count is one more than the limit, so the pages up to the limit are valid and the last of
    them has a next page; a page past the real end is still a 404, found by the count.
    """

    def __init__(self, object_list, per_page, *, count_limit: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_limit = count_limit

    @cached_property
    def count(self) -> int:
        # One COUNT over a LIMITed, unordered subquery: stops after count_limit + 1 rows
        # instead of sorting every story of a busy topic first.
        return self.object_list.order_by()[: self.count_limit + 1].count()

    @property
    def exact(self) -> bool:
        return self.count <= self.count_limit


class LookaheadPaginationMixin:
    """For ListView: a `LookaheadPaginator` reaching COUNT_AHEAD_PAGES past the page asked
    for (a page number that is not a number counts as the first: it becomes a 404 anyway)."""

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kw):
        asked = self.request.GET.get(self.page_kwarg) or self.kwargs.get(self.page_kwarg) or 1
        try:
            number = max(int(asked), 1)
        except (TypeError, ValueError):
            number = 1
        return LookaheadPaginator(
            queryset,
            per_page,
            count_limit=(number + COUNT_AHEAD_PAGES) * per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            **kw,
        )


@public_cache
class ArticleListView(LookaheadPaginationMixin, ListView):
    template_name = "news/article_list.html"
    context_object_name = "articles"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pagecache.tag(self.request, cachetags.STORIES, *cachetags.of_listing(context["articles"]))
        return context


@public_cache
class ArticleDetailView(DetailView):
    template_name = "news/article_detail.jinja"
    template_engine = "jinja2"
    context_object_name = "article"

    def get_object(self, queryset=None):
        # Everything the page shows, in one query whose SQL is built once (storypage.py).
        article = storypage.live_story(self.kwargs["slug"])
        if article is None:
            raise Http404("No story found matching the query")
        return article

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Where each related headline leads comes with the story's own row (one query in all).
        links = self.object.related_for_page()
        # Links placed in the story are shown between its paragraphs; the rest under it.
        context["body_parts"], context["related_links"] = inline.place(self.object.body, links)
        absolute = self.request.build_absolute_uri
        context["canonical"] = self.object.canonical(absolute)
        context.update(
            lead_image_context(
                self.object,
                original_url=self.lead_image_url,
                url_for=self.rendition_url,
                absolute=absolute,
            )
        )
        context["structured_data"] = structured_data.for_story(self.object, absolute=absolute)
        if self.object.is_live_coverage:
            context.update(live_context(self.object))
        pagecache.tag(self.request, *cachetags.of_story_page(self.object, links))
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if self.object.live_coverage_on:
            # The shorter of this and public_cache's max-age wins (patch_cache_control).
            patch_cache_control(response, max_age=LIVE_MAX_AGE)
        return response

    def lead_image_url(self) -> str:
        return self.object.lead_image.url

    def rendition_url(self, name: str) -> str:
        return self.object.lead_image.storage.url(name)


def lead_image_context(article: Article, *, original_url, url_for, absolute) -> dict:
    """What the story template shows of the lead image: `lead_picture` (its sized copies for
    <picture>, None when it has none, and the original is shown as it is), `lead_image_url`
    (the original) and `share_image` with its size (the 1200x630 sharing crop, else the
    original, else the site's logo). `url_for` turns a copy's stored name into an address."""
    if not article.lead_image:
        return {"lead_image_url": "", "lead_picture": None, "share_image": absolute(static(LOGO))}
    made = article.lead_image_renditions
    card = renditions.crop(made, "card")
    return {
        "lead_image_url": original_url(),
        "lead_picture": renditions.picture(made, url_for),
        "share_image": absolute(url_for(card["name"]) if card else original_url()),
        "share_image_size": card,
        "lead_image_sizes": LEAD_IMAGE_SIZES,
    }


def live_context(article: Article) -> dict:
    """What a live story's page shows of its updates: the key events, the pinned ones, then
    the rest newest first."""
    updates = article.live_updates
    return {
        "key_events": [u for u in updates if u.key_event],
        "pinned_updates": [u for u in updates if u.pinned],
        "live_updates": [u for u in updates if not u.pinned],
        "poll_seconds": settings.NEWSROOM_LIVE_POLL_SECONDS,
    }


@method_decorator(cache_control(public=True, max_age=LIVE_MAX_AGE), name="dispatch")
class LiveUpdatesView(DetailView):
    """A live story's newest updates as a fragment of HTML, for its page's script to poll: a
    cached page like any other, so a poll that finds nothing new costs no SQL."""

    template_name = "news/live_updates.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        article = storypage.live_story(self.kwargs["slug"])
        if article is None or not article.is_live_coverage:
            raise Http404("No live coverage found matching the query")
        return article

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["live_updates"] = self.object.live_updates[:FRAGMENT_UPDATES]
        pagecache.tag(self.request, *cachetags.of_updates(self.object))
        return context


@public_cache
class ArchiveIndexView(ListView):
    """Every month with published stories, newest first, with a count for each."""

    template_name = "news/archive_index.html"
    context_object_name = "months"

    def get_queryset(self):
        pagecache.tag(self.request, cachetags.STORIES)
        return Article.objects.months()


@public_cache
class ArchiveMonthView(ListView):
    """One month's stories; a month with none is a 404, not a thin page.

    A plain list rather than MonthArchiveView, which spends three more queries on a list of
    days and an emptiness check that no page shows.
    """

    template_name = "news/archive_month.html"
    context_object_name = "articles"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        try:
            self.month = date(self.kwargs["year"], self.kwargs["month"], 1)
            following = date(self.month.year + self.month.month // 12, self.month.month % 12 + 1, 1)
        except ValueError:
            raise Http404("No such month") from None
        self.start, self.end = _month_start(self.month), _month_start(following)
        return (
            Article.objects.published()
            .filter(published_at__gte=self.start, published_at__lt=self.end)
            .for_listing()
            .order_by("-published_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["paginator"].count:
            raise Http404("No stories were published that month.")
        published = Article.objects.published()
        before = published.filter(published_at__lt=self.start).order_by("-published_at")
        after = published.filter(published_at__gte=self.end).order_by("published_at")
        # The previous and next months depend on every story, not just this month's.
        pagecache.tag(self.request, cachetags.STORIES, *cachetags.of_listing(context["articles"]))
        return {
            **context,
            "month": self.month,
            "previous_month": _month_of(before.values_list("published_at", flat=True).first()),
            "next_month": _month_of(after.values_list("published_at", flat=True).first()),
        }


def _month_start(day: date) -> datetime:
    """Midnight on `day` in the site's time zone, where the archive's months begin."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _month_of(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    return timezone.localtime(moment).date().replace(day=1)


@public_cache
class TagListView(ListView):
    template_name = "news/tag_list.html"
    context_object_name = "tags"

    def get_queryset(self):
        pagecache.tag(self.request, cachetags.TOPICS)
        published = Article.objects.published().values("pk")
        return (
            Tag.objects.annotate(
                story_count=Count(
                    "taggit_taggeditem_items",
                    filter=Q(
                        taggit_taggeditem_items__content_type=ContentType.objects.get_for_model(
                            Article
                        ),
                        taggit_taggeditem_items__object_id__in=published,
                    ),
                )
            )
            .filter(story_count__gt=0)
            .order_by("name")
        )


@public_cache
class TagDetailView(LookaheadPaginationMixin, ListView):
    """Published stories with one tag; a tag with none (or only drafts) is a 404."""

    template_name = "news/tag_detail.html"
    context_object_name = "articles"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return Article.objects.published().by_tag(self.tag.slug).for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tag=self.tag, **kwargs)
        # Judged from the paginator's count rather than ListView's allow_empty, which spends
        # a query of its own on asking.
        if not context["paginator"].count:
            raise Http404("No published stories with this tag.")
        listing = cachetags.of_listing(context["articles"])
        pk = self.tag.pk
        pagecache.tag(self.request, cachetags.topic(pk), cachetags.topic_stories(pk), *listing)
        return context


@public_cache
class AuthorDetailView(LookaheadPaginationMixin, ListView):
    template_name = "news/author_detail.html"
    context_object_name = "articles"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return Article.objects.published().by_author(self.author).for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(author=self.author, **kwargs)
        context["structured_data"] = structured_data.profile_page(
            self.author, absolute=self.request.build_absolute_uri
        )
        listing = cachetags.of_listing(context["articles"])
        pk = self.author.pk
        pagecache.tag(self.request, cachetags.author(pk), cachetags.author_stories(pk), *listing)
        return context
