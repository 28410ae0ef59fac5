"""RSS 2.0 and Atom feeds: the latest stories, the latest on one topic or by one author, and the
updates of one live story (Atom).

Django's feed API carries one author per item; a story can have several, so the generators
below write every one, in byline order: an Atom `<author>` each (name and page), and in RSS a
Dublin Core `<dc:creator>` each, because RSS's own `<author>` must be an e-mail address. A
story with no named author is credited to the desk byline, so every Atom entry has an author.
Summaries are the standfirst, which is plain text: it is HTML-escaped because both formats
read a summary as HTML. A sponsored story's summary starts by saying who paid, and an
AI-assisted or AI-generated one with its AI-use disclosure; the first category of a story that is
not plain news is its type.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from taggit.models import Tag

from newsroom import pagecache

from . import cachetags, storypage
from .addresses import topic_url
from .models import Article, Author, LiveUpdate
from .templatetags.news_tags import clip

FEED_LENGTH = 50
# The request a feed is being written for: Django's feed API hands `items()` no request, and
# the page cache wants the stories it lists named on it.
_request: ContextVar = ContextVar("newsroom_feed_request", default=None)
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


@dataclass(frozen=True)
class Credit:
    """One name in a story's byline; `path` is the author's page, empty for the desk."""

    name: str
    path: str = ""


class RssWithCreators(Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DUBLIN_CORE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for credit in item["credits"]:
            handler.addQuickElement("dc:creator", credit.name)


class AtomWithAuthors(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for credit in item["credits"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", credit.name)
            if credit.path:
                # Resolved against the feed's own absolute link, so it carries its host.
                handler.addQuickElement("uri", urljoin(self.feed["link"], credit.path))
            handler.endElement("author")


# Readers' apps poll feeds often: let them and shared caches keep one for a minute, as the
# pages are kept, so a scheduled story shows up at most that late.
@method_decorator(cache_control(public=True, max_age=60), name="__call__")
class LatestRssFeed(Feed):
    feed_type = RssWithCreators
    item_guid_is_permalink = True

    @property
    def language(self) -> str:
        return settings.LANGUAGE_CODE

    def title(self, obj) -> str:
        return f"{settings.NEWSROOM_SITE_NAME}: latest stories"

    def link(self, obj) -> str:
        return reverse("news:home")

    def description(self, obj) -> str:
        return settings.NEWSROOM_SITE_DESCRIPTION

    def subtitle(self, obj) -> str:
        # Atom's name for the description; RSS ignores it.
        return self.description(obj)

    def stories(self, obj):
        return Article.objects.published()

    def listing_tags(self, obj) -> set[str]:
        return {cachetags.STORIES}

    def get_feed(self, obj, request):
        token = _request.set(request)
        try:
            return super().get_feed(obj, request)
        finally:
            _request.reset(token)

    def items(self, obj):
        # Corrections are prefetched for `modified_at`: the query count does not grow with items.
        stories = self.stories(obj).with_bylines().prefetch_related("corrections")[:FEED_LENGTH]
        stories = list(stories)
        request = _request.get()
        if request is not None:
            pagecache.tag(request, *self.listing_tags(obj), *cachetags.of_listing(stories))
        return stories

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        # Disclosures first, so a reader's app shows them even when it cuts the summary short.
        with translation.override(self.language):
            lines = []
            if item.article_type == Article.Type.SPONSORED:
                paid = _("Sponsored content, paid for by %(sponsor)s.")
                lines.append(paid % {"sponsor": item.sponsor_name})
            if item.ai_disclosure:
                lines.append(f"{item.ai_disclosure.rstrip('.')}.")
            return escape(" ".join([*lines, item.standfirst]).strip())

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.modified_at or item.published_at

    def item_categories(self, item: Article) -> list[str]:
        # A story that is not plain news says its type first ("Opinion", "Fact check").
        topics = [tag.name for tag in item.tags.all()]
        if item.article_type == Article.Type.NEWS:
            return topics
        with translation.override(self.language):
            return [str(Article.Type(item.article_type).label), *topics]

    def item_extra_kwargs(self, item: Article) -> dict:
        credits = [Credit(a.name, a.get_absolute_url()) for a in item.byline]
        return {"credits": credits or [Credit(settings.NEWSROOM_DESK_BYLINE)]}


class LatestAtomFeed(LatestRssFeed):
    feed_type = AtomWithAuthors


class TagRssFeed(LatestRssFeed):
    """A topic with no published story has no feed (a 404), as it has no page."""

    def get_object(self, request, slug: str) -> Tag:
        tag = get_object_or_404(Tag, slug=slug)
        if not Article.objects.published().by_tag(tag.slug).exists():
            raise Http404("No published stories with this tag.")
        return tag

    def title(self, obj: Tag) -> str:
        return f"{settings.NEWSROOM_SITE_NAME}: {obj.name}"

    def link(self, obj: Tag) -> str:
        return topic_url(obj.slug)

    def description(self, obj: Tag) -> str:
        return f"The latest stories about {obj.name} from {settings.NEWSROOM_SITE_NAME}."

    def stories(self, obj: Tag):
        return Article.objects.published().by_tag(obj.slug)

    def listing_tags(self, obj: Tag) -> set[str]:
        return {cachetags.topic(obj.pk), cachetags.topic_stories(obj.pk)}


class TagAtomFeed(TagRssFeed):
    feed_type = AtomWithAuthors


class AuthorRssFeed(LatestRssFeed):
    """An author with no published story yet has an empty feed, as their page is empty."""

    def get_object(self, request, slug: str) -> Author:
        return get_object_or_404(Author, slug=slug)

    def title(self, obj: Author) -> str:
        return f"{settings.NEWSROOM_SITE_NAME}: stories by {obj.name}"

    def link(self, obj: Author) -> str:
        return obj.get_absolute_url()

    def description(self, obj: Author) -> str:
        return f"The latest stories by {obj.name} for {settings.NEWSROOM_SITE_NAME}."

    def stories(self, obj: Author):
        return Article.objects.published().by_author(obj)

    def listing_tags(self, obj: Author) -> set[str]:
        return {cachetags.author(obj.pk), cachetags.author_stories(obj.pk)}


class AuthorAtomFeed(AuthorRssFeed):
    feed_type = AtomWithAuthors


@method_decorator(cache_control(public=True, max_age=60), name="__call__")
class LiveUpdatesFeed(Feed):
    """A live story's updates, newest first: each entry one update, its link the update's
    anchor on the story page, its content the update's clean body."""

    feed_type = AtomWithAuthors

    @property
    def language(self) -> str:
        return settings.LANGUAGE_CODE

    def get_object(self, request, slug: str) -> Article:
        article = storypage.live_story(slug)
        if article is None or not article.is_live_coverage:
            raise Http404("No live coverage found matching the query")
        pagecache.tag(request, *cachetags.of_updates(article))
        return article

    def title(self, obj: Article) -> str:
        return f"{obj.title}: live updates"

    def link(self, obj: Article) -> str:
        return obj.get_absolute_url()

    def subtitle(self, obj: Article) -> str:
        return obj.standfirst

    def items(self, obj: Article) -> list[LiveUpdate]:
        return obj.live_updates[:FEED_LENGTH]

    def item_title(self, item: LiveUpdate) -> str:
        return item.headline or clip(item.text, 110)

    def item_link(self, item: LiveUpdate) -> str:
        return f"{item.article.get_absolute_url()}#{item.anchor}"

    def item_description(self, item: LiveUpdate) -> str:
        # Cleaned by markup.sanitize when saved; Atom carries it as HTML.
        return item.body

    def item_pubdate(self, item: LiveUpdate):
        return item.shown_at

    def item_updateddate(self, item: LiveUpdate):
        return item.shown_at

    def item_extra_kwargs(self, item: LiveUpdate) -> dict:
        authors = item.credits or item.article.byline
        credits = [Credit(a.name, a.get_absolute_url()) for a in authors]
        return {"credits": credits or [Credit(settings.NEWSROOM_DESK_BYLINE)]}
