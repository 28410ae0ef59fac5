import hashlib
import importlib
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from newsroom.news.models import Article, Author, Correction, StatusChange, Topic, unique_slug
from tests.factories import make_article, make_fact_check, make_related_link

pytestmark = pytest.mark.django_db


def test_published_is_status_and_time_together():
    now = timezone.now()
    live = make_article(title="Live", published_at=now - timedelta(minutes=1))
    make_article(title="Scheduled", published_at=now + timedelta(minutes=1))
    make_article(title="Draft with a past time", status=Article.Status.DRAFT, published_at=now)
    make_article(title="Draft", status=Article.Status.DRAFT)
    assert list(Article.objects.published()) == [live]


def test_body_is_cleaned_on_every_save():
    article = make_article(body='<p onclick="x()">Hi<script>bad()</script></p>')
    article.refresh_from_db()
    assert article.body == "<p>Hi</p>"


def test_uploading_a_lead_image_clears_the_missing_flag():
    article = make_article()
    article.lead_image_missing = True
    article.lead_image.name = "lead-images/x.jpg"
    article.save()
    assert not Article.objects.get(pk=article.pk).lead_image_missing


def test_unique_slug_counts_up():
    make_article(slug="same")
    make_article(slug="same-2")
    assert unique_slug(Article, "Same") == "same-3"
    assert unique_slug(Author, "!!!") == "story"


@pytest.mark.parametrize("model", [Topic, Topic._meta.concrete_model])
def test_a_topic_named_only_in_punctuation_gets_a_made_up_address(model):
    """Through taggit's Tag and the Topic proxy the topics screen saves with alike."""
    assert model.objects.create(name="!!!").slug.startswith("topic-")


def test_source_name_is_unique_but_blank_is_allowed_many_times():
    make_article()
    make_article()
    Article.objects.filter(pk=Article.objects.first().pk).update(source_name="a.txt")
    with pytest.raises(IntegrityError):
        Article.objects.create(title="Dup", slug="dup", source_name="a.txt")


def test_a_silent_save_does_not_move_the_updated_time_but_a_note_does():
    article = make_article(published_at=timezone.now() - timedelta(days=1))
    article.body = "<p>Typo fixed.</p>"
    article.save()
    assert article.modified_at is None
    noted = timezone.now() - timedelta(minutes=5)
    Correction.objects.create(article=article, text="We misspelt a name.", noted_at=noted)
    assert Article.objects.get(pk=article.pk).modified_at == noted


def test_state_label_follows_the_clock():
    now = timezone.now()
    assert make_article(published_at=now + timedelta(hours=1)).state_label == "Scheduled"
    assert make_article(published_at=now - timedelta(hours=1)).state_label == "Live"
    assert make_article(status=Article.Status.REVIEW).state_label == "In review"


def test_every_full_save_bumps_the_version():
    article = make_article()
    first = article.version
    article.save()
    article.save(update_fields=["import_fingerprint"])
    assert article.version == first + 1


def test_lead_image_size_is_stored_at_upload_and_a_missing_file_breaks_nothing(client):
    from django.core.files.base import ContentFile

    from tests.test_views import TINY_GIF

    article = make_article()
    article.lead_image.save("one.gif", ContentFile(TINY_GIF), save=False)
    article.lead_image_alt = "A dot"
    article.save()
    assert (article.lead_image_width, article.lead_image_height) == (1, 1)
    article.lead_image.storage.delete(article.lead_image.name)
    loaded = Article.objects.get(pk=article.pk)
    loaded.save()
    assert client.get(loaded.get_absolute_url()).status_code == 200


def test_related_links_lead_to_our_live_namesake_with_or_without_the_page_annotation(
    django_assert_num_queries,
):
    ours = make_article(title="Drones Over The Strait")
    make_article(title="Unpublished namesake", status=Article.Status.DRAFT)
    story = make_article(
        related=[
            ("Their story", "https://example.com/theirs"),
            ("DRONES over the strait", ""),
            ("Unpublished namesake", ""),
        ]
    )
    expected = [
        ("Their story", "https://example.com/theirs"),
        ("DRONES over the strait", ours.get_absolute_url()),
        ("Unpublished namesake", ""),
    ]
    # The story with its links, then bylines, topics and notes: four, however many of each.
    with django_assert_num_queries(4):
        loaded = Article.objects.with_page_data().get(pk=story.pk)
    with django_assert_num_queries(0):
        assert [(link.title, link.href) for link in loaded.related_for_page()] == expected
    plain = Article.objects.get(pk=story.pk)
    with django_assert_num_queries(1):
        assert [(link.title, link.href) for link in plain.related_for_page()] == expected


def test_a_story_is_not_its_own_related_namesake():
    story = make_article(title="Echo", related=[("Echo", "")])
    assert [link.href for link in story.related_for_page()] == [""]


def test_bulk_writes_empty_the_page_cache_as_saves_do(settings):
    from newsroom import pagecache
    from newsroom.news import cachetags

    story = make_article()
    for write, tag in (
        (lambda: Article.objects.filter(pk=story.pk).update(title="Renamed"), "stories"),
        (lambda: Author.objects.bulk_create([Author(name="New", slug="new")]), "sitemaps"),
        (
            lambda: Correction.objects.bulk_create([Correction(article=story, text="Fix.")]),
            cachetags.story(story.pk),
        ),
    ):
        before = pagecache.version_of(tag)
        write()
        assert pagecache.version_of(tag) != before


def _fingerprint_before_placements(article: Article) -> str:
    """Article.content_fingerprint as it was written before links had a place in the story."""
    links = [[r.title, r.url, r.position] for r in article.related_links.order_by("position")]
    canonical = json.dumps(
        [article.title, article.standfirst, article.body, links], ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def test_the_migration_places_imported_links_where_their_source_had_them():
    migration = importlib.import_module("newsroom.news.migrations.0013_related_link_placement")

    def story(source_name: str, positions: list[int]) -> Article:
        article = make_article(body="<p>One.</p><p>Two.</p><p>Three.</p>")
        Article.objects.filter(pk=article.pk).update(source_name=source_name)
        for n in positions:
            make_related_link(article=article, title=f"At {n}", position=n)
        return Article.objects.get(pk=article.pk)

    untouched, edited, ours = story("a.txt", [0, 1, 4]), story("b.txt", [0, 3]), story("", [2])
    for article in (untouched, edited):
        article.import_fingerprint = _fingerprint_before_placements(article)
        article.save(update_fields=["import_fingerprint"])
    # An editor added a link (at the default position 0) to the second one since its import.
    edited.related_links.filter(position=0).update(title="Added by an editor")

    migration.place_imported_links(apps, None)

    def placed(article: Article) -> list[int | None]:
        return [r.after_paragraph for r in article.related_links.all()]

    assert placed(untouched) == [0, 0, 3]
    assert placed(edited) == [None, 2]
    assert placed(ours) == [None]
    untouched.refresh_from_db()
    assert untouched.import_fingerprint == untouched.content_fingerprint()
    edited.refresh_from_db()
    assert edited.import_fingerprint != edited.content_fingerprint()

    migration.unplace_imported_links(apps, None)
    untouched.refresh_from_db()
    assert untouched.import_fingerprint == _fingerprint_before_placements(untouched)


OUTBOUND = '<p>See <a href="https://acme.example/">Acme</a> and <a href="/news/x/">ours</a>.</p>'


def test_a_sponsored_story_stores_its_outbound_links_as_sponsored_and_a_type_change_recleans():
    article = make_article(body=OUTBOUND, article_type=Article.Type.SPONSORED, sponsor_name="Acme")
    article.refresh_from_db()
    assert '<a href="https://acme.example/" rel="sponsored">Acme</a>' in article.body
    assert '<a href="/news/x/">ours</a>' in article.body
    article.article_type = Article.Type.NEWS
    article.save()
    article.refresh_from_db()
    assert "rel=" not in article.body
    article.article_type = Article.Type.SPONSORED
    article.save(update_fields=["article_type"])  # the body follows the type even so
    article.refresh_from_db()
    assert 'rel="sponsored"' in article.body


def test_a_sponsored_story_must_say_who_paid():
    article = make_article(article_type=Article.Type.SPONSORED)
    with pytest.raises(ValidationError) as refused:
        article.full_clean()
    assert refused.value.message_dict["sponsor_name"] == [
        "Say who paid for this sponsored story: readers must be told."
    ]
    article.sponsor_name = "Acme Bank"
    article.full_clean()


def test_a_fact_check_needs_its_claim_who_made_it_and_a_verdict():
    article = make_article(article_type=Article.Type.FACT_CHECK)
    with pytest.raises(ValidationError) as refused:
        article.full_clean()
    assert set(refused.value.message_dict) == {
        "claim_reviewed",
        "claim_author",
        "verdict",
        "verdict_score",
    }
    make_fact_check().full_clean()


def test_ai_disclosure_says_the_label_and_the_note():
    assert make_article().ai_disclosure == ""
    assisted = make_article(ai_use=Article.AIUse.ASSISTED)
    assert assisted.ai_disclosure == "AI-assisted"
    generated = make_article(ai_use=Article.AIUse.GENERATED, ai_note="Written from a dataset.")
    assert generated.ai_disclosure == "AI-generated: Written from a dataset."


def test_insert_writes_the_row_bulk_create_writes_without_reading_its_id_back():
    story = make_article(title="Floods")
    fields = ("article_id", "from_status", "to_status", "changed_by_id", "changed_at")
    moment = timezone.now()
    made = StatusChange.objects.bulk_create(
        [StatusChange(article=story, from_status="", to_status="draft", changed_at=moment)]
    )
    inserted = StatusChange.objects.insert(
        [StatusChange(article=story, from_status="", to_status="draft", changed_at=moment)]
    )
    assert inserted[0].pk is None and not inserted[0]._state.adding
    rows = StatusChange.objects.order_by("id").values_list(*fields)
    assert rows[0] == rows[1] == (story.pk, "", "draft", None, moment)
    assert made[0].pk is not None


def test_insert_refuses_a_row_that_already_has_an_id():
    story = make_article(title="Floods")
    with pytest.raises(ValueError, match="new rows only"):
        StatusChange.objects.insert([StatusChange(pk=99, article=story, to_status="draft")])
    assert not StatusChange.objects.filter(pk=99).exists()
