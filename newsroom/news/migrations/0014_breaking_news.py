"""Breaking news: the time until which a story's banner shows on every page, and its (partial)
index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0013_related_link_placement"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="breaking_until",
            field=models.DateTimeField(
                blank=True,
                help_text="While this time is ahead and the story is live, a banner linking to "
                "it shows at the top of every page, then comes down by itself. 2 hours by "
                "default, at most 24 (counted from when the story goes live, if it is "
                "scheduled), in the newsroom's time zone. If several stories are flagged, the "
                "newest shows.",
                null=True,
                verbose_name="breaking news until",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("breaking_until__isnull", False)),
                fields=["status", "breaking_until"],
                name="news_article_breaking_idx",
            ),
        ),
    ]
