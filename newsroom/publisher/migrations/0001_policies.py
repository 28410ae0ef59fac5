"""The outlet's policy pages, and the Editor role's right to keep them (writers may not).

Permissions are normally created after all migrations run (post_migrate), so this migration
creates its own first, as news' 0015 does.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

PERMISSIONS = ["add_policy", "change_policy", "delete_policy", "view_policy"]


def grant(apps, schema_editor):
    publisher = apps.get_app_config("publisher")
    publisher.models_module = True
    create_permissions(publisher, apps=apps, verbosity=0)
    publisher.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="publisher", codename__in=PERMISSIONS
    )
    for group in Group.objects.filter(name="Editor"):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('news', '0003_roles'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='Policy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('ethics', 'Ethics policy'), ('corrections', 'Corrections policy'), ('ownership-funding', 'Ownership and funding'), ('masthead', 'Masthead'), ('contact', 'Contact and feedback'), ('ai-use', 'Use of AI')], help_text="Which policy this page is. Each kind has one page (the ethics policy is at /about/ethics/) and its own place in the site's structured data.", max_length=30, unique=True)),
                ('title', models.CharField(help_text="The page's heading, e.g. “How we correct mistakes”.", max_length=200)),
                ('summary', models.CharField(blank=True, help_text='One sentence for the list of policies and for search engines. Plain text.', max_length=300)),
                ('body', models.TextField(help_text='The policy itself.')),
                ('is_live', models.BooleanField(default=False, help_text="Show this page to readers, link it in every page's footer and in the site's structured data. Untick to take it down (its address then says not found).", verbose_name='published')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='last changed')),
            ],
            options={
                'verbose_name': 'policy',
                'verbose_name_plural': 'policies',
                'ordering': ['kind'],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
