from django.urls import path

from . import views

app_name = "news"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="home"),
    path("news/<slug:slug>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path("preview/<str:token>/", views.ArticlePreviewView.as_view(), name="article_preview"),
    path("archive/", views.ArchiveIndexView.as_view(), name="archive"),
    path(
        "archive/<int:year>/<int:month>/",
        views.ArchiveMonthView.as_view(),
        name="archive_month",
    ),
    path("tags/", views.TagListView.as_view(), name="tag_list"),
    path("tags/<slug:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
    path("authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author_detail"),
]
