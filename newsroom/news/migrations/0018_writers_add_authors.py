"""Writers may add authors: a guest or wire byline is added from the story they are writing.

Only adding: changing and deleting authors stay the editors' (see docs/editors-guide.md).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    news = apps.get_app_config("news")
    news.models_module = True
    create_permissions(news, apps=apps, verbosity=0)
    news.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(content_type__app_label="news", codename="add_author")
    for group in Group.objects.filter(name="Writer"):
        group.permissions.add(*permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(content_type__app_label="news", codename="add_author")
    for group in Group.objects.filter(name="Writer"):
        group.permissions.remove(*permission)


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0017_plain_names"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
