"""Live coverage: a story's coverage times, its updates and their log, and who may post them.

Writers may post, change and delete updates (on their own stories, as the admin and
`workflow.py` say); editors may do anything to them. Named 0014 while other 0013s are in
flight: whoever merges renumbers.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# Both roles: what a writer may do to which update is workflow.py's to say.
PERMISSIONS = ["add_liveupdate", "change_liveupdate", "delete_liveupdate", "view_liveupdate",
               "view_liveupdatechange"]


def grant(apps, schema_editor):
    news = apps.get_app_config("news")
    news.models_module = True
    create_permissions(news, apps=apps, verbosity=0)
    news.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="news", codename__in=PERMISSIONS)
    for group in Group.objects.filter(name__in=["Writer", "Editor"]):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ('news', '0014_breaking_news'),
        ('news', '0003_roles'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LiveUpdate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('shown_at', models.DateTimeField(default=django.utils.timezone.now, help_text='Shown to readers beside the update; the time it was posted unless you change it. Not in the future.', verbose_name='time')),
                ('headline', models.CharField(blank=True, help_text='Optional: a few words above the update. Plain text.', max_length=200)),
                ('body', models.TextField(help_text="The update. Cleaned on save, like a story's body: paragraphs, lists, quotes, emphasis and links are kept.")),
                ('key_event', models.BooleanField(default=False, help_text='Listed under “Key events” at the top of the page.', verbose_name='key event')),
                ('pinned', models.BooleanField(default=False, help_text='Kept at the top of the updates, above the newest.')),
                ('status', models.CharField(choices=[('pending', 'Waiting for an editor'), ('approved', 'Approved')], default='approved', help_text="A writer's update on a published story waits for an editor's approval.", max_length=20)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('deleted_at', models.DateTimeField(blank=True, editable=False, help_text='Readers no longer see a deleted update; the record of it stays.', null=True)),
            ],
            options={
                'verbose_name': 'live update',
                'ordering': ['-shown_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='LiveUpdateChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('posted', 'Posted'), ('edited', 'Edited'), ('approved', 'Approved'), ('deleted', 'Deleted')], max_length=20)),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['-changed_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='article',
            name='live_from',
            field=models.DateTimeField(blank=True, help_text='Makes the story live coverage: readers see a LIVE label and its updates, newest first, from this time. Leave empty for an ordinary story.', null=True, verbose_name='live coverage from'),
        ),
        migrations.AddField(
            model_name='article',
            name='live_until',
            field=models.DateTimeField(blank=True, help_text='When the coverage ended (or will end): the LIVE label goes, and the page says “Live coverage ended at” this time. Empty while it goes on.', null=True, verbose_name='live coverage until'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['live_from'], name='news_article_live_from_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['live_until'], name='news_article_live_until_idx'),
        ),
        migrations.AddField(
            model_name='liveupdate',
            name='article',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='updates', to='news.article', verbose_name='story'),
        ),
        migrations.AddField(
            model_name='liveupdate',
            name='authors',
            field=models.ManyToManyField(blank=True, help_text="Who wrote it; empty means the story's byline.", related_name='live_updates', to='news.author'),
        ),
        migrations.AddField(
            model_name='liveupdate',
            name='created_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='liveupdatechange',
            name='changed_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='liveupdatechange',
            name='update',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='news.liveupdate'),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
