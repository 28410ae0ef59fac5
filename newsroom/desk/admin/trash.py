"""The trash: deleting a story moves it there; the trash screen restores or deletes it for good.

`TrashOnDelete` is the stories screen's part (articles.py): its delete page and its bulk "delete"
action move stories to the trash through `writing.trash`, and its list hides them. `TrashAdmin`
is the trash screen, over the `DeletedStory` proxy: who deleted what and when, with "Restore"
and, for editors, "Delete for good". A story leaves the trash by itself after TRASH_DAYS days
(see news/writing.py: no job runs; opening this screen deletes what is past its days).
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from newsroom.desk.models import DeletedStory
from newsroom.news import workflow, writing
from newsroom.news.models import TRASH_DAYS, Article

MOVED_TO_TRASH = "Moved to the trash"


def _stories(count: int) -> str:
    return f"{count} stor{'y' if count == 1 else 'ies'}"


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%d %b %Y, %H:%M}"


def _by(user) -> str:
    return user.get_username() if user else "a removed user"


def trash_url() -> str:
    return reverse("admin:desk_deletedstory_changelist")


def refuse_if_trashed(model_admin, request, object_id):
    """The trash screen, saying why, when the story asked for is in the trash and the user may
    know of it (an editor, or its writer); None otherwise."""
    try:
        pk = int(unquote(str(object_id)))
    except ValueError:
        return None
    article = Article.objects.trashed().select_related("deleted_by").filter(pk=pk).first()
    user = request.user
    if article is None or not (workflow.is_editor(user) or article.created_by_id == user.pk):
        return None
    model_admin.message_user(
        request,
        format_html(
            "\u201c{}\u201d is in the trash: {} moved it there on {}. Restore it from the "
            '<a href="{}">trash</a> to open it again.',
            article.title,
            _by(article.deleted_by),
            _when(article.deleted_at),
            trash_url(),
        ),
        messages.WARNING,
    )
    return redirect(trash_url())


class TrashOnDelete:
    """For the stories screen: "delete" moves stories to the trash, and the list hides them.

    Django's own delete page does the asking and the permission check; the hooks below make
    its "delete" a move to the trash, said as such. A writer refused (a story in review, say)
    is told why on the story's page rather than shown a bare 403.
    """

    delete_confirmation_template = "admin/news/article/delete_confirmation.html"

    def get_queryset(self, request):
        return super().get_queryset(request).not_trashed()

    def delete_view(self, request, object_id, extra_context=None):
        article = self.get_object(request, unquote(object_id))
        if article is not None and not self.has_delete_permission(request, article):
            try:
                workflow.check_delete(request.user, article)
            except workflow.WorkflowError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:  # allowed by the role, but not by this account's permissions
                self.message_user(request, "You can't delete this story.", messages.ERROR)
            return redirect("admin:news_article_change", article.pk)
        extra_context = {
            "title": "Move to the trash",
            "trash_days": TRASH_DAYS,
            **(extra_context or {}),
        }
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        # Nothing else goes: the story waits in the trash with everything it holds.
        objs = list(objs)
        return [str(obj) for obj in objs], {"stories": len(objs)}, set(), []

    def log_deletions(self, request, queryset):
        for article in queryset:
            self.log_change(request, article, MOVED_TO_TRASH)

    def delete_model(self, request, obj):
        writing.trash(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            writing.trash(article, user=request.user)

    def response_delete(self, request, obj_display, obj_id):
        self.message_user(
            request,
            format_html(
                "\u201c{}\u201d is in the trash. It can be restored from the "
                '<a href="{}">trash</a> for {} days.',
                obj_display,
                trash_url(),
                TRASH_DAYS,
            ),
        )
        return redirect("admin:news_article_changelist")

    @admin.action(permissions=["delete"], description="Move selected stories to the trash")
    def delete_selected(self, request, queryset):
        """Django's bulk delete, made a move to the trash: a page that names the stories (and
        any the user may not delete, with why), then the move."""
        allowed, refused = [], []
        for article in queryset:
            try:
                workflow.check_delete(request.user, article)
            except workflow.WorkflowError as exc:
                refused.append((article, str(exc)))
            else:
                allowed.append(article)
        if request.POST.get("post"):
            for article in allowed:
                writing.trash(article, user=request.user)
                self.log_change(request, article, MOVED_TO_TRASH)
            for article, reason in refused:
                self.message_user(
                    request, f"Not deleted: \u201c{article.title}\u201d: {reason}", messages.ERROR
                )
            if allowed:
                self.message_user(
                    request,
                    format_html(
                        "Moved {} to the trash. They can be restored from the "
                        '<a href="{}">trash</a> for {} days.',
                        _stories(len(allowed)),
                        trash_url(),
                        TRASH_DAYS,
                    ),
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Move stories to the trash",
            "subtitle": None,
            "opts": self.opts,
            "allowed": allowed,
            "refused": refused,
            "trash_days": TRASH_DAYS,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/news/article/delete_selected_confirmation.html", context
        )


@admin.register(DeletedStory)
class TrashAdmin(admin.ModelAdmin):
    list_display = ["title", "status_when_deleted", "deleted_by_name", "deleted_when", "gone_on"]
    list_display_links = None
    search_fields = ["title", "source_name"]
    ordering = ["-deleted_at"]
    actions = ["restore", "delete_for_good"]
    list_per_page = 50

    def get_urls(self):
        # The list is the whole screen: no add, change, history or delete pages of its own.
        return [
            path(
                "",
                self.admin_site.admin_view(self.changelist_view),
                name="desk_deletedstory_changelist",
            )
        ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).trashed().select_related("deleted_by")
        if not workflow.is_editor(request.user):
            queryset = queryset.filter(created_by=request.user)
        return queryset

    def changelist_view(self, request, extra_context=None):
        # The only clean-up there is: what is past its days goes when someone looks.
        writing.empty_expired_trash()
        extra_context = {
            "title": "Trash",
            "subtitle": f"Deleted stories wait here for {TRASH_DAYS} days, hidden from readers, "
            "then they are deleted for good with their revisions.",
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    # Who may do what: anyone who may delete stories sees the trash (a writer, their own).

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm("news.delete_article")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # "Delete for good" says what it does; Django's "delete" would not

    def has_restore_permission(self, request):
        return self.has_view_permission(request)

    def has_empty_permission(self, request):
        return workflow.is_editor(request.user) and self.has_view_permission(request)

    # Columns

    @admin.display(description="Status when deleted", ordering="status")
    def status_when_deleted(self, obj):
        return obj.state_label

    @admin.display(description="Deleted by", ordering="deleted_by__username")
    def deleted_by_name(self, obj):
        return _by(obj.deleted_by)

    @admin.display(description="Deleted", ordering="deleted_at")
    def deleted_when(self, obj):
        return _when(obj.deleted_at)

    @admin.display(description="Deleted for good on")
    def gone_on(self, obj):
        gone = timezone.localtime(obj.deleted_at) + timedelta(days=TRASH_DAYS)
        return f"{gone:%d %b %Y}"

    # Actions

    @admin.action(description="Restore selected stories", permissions=["restore"])
    def restore(self, request, queryset):
        restored = []
        # As Article rows: the page-cache receivers listen for Article's signals, not a proxy's.
        for article in Article.objects.filter(pk__in=queryset.values("pk")):
            try:
                writing.restore_from_trash(article, user=request.user)
            except workflow.WorkflowError as exc:
                self.message_user(
                    request, f"Not restored: \u201c{article.title}\u201d: {exc}", messages.ERROR
                )
                continue
            self.log_change(request, article, "Restored from the trash")
            restored.append(article)
        for article in restored:
            self.message_user(
                request,
                format_html(
                    "Restored \u201c{}\u201d: {}, at its old address, with its revisions. "
                    '<a href="{}">Open it</a>.',
                    article.title,
                    article.state_label.lower(),
                    reverse("admin:news_article_change", args=[article.pk]),
                ),
            )

    @admin.action(description="Delete selected stories for good", permissions=["empty"])
    def delete_for_good(self, request, queryset):
        stories = list(queryset.annotate(revision_count=Count("revisions")))
        if request.POST.get("post"):
            deleted = writing.delete_for_good(
                Article.objects.filter(pk__in=[s.pk for s in stories]), user=request.user
            )
            self.message_user(
                request, f"Deleted {_stories(deleted)} for good, with their revisions."
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Delete stories for good",
            "subtitle": None,
            "opts": self.opts,
            "stories": stories,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/desk/deletedstory/delete_for_good.html", context)
