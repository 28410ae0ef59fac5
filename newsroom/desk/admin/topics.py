"""The topics screen: taggit's tags as the newsroom's topics, with story counts and merging.

It shows the `Topic` proxy, so the admin says "Topics" where taggit would say "Tags", and asks
taggit's own tag permissions (the ones the Writer and Editor roles hold), so the roles are
still written once.
"""

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.urls import reverse
from django.utils.html import format_html
from taggit.models import Tag, TaggedItem

from newsroom.desk.forms import TagActionForm
from newsroom.news import writing
from newsroom.news.models import TAG_MAX_CHARS, Article, Topic


def topic_from_action_bar(model_admin, request, *, field: str, box: str) -> str | None:
    """The topic typed beside the action menu, or None after telling the editor what's wrong."""
    name = request.POST.get(field, "").strip()
    if not name:
        problem = f"Type the topic in the \u201c{box}\u201d box beside the action menu."
    elif len(name) > TAG_MAX_CHARS:
        problem = f"A topic can be at most {TAG_MAX_CHARS} characters."
    else:
        return name
    model_admin.message_user(request, problem, messages.ERROR)
    return None


admin.site.unregister(Tag)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    action_form = TagActionForm
    actions = ["merge_tags"]
    list_display = ["name", "address", "story_count"]
    ordering = ["name"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "stories_link"]
    readonly_fields = ["stories_link"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(stories=models.Count("taggit_taggeditem_items"))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["labels"] = {"slug": "Address"}
        kwargs["help_texts"] = {
            "slug": "The end of the topic's page address, filled from the name: /tags/defence/ "
            "for Defence. Changing it breaks links already shared."
        }
        return super().get_form(request, obj, change=change, **kwargs)

    def get_deleted_objects(self, objs, request):
        # To Django, deleting a topic deletes taggit's "tagged items"; to an editor, stories
        # lose the topic and stay. The confirmation page says that instead.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if links := counts.pop(TaggedItem._meta.verbose_name_plural, 0):
            counts["stories that lose it (the stories stay)"] = links
        return [d for d in deleted if not isinstance(d, list)], counts, perms_needed, protected

    # Taggit's tag permissions, which the roles hold, rather than the proxy's own.

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("taggit.view_tag") or self.has_change_permission(request)

    def has_add_permission(self, request):
        return request.user.has_perm("taggit.add_tag")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("taggit.change_tag")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("taggit.delete_tag")

    @admin.display(description="Address", ordering="slug")
    def address(self, obj):
        return reverse("news:tag_detail", kwargs={"slug": obj.slug})

    @admin.display(description="Stories", ordering="stories")
    def story_count(self, obj):
        return obj.stories

    @admin.display(description="Stories")
    def stories_link(self, obj):
        if obj.pk is None:
            return "None yet."
        url = reverse("admin:news_article_changelist") + f"?tags__id__exact={obj.pk}"
        count = obj.stories
        return format_html('<a href="{}">{} stor{}</a>', url, count, "y" if count == 1 else "ies")

    @admin.action(description="Merge selected topics into\u2026", permissions=["change"])
    def merge_tags(self, request, queryset):
        name = topic_from_action_bar(self, request, field="target", box="Into")
        if name is None:
            return
        with transaction.atomic():
            target = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
            merged = [tag for tag in queryset if tag.pk != target.pk]
            touched = set(
                TaggedItem.objects.filter(
                    tag__in=merged, content_type=ContentType.objects.get_for_model(Article)
                ).values_list("object_id", flat=True)
            )
            for item in TaggedItem.objects.filter(tag__in=merged).select_for_update():
                already = TaggedItem.objects.filter(
                    tag=target, content_type_id=item.content_type_id, object_id=item.object_id
                ).exists()
                if already:
                    item.delete()
                else:
                    item.tag = target
                    item.save(update_fields=["tag"])
            for tag in merged:
                tag.delete()
            # The stories changed: a new version (so a form opened before the merge can't put
            # the old topic back) and a revision, like any other edit.
            for article in Article.objects.filter(pk__in=touched):
                writing.save(article, user=request.user)
                writing.finish(article, user=request.user, summary=f"Topics merged into {name}")
        topics = f"{len(merged)} topic{'s' if len(merged) != 1 else ''}"
        self.message_user(request, f"Merged {topics} into \u201c{target.name}\u201d.")
