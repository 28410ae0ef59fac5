"""The topics screen: taggit's tags as the newsroom's topics, with story counts and merging."""

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag, TaggedItem

from newsroom.desk.forms import TagActionForm
from newsroom.news import writing
from newsroom.news.models import TAG_MAX_CHARS, Article


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


@admin.register(Tag)
class TagAdmin(TaggitTagAdmin):
    action_form = TagActionForm
    actions = ["merge_tags"]
    list_display = ["name", "slug", "story_count"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(stories=models.Count("taggit_taggeditem_items"))
        )

    @admin.display(description="Stories", ordering="stories")
    def story_count(self, obj):
        return obj.stories

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
