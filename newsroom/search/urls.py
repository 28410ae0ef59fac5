"""The search page's address (not page-cached: it answers one reader's words)."""

from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_view, name="search"),
]
