"""Seeds the four categories and the site's own necessary cookies; editors maintain them after."""

from django.db import migrations

CATEGORIES = [
    (
        "necessary",
        "Necessary",
        "Needed for the site to work and to remember your cookie choice. "
        "They are always on and cannot be turned off.",
        True,
    ),
    (
        "preferences",
        "Preferences",
        "Remember settings you choose, such as text size, between visits.",
        False,
    ),
    (
        "analytics",
        "Analytics",
        "Count visits and see which stories are read, so we can improve our reporting. "
        "Nothing is shared with other sites.",
        False,
    ),
    ("marketing", "Marketing", "Show advertising and measure whether it works.", False),
]
NECESSARY_COOKIES = [
    (
        "sessionid",
        "Keeps editors signed in to the newsroom's admin. Not set for readers.",
        "Two weeks",
    ),
    (
        "csrftoken",
        "Protects forms editors submit from forgery. Not set for readers.",
        "One year",
    ),
    (
        "newsroom_consent",
        "Remembers your cookie choice and its random consent id, so we do not ask again.",
        "Six months",
    ),
]


def seed(apps, schema_editor):
    Category = apps.get_model("consent", "Category")
    Cookie = apps.get_model("consent", "Cookie")
    for position, (key, name, description, required) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "description": description,
                "required": required,
                "position": position,
            },
        )
    necessary = Category.objects.get(key="necessary")
    for name, purpose, duration in NECESSARY_COOKIES:
        Cookie.objects.get_or_create(
            name=name,
            domain="",
            path="/",
            defaults={
                "category": necessary,
                "provider": "This site",
                "purpose": purpose,
                "duration": duration,
                "party": "first",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
