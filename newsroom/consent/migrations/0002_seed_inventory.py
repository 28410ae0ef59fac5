"""Seeds the four categories and the site's own necessary cookies; editors maintain them after.

The texts are marked for translation (without translating them here: the rows hold English) so
that the French catalogue carries them; templates translate a row's text while an editor has
not reworded it.
"""

from django.db import migrations
from django.utils.translation import gettext_noop as _

CATEGORIES = [
    (
        "necessary",
        _("Necessary"),
        _(
            "Needed for the site to work and to remember your cookie choice. "
            "They are always on and cannot be turned off."
        ),
        True,
    ),
    (
        "preferences",
        _("Preferences"),
        _("Remember settings you choose, such as text size, between visits."),
        False,
    ),
    (
        "analytics",
        _("Analytics"),
        _(
            "Count visits and see which stories are read, so we can improve our reporting. "
            "Nothing is shared with other sites."
        ),
        False,
    ),
    ("marketing", _("Marketing"), _("Show advertising and measure whether it works."), False),
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
