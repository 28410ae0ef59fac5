from django.contrib import admin
from django.db import models

from .forms import ArticleAdminForm
from .models import Article, Author, Byline, RelatedLink


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 0
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    verbose_name = "author"
    verbose_name_plural = "byline (in order)"


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    extra = 0
    fields = ["title", "url", "position"]
    # "example.com/story" typed without a scheme means https, as it will in Django 6.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    verbose_name_plural = "related links (\u201cAlso read\u201d)"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "status", "published_at", "byline_names", "tag_names"]
    list_filter = ["status", "tags", "authors", "lead_image_missing"]
    search_fields = ["title", "standfirst", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [BylineInline, RelatedLinkInline]
    readonly_fields = ["source_name", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "body"]}),
        ("Publishing", {"fields": ["status", "published_at", "tags"]}),
        (
            "Lead image",
            {
                "fields": [
                    "lead_image",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                    "lead_image_missing",
                ]
            },
        ),
        (
            "Source",
            {
                "classes": ["collapse"],
                "fields": ["source_name", "created_at", "updated_at"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_bylines()

    @admin.display(description="Authors")
    def byline_names(self, obj):
        return ", ".join(author.name for author in obj.byline)

    @admin.display(description="Tags")
    def tag_names(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())
