"""The stories screen: the list, the change form and its bulk actions, wired to the workflow.

Role rules come from `workflow`, writes go through `news.writing` (the one write path); this
file only wires them in. Every path that changes a story (the change form, the bulk actions,
restore) is checked by `workflow.check` and ends with a revision, so the rules hold however a
request is crafted.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from js_asset import Media
from taggit.models import Tag

from newsroom.desk import preview
from newsroom.desk.admin import history, imports, live, trash
from newsroom.desk.admin.presence import EditingPresence
from newsroom.desk.admin.topics import topic_from_action_bar
from newsroom.desk.forms import (
    ArticleActionForm,
    ArticleAdminForm,
    BylineForm,
    BylineFormSet,
    CorrectionFormSet,
    ExistingAuthorBylineForm,
    RelatedLinkFormSet,
)
from newsroom.news import workflow, writing
from newsroom.news.models import (
    Article,
    Author,
    Byline,
    Correction,
    RelatedLink,
    StatusChange,
)

Status = Article.Status

# get_queryset's rule, said to a writer who opens a story it hides (instead of the admin's
# "doesn't exist", which is not true).
NOT_YOURS = (
    "You don\u2019t have access to this story: writers can open only the stories they created. "
    "Ask an editor if you need it."
)


class BylineInline(admin.TabularInline):
    """The byline rows. A new author (a guest, a wire service) is typed in place by those who
    may add authors; bylines.js turns the position numbers into drag handles and "Move up" /
    "Move down" buttons, and the numbers stay for a browser without JavaScript."""

    model = Byline
    form = BylineForm
    formset = BylineFormSet
    extra = 0
    autocomplete_fields = ["author"]
    fields = ["author", "new_author", "new_author_note", "position"]
    verbose_name = "author"
    verbose_name_plural = "byline (in order)"

    def get_fields(self, request, obj=None):
        if request.user.has_perm("news.add_author"):
            return self.fields
        return ["author", "position"]

    def get_formset(self, request, obj=None, **kwargs):
        if not request.user.has_perm("news.add_author"):
            kwargs["form"] = ExistingAuthorBylineForm
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"user": request.user})


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    formset = RelatedLinkFormSet
    extra = 0
    fields = ["title", "url", "after_paragraph", "position"]
    verbose_name_plural = "related links (\u201cAlso read\u201d)"


class CorrectionInline(admin.StackedInline):
    model = Correction
    formset = CorrectionFormSet
    extra = 0
    fields = ["kind", "text", "noted_at"]
    verbose_name = "correction or update note"
    verbose_name_plural = "corrections and updates (shown to readers)"


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ["changed_at", "from_status", "to_status", "changed_by"]
    readonly_fields = fields
    verbose_name_plural = "workflow history"
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StateFilter(admin.SimpleListFilter):
    """Status as editors think of it: "Scheduled" and "Live" are decided by the clock."""

    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("review", "In review"),
            ("scheduled", "Scheduled"),
            ("live", "Live"),
            ("unpublished", "Unpublished"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "scheduled":
            return queryset.filter(status=Status.PUBLISHED, published_at__gt=now)
        if value == "live":
            return queryset.filter(status=Status.PUBLISHED, published_at__lte=now)
        if value in (Status.DRAFT, Status.REVIEW, Status.UNPUBLISHED):
            return queryset.filter(status=value)
        return queryset


@admin.register(Article)
class ArticleAdmin(trash.TrashOnDelete, EditingPresence, admin.ModelAdmin):
    form = ArticleAdminForm
    action_form = ArticleActionForm
    change_form_template = "admin/news/article/change_form.html"
    list_display = ["title", "state", "published_at", "byline_names", "tag_names", "last_edit"]
    list_filter = [StateFilter, "article_type", "ai_use", "tags", "authors", "lead_image_missing"]
    search_fields = ["title", "standfirst", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [BylineInline, RelatedLinkInline, CorrectionInline, StatusChangeInline]
    actions = [
        "submit_for_review",
        "publish_now",
        "unpublish",
        "return_to_draft",
        "add_tag",
        "delete_selected",  # to the trash: see trash.TrashOnDelete
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "body", "expected_version"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "published_at",
                    "breaking",
                    "breaking_until",
                    "tags",
                    "canonical_url",
                ]
            },
        ),
        (
            "Type and disclosure",
            {
                "description": "What kind of story this is and how AI was used: readers "
                "see both as labels. Fill in the fact-check boxes only for a fact check.",
                "fields": [
                    "article_type",
                    "sponsor_name",
                    "claim_reviewed",
                    "claim_author",
                    "claim_date",
                    "verdict",
                    "verdict_score",
                    "ai_use",
                    "ai_note",
                    "reviewed_by",
                ],
            },
        ),
        ("Live coverage", {"fields": ["live_from", "live_until"]}),
        (
            "Lead image",
            {
                "fields": [
                    "lead_image",
                    ("lead_image_focal_x", "lead_image_focal_y"),
                    "lead_image_alt",
                    "lead_image_decorative",
                    "lead_image_caption",
                    "lead_image_credit",
                    "lead_image_missing",
                ]
            },
        ),
        (
            "Source",
            {"classes": ["collapse"], "fields": ["source_name", "created_at", "updated_at"]},
        ),
    ]

    class Media:
        css = {
            "all": [
                "news/admin/writing-space.css",
                "news/admin/bylines.css",
                "news/admin/focal-point.css",
            ]
        }
        js = [
            "news/admin/tag-suggestions.js",
            "news/admin/bylines.js",
            "news/admin/live-panel.js",
            "news/admin/focal-point.js",
        ]

    # Who sees and changes what

    def get_queryset(self, request):
        queryset = super().get_queryset(request).with_bylines().select_related("last_edited_by")
        if not workflow.is_editor(request.user):
            queryset = queryset.filter(created_by=request.user)
        return queryset

    def get_ordering(self, request):
        # Editors see the stories waiting for them first.
        review_first = Case(
            When(status=Status.REVIEW, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return [review_first.asc(), "-updated_at"]

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or workflow.can_delete(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = ["source_name", "created_at", "updated_at"]
        if not workflow.is_editor(request.user):
            # The reviewing editor is named by an editor, never by the writer.
            fields += ["published_at", "breaking_until", "reviewed_by"]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if workflow.is_editor(request.user):
            return fieldsets
        # Only editors flag breaking news; writers see the flag's time, read-only.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "breaking"]})
            for name, options in fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def render_change_form(self, request, context, *args, **kwargs):
        # The body editor's import map is an inline <script type="importmap">; the admin's
        # Content Security Policy admits it by this request's nonce (admin pages are never
        # cached, so a nonce is never replayed). No other inline script runs.
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        return super().render_change_form(request, context, *args, **kwargs)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(form.instance, "_nothing_changed", False):
            return []  # the unsaved inlines have no saved objects to list
        return super().construct_change_message(request, form, formsets, add)

    def log_change(self, request, obj, message):
        if getattr(obj, "_nothing_changed", False):
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if not getattr(obj, "_nothing_changed", False):
            return super().response_change(request, obj)
        self.message_user(
            request,
            "Nothing was changed, so nothing was saved: no new revision, and the story is as "
            "it was.",
            messages.INFO,
        )
        if "_continue" in request.POST:
            return redirect(request.path)
        if "_addanother" in request.POST:
            return redirect(reverse("admin:news_article_add"))
        return self.response_post_save_change(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not workflow.is_editor(request.user):
            for name in ("publish_now", "unpublish", "return_to_draft"):
                actions.pop(name, None)
        return actions

    # Saving: workflow log and a revision for every save that changes something

    def save_model(self, request, obj, form, change):
        if change:
            # A change is saved in save_related, once the inlines have said whether anything
            # changed at all: a save that changes nothing writes nothing.
            return
        obj.created_by = request.user
        self._save_story(request, obj, form, change=False)

    def _save_story(self, request, obj, form, *, change: bool) -> None:
        writing.save(obj, user=request.user, from_status=form.original_status)

    def save_formset(self, request, form, formset, change):
        if formset.model is Correction:
            for note in formset.save(commit=False):
                note.created_by = note.created_by or request.user
                note.save()
            for note in formset.deleted_objects:
                note.delete()
            return
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        if change:
            if not form.has_changed() and not any(f.has_changed() for f in formsets):
                # No new version, no revision, no history entry: nothing happened.
                form.instance._nothing_changed = True
                return
            self._save_story(request, form.instance, form, change=True)
        super().save_related(request, form, formsets, change)
        article = form.instance
        if not article.bylines.exists():
            own = Author.objects.filter(user=request.user).first()
            if own is not None:
                Byline.objects.create(article=article, author=own, position=0)
        writing.finish(article, user=request.user, summary="Created" if not change else "Edited")

    # Bulk actions

    def _move_each(self, request, queryset, new_status: str, verb: str) -> None:
        moved, refused = 0, []
        for article in queryset:
            if article.status == new_status and not (
                new_status == Status.PUBLISHED and article.is_scheduled
            ):
                continue
            try:
                writing.move(article, new_status, user=request.user, summary=verb.capitalize())
                moved += 1
            except workflow.WorkflowError as exc:
                refused.append(f"\u201c{article.title}\u201d: {exc}")
        if moved:
            self.message_user(
                request, f"{verb.capitalize()}: {moved} stor{'y' if moved == 1 else 'ies'}."
            )
        for line in refused:
            self.message_user(request, f"Not {verb}: {line}", messages.ERROR)
        if not moved and not refused:
            self.message_user(
                request,
                f"Nothing to do: the selected stories are already {verb}.",
                messages.WARNING,
            )

    @admin.action(description="Submit for review")
    def submit_for_review(self, request, queryset):
        # Only drafts go to review: a published story sent there would vanish from the site.
        for article in queryset.exclude(status__in=[Status.DRAFT, Status.REVIEW]):
            self.message_user(
                request,
                f"Not submitted: \u201c{article.title}\u201d is {article.state_label.lower()}; "
                "unpublish it first if it must go back to review.",
                messages.WARNING,
            )
        drafts = queryset.filter(status__in=[Status.DRAFT, Status.REVIEW])
        self._move_each(request, drafts, Status.REVIEW, "submitted for review")

    @admin.action(description="Publish now", permissions=["publish"])
    def publish_now(self, request, queryset):
        self._move_each(request, queryset, Status.PUBLISHED, "published")

    @admin.action(description="Unpublish", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._move_each(request, queryset, Status.UNPUBLISHED, "unpublished")

    @admin.action(description="Return to draft", permissions=["publish"])
    def return_to_draft(self, request, queryset):
        self._move_each(request, queryset, Status.DRAFT, "returned to draft")

    @admin.action(description="Add a topic")
    def add_tag(self, request, queryset):
        tag = topic_from_action_bar(self, request, field="tag", box="Topic")
        if tag is None:
            return
        changed = 0
        for article in queryset:
            if not workflow.can_edit(request.user, article):
                self.message_user(
                    request,
                    f"Not changed: \u201c{article.title}\u201d is not yours to edit.",
                    messages.ERROR,
                )
                continue
            with transaction.atomic():
                article.tags.add(tag)
                writing.save(article, user=request.user)
                writing.finish(article, user=request.user, summary=f"Added topic {tag}")
            changed += 1
        if changed:
            self.message_user(
                request,
                f"Added \u201c{tag}\u201d to {changed} stor{'y' if changed == 1 else 'ies'}.",
            )

    def has_publish_permission(self, request):
        return workflow.is_editor(request.user)

    # List columns

    @admin.display(description="Status", ordering="status")
    def state(self, obj):
        if obj.is_scheduled:
            return f"Scheduled for {timezone.localtime(obj.published_at):%d %b %Y %H:%M}"
        if obj.is_breaking:
            return f"Live, breaking news until {timezone.localtime(obj.breaking_until):%d %b %H:%M}"
        return obj.state_label

    @admin.display(description="Authors")
    def byline_names(self, obj):
        return ", ".join(author.name for author in obj.byline)

    @admin.display(description="Topics")
    def tag_names(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())

    @admin.display(description="Last edited", ordering="updated_at")
    def last_edit(self, obj):
        return f"{timezone.localtime(obj.updated_at):%d %b %H:%M} by {obj.last_editor}"

    # Links: view on site (or a preview while not live), revisions, topic suggestions

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_live else preview.preview_url(obj)

    def _refuse_if_hidden(self, request, object_id):
        """The story list with NOT_YOURS when the story exists but is another writer's; None
        when the user may open it or it really doesn't exist (the admin says so then). A story in
        the trash says so, to whoever may know of it."""
        if refused := trash.refuse_if_trashed(self, request, object_id):
            return refused
        if workflow.is_editor(request.user):
            return None
        try:
            pk = int(unquote(str(object_id)))
        except ValueError:
            return None
        if self.get_queryset(request).filter(pk=pk).exists():
            return None
        if not Article.objects.filter(pk=pk).exists():
            return None
        self.message_user(request, NOT_YOURS, messages.ERROR)
        return redirect("admin:news_article_changelist")

    def delete_view(self, request, object_id, extra_context=None):
        if refused := self._refuse_if_hidden(request, object_id):
            return refused
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        if refused := self._refuse_if_hidden(request, object_id):
            return refused
        return super().history_view(request, object_id, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if refused := self._refuse_if_hidden(request, object_id):
            return refused
        extra_context = extra_context or {}
        article = self.get_object(request, object_id)
        if article is not None:
            # The story as stored, for the status line: after a refused save the admin's
            # `original` carries what the form posted ("Live" for a refused publish).
            extra_context["stored"] = article
            extra_context["preview_url"] = request.build_absolute_uri(preview.preview_url(article))
            extra_context["preview_days"] = max(1, preview.max_age() // 86400)
            extra_context.update(live.panel_context(request, article))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/revisions/", wrap(self.revisions_view), name="news_article_revisions"),
            path(
                "<int:pk>/revisions/<int:number>/restore/",
                wrap(self.restore_view),
                name="news_article_restore",
            ),
            path(
                "<int:pk>/updates/post/",
                wrap(self.post_update_view),
                name="news_article_post_update",
            ),
            path("<int:pk>/coverage/", wrap(self.coverage_view), name="news_article_coverage"),
            path(
                "<int:pk>/revisions/<int:number>/preview/",
                wrap(self.revision_preview_view),
                name="news_article_revision_preview",
            ),
            path("tag-suggestions/", wrap(self.tag_suggestions_view), name="news_tag_suggestions"),
            path("import/", wrap(self.import_view), name="news_article_import"),
            *super().get_urls(),
        ]

    def _article_or_404(self, request, pk):
        article = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def revisions_view(self, request, pk):
        return history.revisions_view(self, request, pk)

    def revision_preview_view(self, request, pk, number):
        return history.preview_view(self, request, pk, number)

    def restore_view(self, request, pk, number):
        return history.restore_view(self, request, pk, number)

    def post_update_view(self, request, pk):
        return live.post_update_view(self, request, pk)

    def coverage_view(self, request, pk):
        return live.coverage_view(self, request, pk)

    def import_view(self, request):
        """Upload scraped files: a dry run first, then the same import `import_seeds` does."""
        return imports.import_view(self, request)

    def tag_suggestions_view(self, request):
        """Existing topics starting with what the editor has typed, for the tags box."""
        term = request.GET.get("q", "").strip()[:100]
        names = (
            list(
                Tag.objects.filter(name__istartswith=term)
                .order_by("name")
                .values_list("name", flat=True)[:10]
            )
            if term
            else []
        )
        return JsonResponse({"results": names})
