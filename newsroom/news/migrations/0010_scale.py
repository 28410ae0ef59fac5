"""What keeps the public pages as fast at 100,000 stories as at 1,000 (issue 6).

- An index of the stories the sitemap lists (ours, not republished ones), so it counts them
  off the index.
- PostgreSQL: the search document becomes a stored generated column, GIN-indexed under the old
  index's name, so ranking reads the stored vector instead of parsing every matching body again.
  The database keeps it on every write. (A later change of type to title, standfirst or body
  must drop and re-add the column around it: PostgreSQL refuses to alter a column a generated
  column reads.) The expression is written out here so this migration means the same thing
  forever; it is `newsroom.search.query.search_vector()`.
- SQLite: the queue of stories written since the last search (filled by triggers that the
  search installs, see newsroom/search/query.py).
"""

from django.db import migrations, models

DOCUMENT_COLUMN = "search_document"
INDEX_NAME = "news_article_search"
DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(standfirst, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(body, '')), 'C')"
)
PENDING_TABLE = "news_article_fts_pending"
TRIGGERS = ("news_article_fts_added", "news_article_fts_changed", "news_article_fts_deleted")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")
        schema_editor.execute(
            f"ALTER TABLE news_article ADD COLUMN {DOCUMENT_COLUMN} tsvector "
            f"GENERATED ALWAYS AS ({DOCUMENT}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX {INDEX_NAME} ON news_article USING gin ({DOCUMENT_COLUMN})"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TABLE IF NOT EXISTS {PENDING_TABLE} (id integer NOT NULL PRIMARY KEY)"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE news_article DROP COLUMN {DOCUMENT_COLUMN}")
        schema_editor.execute(f"CREATE INDEX {INDEX_NAME} ON news_article USING gin (({DOCUMENT}))")
    elif vendor == "sqlite":
        # The triggers first: they all write to the queue, and left behind they would break
        # every later save. The search of 0006's time puts its own back (and reindexes).
        for trigger in TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {PENDING_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0009_query_budget_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["status", "canonical_url", "published_at"],
                name="news_article_indexable_idx",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
