"""The live-coverage screens: posting an update from a story's page, starting and ending the
coverage, and the updates list where they are edited, approved and deleted.

`ArticleAdmin` routes the story-side views here (see `articles.py`). Every write goes through
`news.writing`, whose `workflow` checks say who may do what; a refusal comes back as a message.
Deleting an update hides it from readers and keeps it, with its log, in this list.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from js_asset import Media

from newsroom.desk.forms import LiveUpdateAdminForm, LiveUpdatePostForm
from newsroom.news import workflow, writing
from newsroom.news.models import Article, LiveUpdate, LiveUpdateChange

# How many of a story's updates its change page lists (the updates screen has them all).
RECENT_UPDATES = 10


def change_page_url(article: Article) -> str:
    return reverse("admin:news_article_change", args=[article.pk]) + "#live-coverage"


def panel_context(request, article: Article) -> dict:
    """What the live-coverage panel at the top of a story's change page shows."""
    user = request.user
    try:
        workflow.check_post_update(user, article)
        may_post = True
    except workflow.WorkflowError:
        may_post = False
    updates = article.updates.filter(deleted_at__isnull=True).select_related("created_by")
    counts = updates.aggregate(
        total=Count("pk"), pending=Count("pk", filter=Q(status=LiveUpdate.Status.PENDING))
    )
    return {
        "live_post_form": LiveUpdatePostForm() if may_post else None,
        "live_may_cover": workflow.can_edit(user, article),
        "live_is_editor": workflow.is_editor(user),
        "live_recent": list(updates.order_by("-shown_at", "-id")[:RECENT_UPDATES]),
        "live_counts": counts,
        "live_list_url": reverse("admin:news_liveupdate_changelist") + f"?article={article.pk}",
    }


def post_update_view(model_admin, request, pk):
    """The quick form's POST: post, and go back to the story's page with a message. A form
    with a mistake is shown again on a page of its own, with what was typed."""
    if request.method != "POST":
        return redirect(change_page_url(get_object_or_404(Article, pk=pk)))
    if refused := model_admin._refuse_if_hidden(request, pk):
        return refused
    article = get_object_or_404(model_admin.get_queryset(request), pk=pk)
    form = LiveUpdatePostForm(request.POST)
    if form.is_valid():
        try:
            update = writing.post_update(article, user=request.user, **form.cleaned_data)
        except workflow.WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            if update.status == LiveUpdate.Status.PENDING:
                model_admin.message_user(
                    request,
                    "Update saved. It waits for an editor\u2019s approval before readers see it.",
                    messages.WARNING,
                )
            else:
                model_admin.message_user(request, _posted_message(article))
            return redirect(change_page_url(article))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Post an update on \u201c{article.title}\u201d",
        "article": article,
        "form": form,
    }
    return TemplateResponse(request, "admin/news/article/post_update.html", context, status=400)


def _posted_message(article: Article) -> str:
    if article.is_live:
        return "Update posted: readers see it now."
    return "Update posted: readers see it once the story is published."


def coverage_view(model_admin, request, pk):
    """Start live coverage now, end it now, or take it up again (the buttons in the panel)."""
    if request.method != "POST":
        return redirect(change_page_url(get_object_or_404(Article, pk=pk)))
    if refused := model_admin._refuse_if_hidden(request, pk):
        return refused
    article = get_object_or_404(model_admin.get_queryset(request), pk=pk)
    action, now = request.POST.get("action"), timezone.now()
    if action == "start":
        times, summary = (article.live_from or now, None), "Live coverage started"
        said = "Live coverage started: the story shows a LIVE label and its updates."
    elif action == "end" and article.is_live_coverage:
        times, summary = (article.live_from, now), "Live coverage ended"
        said = "Live coverage ended: the LIVE label is gone and the page says when it ended."
    else:
        model_admin.message_user(request, "Nothing to do: unknown request.", messages.ERROR)
        return redirect(change_page_url(article))
    try:
        writing.cover(
            article, user=request.user, live_from=times[0], live_until=times[1], summary=summary
        )
    except workflow.WorkflowError as exc:
        model_admin.message_user(request, str(exc), messages.ERROR)
    else:
        model_admin.message_user(request, said)
    return redirect(change_page_url(article))


class LiveUpdateChangeInline(admin.TabularInline):
    model = LiveUpdateChange
    extra = 0
    fields = ["changed_at", "action", "changed_by"]
    readonly_fields = fields
    verbose_name_plural = "history (who did what, when)"
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Shown (not deleted)"), ("yes", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


@admin.register(LiveUpdate)
class LiveUpdateAdmin(admin.ModelAdmin):
    """Every update, pending ones first: edit, approve, delete. New updates are posted from
    their story's page ("Post an update"), so there is one way in."""

    form = LiveUpdateAdminForm
    list_display = ["shown_at", "summary", "article", "key_event", "pinned", "state", "posted_by"]
    list_filter = ["status", DeletedFilter, "key_event", "pinned"]
    list_select_related = ["article", "created_by"]
    search_fields = ["headline", "body", "article__title"]
    autocomplete_fields = ["authors"]
    inlines = [LiveUpdateChangeInline]
    actions = ["approve", "delete_selected_updates"]
    readonly_fields = ["article_link", "state", "posted"]
    fieldsets = [
        (None, {"fields": ["article_link", "state", "posted"]}),
        ("The update", {"fields": ["shown_at", "headline", "body", "authors"]}),
        ("Flags", {"fields": ["key_event", "pinned"]}),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("article", "created_by")
        if not workflow.is_editor(request.user):
            queryset = queryset.filter(article__created_by=request.user)
        return queryset

    def get_ordering(self, request):
        return ["-status", "-shown_at", "-id"]  # "pending" before "approved": waiting first

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/approve/", wrap(self.approve_view), name="news_liveupdate_approve"),
            *super().get_urls(),
        ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deleting hides and logs: see delete_model
        if not workflow.is_editor(request.user):
            actions.pop("approve", None)
        return actions

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or (
            obj.deleted_at is None and workflow.can_change_update(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def render_change_form(self, request, context, *args, **kwargs):
        # The body editor's import map, admitted by this request's nonce (as on a story's page).
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        return super().render_change_form(request, context, *args, **kwargs)

    # Writes: through news.writing, refusals as messages

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "authors"}
        authors = form.cleaned_data["authors"] if "authors" in form.changed_data else None
        writing.edit_update(obj, user=request.user, authors=authors, **fields)

    def save_related(self, request, form, formsets, change):
        # Not form.save_m2m(): edit_update has set the authors (and logged the edit).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        writing.delete_update(obj, user=request.user)

    def response_delete(self, request, obj_display, obj_id):
        self.message_user(
            request,
            f"Deleted \u201c{obj_display}\u201d: readers no longer see it. The record stays here "
            "(filter by \u201cDeleted\u201d).",
        )
        return redirect("admin:news_liveupdate_changelist")

    def get_deleted_objects(self, objs, request):
        # Nothing else goes: the update stays, hidden, with its history.
        return [str(obj) for obj in objs], {"live updates": len(objs)}, set(), []

    @admin.action(description="Approve: readers see them")
    def approve(self, request, queryset):
        waiting = queryset.filter(status=LiveUpdate.Status.PENDING)
        if not self._each(request, waiting, writing.approve_update, "approved"):
            self.message_user(
                request, "Nothing to do: none of them was waiting for an editor.", messages.WARNING
            )

    @admin.action(description="Delete selected updates (readers stop seeing them)")
    def delete_selected_updates(self, request, queryset):
        shown = queryset.filter(deleted_at__isnull=True)
        if not self._each(request, shown, writing.delete_update, "deleted"):
            self.message_user(
                request, "Nothing to do: they were deleted already.", messages.WARNING
            )

    def _each(self, request, updates, write, verb: str) -> int:
        """`write` each update as this user; say how many, and each refusal with its reason.
        How many were tried."""
        done, refused = 0, []
        for update in updates:
            try:
                write(update, user=request.user)
                done += 1
            except workflow.WorkflowError as exc:
                refused.append(f"\u201c{update}\u201d: {exc}")
        if done:
            self.message_user(
                request, f"{verb.capitalize()}: {done} update{'s' if done > 1 else ''}."
            )
        for line in refused:
            self.message_user(request, f"Not {verb}: {line}", messages.ERROR)
        return done + len(refused)

    def approve_view(self, request, pk):
        """The "Approve" button beside a waiting update on its story's page."""
        update = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST":
            return redirect(change_page_url(update.article))
        if not workflow.is_editor(request.user):
            raise PermissionDenied
        try:
            writing.approve_update(update, user=request.user)
        except workflow.WorkflowError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, f"Approved \u201c{update}\u201d: readers see it now.")
        return redirect(change_page_url(update.article))

    # Columns and read-only fields

    @admin.display(description="Update")
    def summary(self, obj):
        return str(obj)[:80]

    @admin.display(description="Status")
    def state(self, obj):
        if obj.deleted_at:
            return f"Deleted {timezone.localtime(obj.deleted_at):%d %b %H:%M}"
        return obj.get_status_display()

    @admin.display(description="Posted by")
    def posted_by(self, obj):
        return obj.created_by.get_username() if obj.created_by else "removed user"

    @admin.display(description="Posted")
    def posted(self, obj):
        return f"{timezone.localtime(obj.created_at):%d %b %Y %H:%M} by {self.posted_by(obj)}"

    @admin.display(description="Story")
    def article_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:news_article_change", args=[obj.article_id]),
            obj.article,
        )
