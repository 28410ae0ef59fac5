"""People: the Person proxy of the user account (the People screen) and the Editor-in-chief
group, whose members may add people and change their roles and access.

An editor-in-chief is an editor too: the role puts a person in both the Editor group and this
one (newsroom/desk/people.py), so the Editor group's permissions stay written once. As in
news' roles migration, the permissions are created here first (Django otherwise makes them
after all migrations), and running it again only adds what is missing.
"""

import django.contrib.auth.models
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Editor-in-chief"
PERMISSIONS = ["view_person", "add_person", "change_person"]


def create_group(apps, schema_editor):
    app_config = apps.get_app_config("desk")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="desk", codename__in=PERMISSIONS)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("news", "0003_roles"),
        ("desk", "0001_editing_sessions"),
    ]

    operations = [
        migrations.CreateModel(
            name="Person",
            fields=[],
            options={
                "verbose_name": "person",
                "verbose_name_plural": "people",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("auth.user",),
            managers=[
                ("objects", django.contrib.auth.models.UserManager()),
            ],
        ),
        migrations.RunPython(create_group, remove_group),
    ]
