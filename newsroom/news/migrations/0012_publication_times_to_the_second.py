"""Publication times stored to the second, as the admin shows them and Article.save now stores them.

The import used to keep a fraction of a second, which the admin's form drops: the first save
of an untouched imported story then counted as a change of publication time (a new version, a
revision, a line in a conflict message). Rows written before are brought in line once, here.
Done in Python rather than with a SQL truncation: on SQLite, Django's truncation works in the
current time zone, and written back it would move the time.
"""

from django.db import migrations

BATCH = 500


def drop_fractions(apps, schema_editor):
    Article = apps.get_model("news", "Article")
    rows = Article.objects.exclude(published_at=None).only("pk", "published_at").order_by("pk")
    changed = []
    for article in rows.iterator(chunk_size=2000):
        if article.published_at.microsecond:
            article.published_at = article.published_at.replace(microsecond=0)
            changed.append(article)
        if len(changed) >= BATCH:
            Article.objects.bulk_update(changed, ["published_at"])
            changed = []
    Article.objects.bulk_update(changed, ["published_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0011_slug_help_text"),
    ]

    operations = [
        migrations.RunPython(drop_fractions, migrations.RunPython.noop, elidable=True),
    ]
