"""The authors screen: the people credited in bylines, and the accounts they sign in with."""

from django.contrib import admin

from newsroom.news.models import Author


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
