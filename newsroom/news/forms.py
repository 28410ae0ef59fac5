from django import forms
from django.utils import timezone

from .models import Article


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007  (the admin's fieldsets choose what is shown)
        widgets = {
            "standfirst": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 20}),
        }

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") == Article.Status.PUBLISHED
            and not cleaned.get("published_at")
            and "published_at" not in self.errors
        ):
            # "Published" with no time means "now"; a time in the future schedules the story.
            cleaned["published_at"] = timezone.now()
        if cleaned.get("lead_image") and not cleaned.get("lead_image_alt", "").strip():
            self.add_error(
                "lead_image_alt",
                "Describe the image for readers who cannot see it (what it shows, in a sentence).",
            )
        return cleaned
