"""Small keyword-only factories: each makes exactly the rows a test asks for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import count

from django.contrib.auth.models import Group, User
from django.utils import timezone

from newsroom.news.models import Article, Author, Byline, LiveUpdate, RelatedLink
from newsroom.publisher.models import Policy

_serial = count(1)


def make_author(
    *,
    name: str | None = None,
    slug: str | None = None,
    bio: str = "",
    role: str = "",
    same_as: str = "",
) -> Author:
    n = next(_serial)
    name = name or f"Reporter {n}"
    return Author.objects.create(
        name=name, slug=slug or f"reporter-{n}", bio=bio, role=role, same_as=same_as
    )


def make_policy(
    *,
    kind: str = Policy.Kind.ETHICS,
    title: str | None = None,
    summary: str = "",
    body: str = "<p>We report fairly and say where our facts come from.</p>",
    is_live: bool = True,
) -> Policy:
    return Policy.objects.create(
        kind=kind,
        title=title or Policy.Kind(kind).label,
        summary=summary,
        body=body,
        is_live=is_live,
    )


def make_article(
    *,
    title: str | None = None,
    slug: str | None = None,
    standfirst: str = "A short summary of the story.",
    body: str = "<p>The first paragraph.</p>",
    status: str = Article.Status.PUBLISHED,
    published_at: datetime | None = None,
    authors: Sequence[Author] = (),
    tags: Sequence[str] = (),
    related: Sequence[tuple[str, str]] = (),
    created_by: User | None = None,
    breaking_until: datetime | None = None,
    live_from: datetime | None = None,
    live_until: datetime | None = None,
    article_type: str = Article.Type.NEWS,
    sponsor_name: str = "",
    ai_use: str = Article.AIUse.NONE,
    ai_note: str = "",
    reviewed_by: User | None = None,
) -> Article:
    n = next(_serial)
    if published_at is None and status == Article.Status.PUBLISHED:
        published_at = timezone.now() - timedelta(hours=n)
    article = Article.objects.create(
        title=title or f"Story number {n}",
        slug=slug or f"story-{n}",
        standfirst=standfirst,
        body=body,
        status=status,
        published_at=published_at,
        created_by=created_by,
        breaking_until=breaking_until,
        live_from=live_from,
        live_until=live_until,
        article_type=article_type,
        sponsor_name=sponsor_name,
        ai_use=ai_use,
        ai_note=ai_note,
        reviewed_by=reviewed_by,
    )
    for position, author in enumerate(authors):
        Byline.objects.create(article=article, author=author, position=position)
    if tags:
        article.tags.add(*tags)
    for position, (link_title, url) in enumerate(related):
        RelatedLink.objects.create(article=article, title=link_title, url=url, position=position)
    return article


def make_fact_check(
    *,
    claim: str = "The moon is made of cheese.",
    claim_author: str = "A. Blogger",
    verdict: str = "False",
    verdict_score: int = 1,
    claim_date=None,
    **kwargs,
) -> Article:
    """A published fact check (`kwargs` as for make_article), its claim and verdict filled in."""
    article = make_article(article_type=Article.Type.FACT_CHECK, **kwargs)
    article.claim_reviewed, article.claim_author = claim, claim_author
    article.verdict, article.verdict_score, article.claim_date = verdict, verdict_score, claim_date
    article.save()
    return article


def make_related_link(
    *,
    article: Article,
    title: str | None = None,
    url: str = "",
    after_paragraph: int | None = None,
    position: int = 0,
) -> RelatedLink:
    """A related link; with `after_paragraph`, shown inside the story after that paragraph."""
    return RelatedLink.objects.create(
        article=article,
        title=title or f"Related story {next(_serial)}",
        url=url,
        after_paragraph=after_paragraph,
        position=position,
    )


def make_live_story(**kwargs) -> Article:
    """A published story whose live coverage started an hour ago and goes on."""
    return make_article(live_from=timezone.now() - timedelta(hours=1), **kwargs)


def make_update(
    *,
    article: Article,
    body: str = "<p>Something happened.</p>",
    headline: str = "",
    key_event: bool = False,
    pinned: bool = False,
    status: str = LiveUpdate.Status.APPROVED,
    shown_at: datetime | None = None,
    authors: Sequence[Author] = (),
    created_by: User | None = None,
) -> LiveUpdate:
    update = LiveUpdate.objects.create(
        article=article,
        body=body,
        headline=headline,
        key_event=key_event,
        pinned=pinned,
        status=status,
        shown_at=shown_at or timezone.now(),
        created_by=created_by,
    )
    if authors:
        update.authors.set(authors)
    return update


def make_user(
    *, username: str | None = None, role: str = "Writer", password: str = "", email: str = ""
) -> User:
    """A staff account in a role: "Writer", "Editor" (news' roles migration) or
    "Editor-in-chief" (an editor who also manages people: the desk's migration)."""
    user = User.objects.create_user(
        username or f"{role.lower()}{next(_serial)}",
        email=email,
        password=password or "a-long-test-password-1",
        is_staff=True,
    )
    groups = ["Editor", "Editor-in-chief"] if role == "Editor-in-chief" else [role]
    user.groups.add(*(Group.objects.get(name=name) for name in groups))
    return user
