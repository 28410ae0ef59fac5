"""The policies screen: the outlet's ethics, corrections, ownership, masthead, contact and AI-use
pages, written with the stories' body editor and cleaned when saved (Policy.save)."""

from django import forms
from django.contrib import admin
from js_asset import Media

from newsroom.desk.forms import BODY_EXTENSIONS, BodyField, NamedProseEditorWidget
from newsroom.publisher.models import Policy


class PolicyAdminForm(forms.ModelForm):
    body = BodyField(
        extensions=BODY_EXTENSIONS,
        widget=NamedProseEditorWidget,
        max_length=200_000,
        error_messages={
            "required": "Write the policy before saving: readers would find an empty page.",
            "max_length": "The policy is too long: at most %(limit_value)s characters (this one "
            "has %(show_value)s). Split it into two kinds, or shorten it.",
        },
    )

    class Meta:
        model = Policy
        fields = ["kind", "title", "summary", "body", "is_live"]
        error_messages = {
            "kind": {
                "unique": "There is already a page of this kind: open it from the list of "
                "policies and change it there.",
            },
        }


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyAdminForm
    list_display = ["title", "kind", "is_live", "updated_at"]
    list_filter = ["is_live"]
    search_fields = ["title", "body"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "summary", "body"]}),
        ("On the site", {"fields": ["is_live"]}),
    ]

    def render_change_form(self, request, context, *args, **kwargs):
        # The body editor's import map, admitted by this request's nonce (as on a story's page).
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        return super().render_change_form(request, context, *args, **kwargs)

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_live else None
