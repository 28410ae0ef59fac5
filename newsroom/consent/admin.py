"""The consent screens of the admin: categories, their cookies, and the consent log as CSV."""

import csv

from django.contrib import admin
from django.http import HttpResponse

from .models import Category, ConsentRecord, Cookie

CSV_COLUMNS = (
    "created_at",
    "consent_id",
    "policy_version",
    "choices",
    "method",
    "gpc",
    "language",
    "category_versions",
)


@admin.action(description="Export selected records as CSV")
def export_csv(modeladmin, request, queryset):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="consent-log.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for record in queryset.order_by("created_at", "pk"):
        writer.writerow(
            [
                record.created_at.isoformat(),
                record.consent_id,
                record.policy_version,
                ",".join(key for key, allowed in record.choices.items() if allowed) or "none",
                record.method,
                int(record.gpc),
                record.language,
                ",".join(f"{key}:{version}" for key, version in record.category_versions.items()),
            ]
        )
    return response


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    """Read-only: editors look a consent id up and export; nobody edits evidence."""

    list_display = ("created_at", "consent_id", "policy_version", "method", "gpc", "language")
    list_filter = ("method", "gpc", "policy_version", "language")
    search_fields = ("=consent_id",)
    date_hierarchy = "created_at"
    actions = [export_csv]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CookieInline(admin.TabularInline):
    model = Cookie
    extra = 0
    fields = ("name", "storage", "provider", "purpose", "duration", "party", "path", "domain")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Editors keep the texts and the inventory; raising `version` asks readers again."""

    list_display = ("name", "key", "required", "position", "version", "version_changed_at")
    search_fields = ("name", "key")
    fields = ("key", "name", "description", "required", "position", "version", "version_changed_at")
    readonly_fields = ("version_changed_at",)
    inlines = [CookieInline]


@admin.register(Cookie)
class CookieAdmin(admin.ModelAdmin):
    list_display = ("name", "storage", "category", "provider", "party", "duration")
    list_filter = ("category", "storage", "party")
    search_fields = ("name", "provider")
    autocomplete_fields = ("category",)
