from django.urls import path, register_converter

from . import feeds, search, sitemaps, views


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

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="home"),
    path("search/", search.search_view, name="search"),
    path("feeds/latest.rss", feeds.LatestRssFeed(), name="feed_rss"),
    path("feeds/latest.atom", feeds.LatestAtomFeed(), name="feed_atom"),
    path("tags/<uslug:slug>/feed.rss", feeds.TagRssFeed(), name="tag_feed_rss"),
    path("tags/<uslug:slug>/feed.atom", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("authors/<uslug:slug>/feed.rss", feeds.AuthorRssFeed(), name="author_feed_rss"),
    path("authors/<uslug:slug>/feed.atom", feeds.AuthorAtomFeed(), name="author_feed_atom"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.sitemap_section, name="sitemap_section"),
    path("news-sitemap.xml", sitemaps.news_sitemap, name="news_sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
    path("news/<uslug:slug>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path("preview/<str:token>/", views.ArticlePreviewView.as_view(), name="article_preview"),
    path("archive/", views.ArchiveIndexView.as_view(), name="archive"),
    path(
        "archive/<int:year>/<int:month>/",
        views.ArchiveMonthView.as_view(),
        name="archive_month",
    ),
    path("tags/", views.TagListView.as_view(), name="tag_list"),
    path("tags/<uslug:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
    path("authors/<uslug:slug>/", views.AuthorDetailView.as_view(), name="author_detail"),
]
