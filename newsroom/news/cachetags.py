"""The page-cache tags of stories, authors and topics: what a page names, and what a change retires.

A page is tagged with the rows it shows (`story-12`, `author-3`, `topic-5`) and with the
listings it is made of (`stories`: which stories are live and in what order; `topic-5-stories`,
`author-3-stories`: one topic's or author's list). A change retires the tags of what it changed
and nothing else: an edit retires `story-12` (the story's page and every listing line showing
it); publishing, unpublishing or rescheduling it, or moving it to the trash and back, also
retires the listings it joins or leaves (`Article.listing_state()` holds what decides them);
an author rename retires `author-3` (every page that shows the name). A related link given only
as a headline leads to our live story of that headline, so a story page also carries a
`headline-…` tag for each such link, retired when a story of that headline comes or goes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from taggit.models import Tag, TaggedItem

from newsroom import pagecache

from .models import Article, Author, Byline, Correction, RelatedLink

# Which stories are live, in what order: the home page, the archive, the latest feeds.
STORIES = "stories"
# The topic list and its counts.
TOPICS = "topics"
# Sitemaps list every story, topic and author with their last change.
SITEMAPS = "sitemaps"


def story(pk: int) -> str:
    return f"story-{pk}"


def author(pk: int) -> str:
    return f"author-{pk}"


def topic(pk: int) -> str:
    return f"topic-{pk}"


def topic_stories(pk: int) -> str:
    return f"topic-{pk}-stories"


def author_stories(pk: int) -> str:
    return f"author-{pk}-stories"


def links(pk: int) -> str:
    """A story's related links, shown on its page alone."""
    return f"story-{pk}-links"


def headline(title: str) -> str:
    """Related links find our story of the same headline ignoring case."""
    return "headline-" + hashlib.sha256(title.casefold().encode()).hexdigest()[:16]


# --- What pages show ---


def of_listing(articles: Iterable[Article]) -> set[str]:
    """A list of stories with their bylines (as `for_listing()` or `with_bylines()` fetch)."""
    tags: set[str] = set()
    for article in articles:
        tags.add(story(article.pk))
        tags.update(author(a.pk) for a in article.byline)
    return tags


def of_story_page(article: Article, related_links: Iterable[RelatedLink]) -> set[str]:
    tags = of_listing([article])
    tags.update(topic(t.pk) for t in article.topics)
    tags.add(links(article.pk))
    tags.update(headline(link.title) for link in related_links if not link.url)
    return tags


# --- What changes retire ---


def _listing_tags(pks: Iterable[int]) -> set[str]:
    """Everything a story joining or leaving the live set retires, for stories `pks`: two
    queries for their topics and authors."""
    pks = list(pks)
    if not pks:
        return set()
    tags = {STORIES, SITEMAPS, TOPICS, *map(story, pks)}
    articles = ContentType.objects.get_for_model(Article)
    topics = TaggedItem.objects.filter(content_type=articles, object_id__in=pks)
    tags.update(map(topic_stories, topics.values_list("tag_id", flat=True).distinct()))
    authors = Byline.objects.filter(article_id__in=pks).values_list("author_id", flat=True)
    tags.update(map(author_stories, authors.distinct()))
    return tags


def article_changed(article: Article, *, created: bool = False, deleted: bool = False) -> None:
    tags = {story(article.pk), SITEMAPS}
    before = getattr(article, "listed_as", None)
    if created or deleted or before != article.listing_state():
        tags |= _listing_tags([article.pk])
        tags.add(headline(article.title))
        if before is not None and before[2]:
            tags.add(headline(before[2]))
    article.listed_as = article.listing_state()
    pagecache.retire(tags)


def articles_tags(rows: Iterable[tuple[int, str]]) -> set[str]:
    """Bulk writes of stories (pk, headline): no earlier state to compare, so everything."""
    rows = list(rows)
    return _listing_tags(pk for pk, _ in rows) | {headline(t) for _, t in rows}


def byline_tags(article_id: int, author_id: int) -> set[str]:
    return {story(article_id), author_stories(author_id), SITEMAPS}


def author_tags(pk: int) -> set[str]:
    return {author(pk), author_stories(pk), SITEMAPS}


def note_tags(article_id: int) -> set[str]:
    """A correction or update note: the story's page and its lines in listings and feeds (the
    "Updated" time)."""
    return {story(article_id), SITEMAPS}


def topic_tags(pk: int) -> set[str]:
    return {topic(pk), topic_stories(pk), TOPICS, SITEMAPS}


def tagging_tags(article_ids: Iterable[int], topic_ids: Iterable[int]) -> set[str]:
    return {TOPICS, SITEMAPS, *map(story, article_ids), *map(topic_stories, topic_ids)}


# What of each row a bulk write's tags are made of, and how.
_ROW_FIELDS = {
    Byline: ("article_id", "author_id"),
    Author: ("pk",),
    RelatedLink: ("article_id",),
    Correction: ("article_id",),
}
_ROW_TAGS = {Byline: byline_tags, Author: author_tags, RelatedLink: links, Correction: note_tags}


def rows_tags(sender, *, queryset=None, objects=None, **kwargs) -> set[str]:
    """The tags of `sender` rows a bulk write (update, bulk_create, bulk_update) touches: from
    the objects in hand, or read before the write (an update's filter may not match after).
    A receiver of `models.rows_written`."""
    fields = ("pk", "title") if sender is Article else _ROW_FIELDS.get(sender)
    if fields is None:
        return set()
    if objects is not None:
        rows = {tuple(getattr(o, f) for f in fields) for o in objects}
    else:
        rows = set(queryset.values_list(*fields))
    if sender is Article:
        # Two queries for the whole batch, not two a story.
        return articles_tags(rows)
    tags: set[str] = set()
    for row in rows:
        made = _ROW_TAGS[sender](*row)
        tags |= {made} if isinstance(made, str) else made
    return tags


# --- Changes that come with time ---


def next_change(now: datetime) -> datetime | None:
    """The next moment a reader could see something new without anyone saving anything: a
    scheduled story's publication time, or a correction note dated in the future. One indexed
    query (news_article status+published_at, news_correction noted_at)."""
    stories = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=now, deleted_at__isnull=True
    )
    notes = Correction.objects.filter(noted_at__gt=now)
    soonest = (
        stories.order_by()
        .values_list("published_at", flat=True)
        .union(notes.order_by().values_list("noted_at", flat=True))
        .order_by("published_at")[:1]
    )
    return next(iter(soonest), None)


def due(since: datetime, until: datetime) -> set[str]:
    """The tags of stories that went live, and notes that appeared, in (since, until]."""
    live = Article.objects.filter(
        status=Article.Status.PUBLISHED,
        published_at__gt=since,
        published_at__lte=until,
        deleted_at__isnull=True,
    ).values_list("pk", "title")
    rows = list(live)
    tags = _listing_tags(pk for pk, _ in rows) | {headline(t) for _, t in rows}
    notes = Correction.objects.filter(noted_at__gt=since, noted_at__lte=until)
    for article_id in notes.values_list("article_id", flat=True).distinct():
        tags |= {story(article_id), SITEMAPS}
    return tags


# --- Receivers, connected in NewsConfig.ready() ---


def article_saved(sender, instance: Article, created: bool = False, **kwargs) -> None:
    article_changed(instance, created=created)


def article_deleted(sender, instance: Article, **kwargs) -> None:
    article_changed(instance, deleted=True)


def row_saved_or_deleted(sender, instance, **kwargs) -> None:
    """An author, byline, related link or correction note, saved or deleted."""
    pagecache.retire(rows_tags(sender, objects=[instance]))


def topic_saved_or_deleted(sender, instance: Tag, **kwargs) -> None:
    pagecache.retire(topic_tags(instance.pk))


def tagged_item_saved_or_deleted(sender, instance: TaggedItem, **kwargs) -> None:
    if instance.content_type_id == ContentType.objects.get_for_model(Article).pk:
        pagecache.retire(tagging_tags([instance.object_id], [instance.tag_id]))


def topics_of_story_changed(sender, instance, action: str, pk_set=None, **kwargs) -> None:
    """`story.tags.add/remove/set/clear` (taggit sends m2m_changed)."""
    if not isinstance(instance, Article):
        return
    if action == "pre_clear":
        topic_ids = instance.tags.values_list("pk", flat=True)
    elif action in {"post_add", "post_remove"}:
        topic_ids = pk_set or ()
    else:
        return
    pagecache.retire(tagging_tags([instance.pk], topic_ids))
