"""The Writer and Editor groups, with the permissions the admin enforces.

Permissions are normally created after all migrations run (post_migrate), so this migration
creates them itself first; running it again (or after new permissions appear) only adds what is
missing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER = {
    "news": [
        "add_article", "change_article", "delete_article", "view_article",
        "view_author",
        "add_byline", "change_byline", "delete_byline", "view_byline",
        "add_relatedlink", "change_relatedlink", "delete_relatedlink", "view_relatedlink",
        "view_revision", "view_statuschange",
    ],
    "taggit": ["view_tag"],
}
EDITOR = {
    "news": [
        "add_article", "change_article", "delete_article", "view_article", "publish_article",
        "add_author", "change_author", "delete_author", "view_author",
        "add_byline", "change_byline", "delete_byline", "view_byline",
        "add_relatedlink", "change_relatedlink", "delete_relatedlink", "view_relatedlink",
        "add_correction", "change_correction", "delete_correction", "view_correction",
        "view_revision", "view_statuschange",
    ],
    "taggit": [
        "add_tag", "change_tag", "delete_tag", "view_tag",
        "add_taggeditem", "change_taggeditem", "delete_taggeditem", "view_taggeditem",
    ],
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in (("Writer", WRITER), ("Editor", EDITOR)):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in wanted.items():
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Writer", "Editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("news", "0002_workflow_revisions_corrections"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
