"""Recognises the video and social-post embeds a story body may keep, as click-to-load facades.

An embed pasted into a body (a YouTube or Vimeo player, an X post, an Instagram post) is an
iframe that would fetch from its provider, and let it set cookies, on every page view. The
sanitiser (`sanitize.py`) turns an iframe from one of these providers into a facade that
fetches nothing: a `<figure class="embed">` naming the provider and the consent category its
cookies belong to, the player's address in `data-embed-src` and a plain link to the content on
the provider's own site. The consent component's script swaps in the player only once the
reader allows that category; without JavaScript the link is all there is. Any other iframe is
removed, as before.

Plain Python and no Django: the consent category is a key (`marketing`), as the consent cookie
names it. The players' addresses are rewritten to each provider's privacy-friendlier form
(youtube-nocookie.com, Vimeo's and X's "do not track" flags).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A facade's attributes, in the order the sanitiser writes them: the figure's class and these.
FACADE_ATTRIBUTES = (
    "class",
    "data-embed-provider",
    "data-embed-category",
    "data-embed-src",
    "data-embed-title",
)

# The consent category every provider here belongs to: each sets cookies that track readers
# across sites for advertising.
CATEGORY = "marketing"


@dataclass(frozen=True, kw_only=True)
class Provider:
    name: str
    # An iframe address from this provider; group "id" is the content's id.
    source: re.Pattern[str]
    # The player the facade loads after consent, and the content's own page.
    frame: str
    page: str

    def frame_for(self, content_id: str) -> str:
        return self.frame.format(id=content_id)

    def page_for(self, content_id: str) -> str:
        return self.page.format(id=content_id)


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        name="YouTube",
        source=re.compile(
            r"https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/(?P<id>[A-Za-z0-9_-]{11})"
            r"(?:[?#][^\s\"'<>]*)?"
        ),
        frame="https://www.youtube-nocookie.com/embed/{id}",
        page="https://www.youtube.com/watch?v={id}",
    ),
    Provider(
        name="Vimeo",
        source=re.compile(
            r"https?://player\.vimeo\.com/video/(?P<id>[0-9]{1,12})(?:[?#][^\s\"'<>]*)?"
        ),
        frame="https://player.vimeo.com/video/{id}?dnt=1",
        page="https://vimeo.com/{id}",
    ),
    Provider(
        name="X",
        source=re.compile(
            r"https?://platform\.twitter\.com/embed/Tweet\.html\?(?:[^\s\"'<>]*&)?id=(?P<id>[0-9]{1,25})"
            r"(?:&[^\s\"'<>]*)?"
        ),
        frame="https://platform.twitter.com/embed/Tweet.html?id={id}&dnt=true",
        page="https://x.com/i/status/{id}",
    ),
    Provider(
        name="Instagram",
        source=re.compile(
            r"https?://(?:www\.)?instagram\.com/p/(?P<id>[A-Za-z0-9_-]{5,40})/embed/?"
            r"(?:[?#][^\s\"'<>]*)?"
        ),
        frame="https://www.instagram.com/p/{id}/embed/",
        page="https://www.instagram.com/p/{id}/",
    ),
)
PROVIDER_NAMES = frozenset(p.name for p in PROVIDERS)


@dataclass(frozen=True, kw_only=True)
class Embed:
    provider: Provider
    content_id: str

    @property
    def frame(self) -> str:
        return self.provider.frame_for(self.content_id)

    @property
    def page(self) -> str:
        return self.provider.page_for(self.content_id)


def recognise(src: str) -> Embed | None:
    """The embed an iframe's `src` shows, or None when it is not from a known provider."""
    src = src.strip()
    for provider in PROVIDERS:
        if match := provider.source.fullmatch(src):
            return Embed(provider=provider, content_id=match["id"])
    return None


def is_facade_frame(url: str) -> bool:
    """Whether `url` is a player address exactly as a facade stores it (`Embed.frame`)."""
    embed = recognise(url)
    return embed is not None and embed.frame == url
