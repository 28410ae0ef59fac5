"""The authors screen: the people credited in bylines, and the accounts they sign in with."""

from django.contrib import admin

from newsroom.news import workflow
from newsroom.news.models import Author


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if workflow.is_editor(request.user):
            return fields
        # Writers add guest and wire authors; linking an author to a staff account (whose new
        # stories then carry that byline) stays the desk's decision.
        return [name for name in fields if name != "user"]
