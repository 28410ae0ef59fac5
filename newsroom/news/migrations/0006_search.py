"""Full-text search: a GIN index on PostgreSQL, an FTS5 table on SQLite.

Each half runs only on its own database and the other does nothing, so one migration history
serves both. The index expression is written out here rather than imported, so this migration
means the same thing forever; it must match `newsroom.search.query.search_vector()` or
PostgreSQL silently stops using the index, which tests/test_search.py checks in the plan.

On SQLite the FTS5 table is filled, and its triggers installed, by the first search (see
newsroom/search/query.py for why Python, not SQL, keeps it).
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "news_article_search"
FTS_TABLE = "news_article_fts"
FTS_TRIGGERS = ("news_article_fts_changed", "news_article_fts_deleted")


def search_index():
    return GinIndex(
        SearchVector("title", config="english", weight="A")
        + SearchVector("standfirst", config="english", weight="B")
        + SearchVector("body", config="english", weight="C"),
        name=INDEX_NAME,
    )


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.add_index(apps.get_model("news", "Article"), search_index())
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, standfirst, body, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("news", "Article"), search_index())
    elif vendor == "sqlite":
        # Triggers first: left behind, they would break every later save of a story.
        for trigger in FTS_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0005_story_names"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
