"""Related links get a place in the story: `after_paragraph`, apart from their order (`position`).

Until now `position` was both the order of the links and, for imported ones, the number of
source paragraphs before the "Also Read" line, standfirst included; no page showed a link
anywhere but in the list under the story. An imported story's links are placed here where its
source had them: the source's first paragraph became the standfirst, so a link with N source
paragraphs before it goes after paragraph N - 1 of the body (0: at the top of the body).

A link at position 0 is placed only when the story is as it was imported (its fingerprint
still matches): 0 is also the default of a link an editor added, which stays in the list.
Stories written in the admin keep every link in the list. The fingerprint now covers the
placement too (an editor moving a link is an edit a re-import must not overwrite), so the
untouched stories' fingerprints are computed again, and a re-import still recognises them.
"""

import hashlib
import json

from django.db import migrations, models

BATCH = 500


def _fingerprint(article, links, *, placed: bool) -> str:
    """Article.fingerprint as it was before this migration (placed=False) and after it."""
    rows = [
        (r.title, r.url, r.position, r.after_paragraph) if placed else (r.title, r.url, r.position)
        for r in links
    ]
    canonical = json.dumps(
        [article.title, article.standfirst, article.body, rows], ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _imported_stories_with_links(apps):
    Article = apps.get_model("news", "Article")
    RelatedLink = apps.get_model("news", "RelatedLink")
    ordered = RelatedLink.objects.order_by("position", "id")
    return (
        Article.objects.exclude(source_name="")
        .filter(pk__in=RelatedLink.objects.values("article_id"))
        .only("pk", "title", "standfirst", "body", "import_fingerprint")
        .order_by("pk")
        .prefetch_related(models.Prefetch("related_links", queryset=ordered))
        .iterator(chunk_size=BATCH)
    )


def place_imported_links(apps, schema_editor):
    Article = apps.get_model("news", "Article")
    RelatedLink = apps.get_model("news", "RelatedLink")
    articles, links = [], []
    for article in _imported_stories_with_links(apps):
        story_links = list(article.related_links.all())
        untouched = article.import_fingerprint == _fingerprint(article, story_links, placed=False)
        for link in story_links:
            if link.position >= 1 or untouched:
                link.after_paragraph = max(link.position - 1, 0)
                links.append(link)
        if untouched:
            article.import_fingerprint = _fingerprint(article, story_links, placed=True)
            articles.append(article)
        if len(articles) >= BATCH or len(links) >= BATCH:
            Article.objects.bulk_update(articles, ["import_fingerprint"])
            RelatedLink.objects.bulk_update(links, ["after_paragraph"])
            articles, links = [], []
    Article.objects.bulk_update(articles, ["import_fingerprint"])
    RelatedLink.objects.bulk_update(links, ["after_paragraph"])


def unplace_imported_links(apps, schema_editor):
    """Back to the fingerprints of before: the placements go with their column."""
    Article = apps.get_model("news", "Article")
    articles = []
    for article in _imported_stories_with_links(apps):
        story_links = list(article.related_links.all())
        if article.import_fingerprint == _fingerprint(article, story_links, placed=True):
            article.import_fingerprint = _fingerprint(article, story_links, placed=False)
            articles.append(article)
        if len(articles) >= BATCH:
            Article.objects.bulk_update(articles, ["import_fingerprint"])
            articles = []
    Article.objects.bulk_update(articles, ["import_fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0012_publication_times_to_the_second"),
    ]

    operations = [
        migrations.AddField(
            model_name="relatedlink",
            name="after_paragraph",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                help_text="Show it inside the story, after this paragraph of the body: 1 after "
                "the first, 0 at the very top. Headings, lists and quotes are not counted. Leave "
                "empty to list it under \u201cRelated stories\u201d.",
                verbose_name="show after paragraph",
            ),
        ),
        migrations.AlterField(
            model_name="relatedlink",
            name="position",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Links are shown lowest first, in the list and after the same "
                "paragraph. An import numbers them by the paragraphs before them in the source.",
                verbose_name="order",
            ),
        ),
        migrations.RunPython(place_imported_links, unplace_imported_links),
    ]
