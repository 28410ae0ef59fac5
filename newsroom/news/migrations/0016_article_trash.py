"""The trash (issue 15): a deleted story keeps its row, with `deleted_at` and `deleted_by`, for
30 days. `published()` checks `deleted_at`, so it joins the end of the two indexes that listings
and the sitemap count read off alone; a partial index finds the few stories in the trash."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('news', '0015_live_coverage'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='article',
            name='news_article_live_idx',
        ),
        migrations.RemoveIndex(
            model_name='article',
            name='news_article_indexable_idx',
        ),
        migrations.AddField(
            model_name='article',
            name='deleted_at',
            field=models.DateTimeField(blank=True, editable=False, help_text="Set while the story is in the trash: readers don't see it, and it can be restored until it has been there 30 days.", null=True, verbose_name='moved to the trash'),
        ),
        migrations.AddField(
            model_name='article',
            name='deleted_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['status', 'published_at', 'created_at', 'deleted_at'], name='news_article_live_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['status', 'canonical_url', 'published_at', 'deleted_at'], name='news_article_indexable_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(condition=models.Q(('deleted_at__isnull', False)), fields=['deleted_at'], name='news_article_trash_idx'),
        ),
    ]
