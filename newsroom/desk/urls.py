"""The desk's public addresses: preview links, which answer whoever holds one (never cached)."""

from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("preview/<str:token>/", views.ArticlePreviewView.as_view(), name="article_preview"),
    path(
        "preview/<str:token>/lead-image/",
        views.article_preview_image,
        name="article_preview_image",
    ),
    path(
        "preview/<str:token>/lead-image/<str:copy>",
        views.article_preview_image,
        name="article_preview_rendition",
    ),
]
