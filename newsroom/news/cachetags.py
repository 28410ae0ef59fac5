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
Every page showing the breaking-news banner (every reader page: see breaking.py) carries
`breaking`, retired when a live story's flag or what the banner shows of it changes, when a
flagged story goes live, and when a flag runs out.

Live coverage: its page, its updates fragment and its updates feed carry `story-12-updates`,
which posting, editing, approving or deleting an update retires, and nothing else: no listing
shows updates. The LIVE label in listings changes only when coverage starts or ends, which is a
change of the story's listing state (`Article.listing_state`), or comes with time (`due`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from newsroom import pagecache

from .models import Article, Author, Byline, Correction, LiveUpdate, RelatedLink

# Which stories are live, in what order: the home page, the archive, the latest feeds.
STORIES = "stories"
# The topic list and its counts.
TOPICS = "topics"
# Sitemaps list every story, topic and author with their last change.
SITEMAPS = "sitemaps"
# The breaking-news banner, on every reader page.
BREAKING = "breaking"


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


def story_updates(pk: int) -> str:
    """A live story's updates: its page, its updates fragment and its updates feed."""
    return f"story-{pk}-updates"


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
    if article.is_live_coverage:
        tags |= of_updates(article)
    return tags


def of_updates(article: Article) -> set[str]:
    """A live story's updates with their authors (its fragment and feed show the story's
    coverage times and byline too)."""
    tags = {story(article.pk), story_updates(article.pk)}
    tags.update(author(a.pk) for a in article.byline)
    tags.update(author(a.pk) for update in article.live_updates for a in update.credits)
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
    listing_changed = created or deleted or before != article.listing_state()
    if listing_changed:
        tags |= _listing_tags([article.pk])
        tags.add(headline(article.title))
        if before is not None and before[2]:
            tags.add(headline(before[2]))
    if _banner_changed(article, before=before, listing_changed=listing_changed):
        tags.add(BREAKING)
    article.listed_as = article.listing_state()
    article.breaking_as = article.breaking_until
    pagecache.retire(tags)


def _banner_changed(article: Article, *, before: tuple | None, listing_changed: bool) -> bool:
    """Whether a save or delete changes what the banner may show: the story could be shown
    before or after it (live and flagged), and its flag, status, time, headline or address
    changed. A body edit of a breaking story, the desk's busiest moment, retires no page
    but its own; a flag on a story scheduled for later waits for it to go live (`due`)."""
    until_before = getattr(article, "breaking_as", None)
    if not listing_changed and until_before == article.breaking_until:
        return False
    now = timezone.now()
    status, published_at = (before or (None, None))[:2]
    return _shown(status, published_at, until_before, now) or _shown(
        article.status, article.published_at, article.breaking_until, now
    )


def _shown(status, published_at, until, now) -> bool:
    """Live and flagged: the banner may show the story (`Article.objects.breaking()`)."""
    return bool(
        status == Article.Status.PUBLISHED
        and published_at
        and published_at <= now
        and until
        and until > now
    )


def articles_tags(rows: Iterable[tuple], *, sets_flag: bool = False) -> set[str]:
    """Bulk writes of stories (pk, headline, breaking_until): no earlier state to compare, so
    everything; the banner too when a row is flagged or the write sets flags (`sets_flag`)."""
    rows = list(rows)
    tags = _listing_tags(row[0] for row in rows) | {headline(row[1]) for row in rows}
    now = timezone.now()
    if sets_flag or any(row[2] and row[2] > now for row in rows):
        tags.add(BREAKING)
    return tags


def byline_tags(article_id: int, author_id: int) -> set[str]:
    return {story(article_id), author_stories(author_id), SITEMAPS}


def author_tags(pk: int) -> set[str]:
    return {author(pk), author_stories(pk), SITEMAPS}


def note_tags(article_id: int) -> set[str]:
    """A correction or update note: the story's page and its lines in listings and feeds (the
    "Updated" time)."""
    return {story(article_id), SITEMAPS}


def update_tags(article_id: int) -> set[str]:
    return {story_updates(article_id)}


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
    LiveUpdate: ("article_id",),
}
_ROW_TAGS = {
    Byline: byline_tags,
    Author: author_tags,
    RelatedLink: links,
    Correction: note_tags,
    LiveUpdate: update_tags,
}


def rows_tags(sender, *, queryset=None, objects=None, fields=(), **kwargs) -> set[str]:
    """The tags of `sender` rows a bulk write (update, bulk_create, bulk_update) touches: from
    the objects in hand, or read before the write (an update's filter may not match after;
    `fields` are the columns it sets). A receiver of `models.rows_written`."""
    sets_flag = "breaking_until" in fields
    fields = ("pk", "title", "breaking_until") if sender is Article else _ROW_FIELDS.get(sender)
    if fields is None:
        return set()
    if objects is not None:
        rows = {tuple(getattr(o, f) for f in fields) for o in objects}
    else:
        rows = set(queryset.values_list(*fields))
    if sender is Article:
        # Two queries for the whole batch, not two a story.
        return articles_tags(rows, sets_flag=sets_flag)
    tags: set[str] = set()
    for row in rows:
        made = _ROW_TAGS[sender](*row)
        tags |= {made} if isinstance(made, str) else made
    return tags


# --- Changes that come with time ---


def next_change(now: datetime) -> datetime | None:
    """The next moment a reader could see something new without anyone saving anything: a
    scheduled story's publication time, a correction note dated in the future, a breaking
    news flag running out, or live coverage starting or ending. One indexed query
    (news_article status+published_at, status+breaking_until, live_from and live_until,
    news_correction noted_at)."""
    published = Article.objects.filter(
        status=Article.Status.PUBLISHED, deleted_at__isnull=True
    ).order_by()
    stories = published.filter(published_at__gt=now).values_list("published_at", flat=True)
    flags = published.filter(breaking_until__gt=now).values_list("breaking_until", flat=True)
    notes = Correction.objects.filter(noted_at__gt=now).order_by()
    moments = stories.union(
        notes.values_list("noted_at", flat=True),
        flags,
        published.filter(live_from__gt=now).values_list("live_from", flat=True),
        published.filter(live_until__gt=now).values_list("live_until", flat=True),
        all=True,
    )
    return next(iter(moments.order_by("published_at")[:1]), None)


def due(since: datetime, until: datetime) -> set[str]:
    """The tags of stories that went live, notes that appeared, breaking-news flags that ran
    out, and live coverage that started or ended, in (since, until]."""
    published = Article.objects.filter(status=Article.Status.PUBLISHED, deleted_at__isnull=True)
    changed = published.filter(
        Q(published_at__gt=since, published_at__lte=until)
        | Q(live_from__gt=since, live_from__lte=until)
        | Q(live_until__gt=since, live_until__lte=until)
    )
    rows = list(changed.values_list("pk", "title", "breaking_until", "published_at"))
    tags = _listing_tags(row[0] for row in rows) | {headline(row[1]) for row in rows}
    went_live = [flag for _, _, flag, at in rows if since < at <= until]
    if any(flag and flag > since for flag in went_live) or (
        published.filter(breaking_until__gt=since, breaking_until__lte=until).exists()
    ):
        tags.add(BREAKING)
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


def update_authors_changed(sender, instance, action: str, **kwargs) -> None:
    """`update.authors.add/remove/set/clear` (m2m_changed on LiveUpdate.authors)."""
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, LiveUpdate):
        pagecache.retire(update_tags(instance.article_id))
