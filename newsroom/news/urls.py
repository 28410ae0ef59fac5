"""The readers' addresses: home, stories, topics, authors, archives, feeds and sitemaps."""

from django.urls import path, register_converter

from newsroom.pagecache import cached_page

from . import feeds, sitemaps, views


class UnicodeSlugConverter:
    """Slugs in any script ("türkiye", "山田太郎"): stories, authors and topics are named by
    newsrooms everywhere, and Django's <slug:> takes ASCII only."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "uslug")

app_name = "news"

# Readers' pages are wrapped in `cached_page` (anonymous readers get a stored copy, and their
# reads may use the replica). Search (newsroom/search/) and preview links (newsroom/desk/)
# are not routed here: they answer one person.

urlpatterns = [
    path("", cached_page(views.ArticleListView.as_view()), name="home"),
    path(
        "feeds/latest.rss", cached_page(feeds.LatestRssFeed(), per_variant=False), name="feed_rss"
    ),
    path(
        "feeds/latest.atom",
        cached_page(feeds.LatestAtomFeed(), per_variant=False),
        name="feed_atom",
    ),
    path(
        "tags/<uslug:slug>/feed.rss",
        cached_page(feeds.TagRssFeed(), per_variant=False),
        name="tag_feed_rss",
    ),
    path(
        "tags/<uslug:slug>/feed.atom",
        cached_page(feeds.TagAtomFeed(), per_variant=False),
        name="tag_feed_atom",
    ),
    path(
        "authors/<uslug:slug>/feed.rss",
        cached_page(feeds.AuthorRssFeed(), per_variant=False),
        name="author_feed_rss",
    ),
    path(
        "authors/<uslug:slug>/feed.atom",
        cached_page(feeds.AuthorAtomFeed(), per_variant=False),
        name="author_feed_atom",
    ),
    path("sitemap.xml", cached_page(sitemaps.sitemap_index, per_variant=False), name="sitemap"),
    path(
        "sitemap-<section>.xml",
        cached_page(sitemaps.sitemap_section, per_variant=False),
        name="sitemap_section",
    ),
    path(
        "news-sitemap.xml",
        cached_page(sitemaps.news_sitemap, per_variant=False),
        name="news_sitemap",
    ),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
    path(
        "news/<uslug:slug>/", cached_page(views.ArticleDetailView.as_view()), name="article_detail"
    ),
    path(
        "news/<uslug:slug>/updates/",
        cached_page(views.LiveUpdatesView.as_view(), per_variant=False),
        name="live_updates",
    ),
    path(
        "news/<uslug:slug>/updates.atom",
        cached_page(feeds.LiveUpdatesFeed(), per_variant=False),
        name="live_updates_feed",
    ),
    path("archive/", cached_page(views.ArchiveIndexView.as_view()), name="archive"),
    path(
        "archive/<int:year>/<int:month>/",
        cached_page(views.ArchiveMonthView.as_view()),
        name="archive_month",
    ),
    path("tags/", cached_page(views.TagListView.as_view()), name="tag_list"),
    path("tags/<uslug:slug>/", cached_page(views.TagDetailView.as_view()), name="tag_detail"),
    path(
        "authors/<uslug:slug>/", cached_page(views.AuthorDetailView.as_view()), name="author_detail"
    ),
]
