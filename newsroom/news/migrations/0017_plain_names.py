"""Plain names in the admin: the Topic proxy of taggit's tag (the topics screen), the story's
tags labelled "topics" (form and list filter), and "address" for a slug. Labels only: no table
changes."""

import taggit.managers
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0016_article_trash"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="Topic",
            fields=[],
            options={
                "verbose_name": "topic",
                "verbose_name_plural": "topics",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("taggit.tag",),
        ),
        migrations.AlterField(
            model_name="article",
            name="tags",
            field=taggit.managers.TaggableManager(
                blank=True,
                help_text="Comma-separated topics, e.g. Defence, Japan.",
                through="taggit.TaggedItem",
                to="taggit.Tag",
                verbose_name="topics",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="slug",
            field=models.SlugField(
                "address",
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
                "address",
                allow_unicode=True,
                help_text="The end of the author's page address: /authors/ann-lee/ for Ann Lee.",
                max_length=200,
                unique=True,
            ),
        ),
    ]
