"""Slug help texts without "<slug>": the admin shows help text as HTML, where it read "/news//"."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0010_scale"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="slug",
            field=models.SlugField(
                allow_unicode=True,
                help_text="The end of the story's address, filled from the headline: "
                "/news/drones-over-japan/ for \u201cDrones over Japan\u201d. Changing it breaks "
                "links already shared.",
                max_length=200,
                unique=True,
            ),
        ),
        migrations.AlterField(
            model_name="author",
            name="slug",
            field=models.SlugField(
                allow_unicode=True,
                help_text="The end of the author's page address: /authors/ann-lee/ for Ann Lee.",
                max_length=200,
                unique=True,
            ),
        ),
    ]
