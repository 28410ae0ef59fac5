"""A lead image's sized copies and focal-point crops: which are made, in what formats, around
which point, that they are made once and go with their image, and that /media/ applies the
original's rule (only live stories' images) to every one of them."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from newsroom.desk import preview
from newsroom.news import renditions, writing
from newsroom.news.models import Article
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

STORY_PAGE_QUERIES = 4  # tests/test_views.py
RED, BLUE = (220, 20, 20), (20, 20, 220)


def photo(width: int, height: int, *, kind: str = "JPEG", mode: str = "RGB", **save) -> bytes:
    """A picture whose left half is red and right half blue (transparent right half in RGBA)."""
    image = Image.new(mode, (width, height), RED if mode != "CMYK" else (0, 255, 255, 0))
    right = {"RGB": BLUE, "RGBA": (0, 0, 0, 0), "CMYK": (255, 255, 0, 0)}[mode]
    image.paste(right, (width // 2, 0, width, height))
    out = io.BytesIO()
    image.save(out, kind, **save)
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def with_image(article: Article, content: bytes, *, name: str = "lead.jpg", **fields) -> Article:
    article.lead_image = upload(name, content)
    article.lead_image_alt = "Red and blue"
    for field, value in fields.items():
        setattr(article, field, value)
    article.save()
    return article


def opened(name: str) -> Image.Image:
    with default_storage.open(name) as file:
        image = Image.open(file)
        image.load()
    return image


def files_of(article: Article) -> set[str]:
    return renditions.names(article.lead_image_renditions)


def status(client, url: str) -> int:
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


# Widths and formats


def test_a_large_photo_gets_every_width_as_webp_and_jpeg():
    article = with_image(make_article(), photo(2400, 1350))
    widths = article.lead_image_renditions["widths"]
    assert [(w["width"], w["height"]) for w in widths] == [
        (480, 270),
        (800, 450),
        (1200, 675),
        (1600, 900),
    ]
    for copy in widths:
        assert opened(copy["webp"]).format == "WEBP"
        assert opened(copy["fallback"]).format == "JPEG"
        assert opened(copy["webp"]).size == (copy["width"], copy["height"])
        assert opened(copy["fallback"]).size == (copy["width"], copy["height"])


def test_an_image_is_never_enlarged_and_a_small_one_still_gets_a_copy():
    medium = with_image(make_article(), photo(1000, 500))
    assert [w["width"] for w in medium.lead_image_renditions["widths"]] == [480, 800]
    small = with_image(make_article(), photo(300, 200))
    assert [(w["width"], w["height"]) for w in small.lead_image_renditions["widths"]] == [
        (300, 200)
    ]


def test_a_png_with_transparency_falls_back_to_png_and_keeps_it():
    article = with_image(make_article(), photo(900, 600, kind="PNG", mode="RGBA"), name="a.png")
    [small, *_] = article.lead_image_renditions["widths"]
    fallback = opened(small["fallback"])
    assert fallback.format == "PNG"
    assert fallback.mode == "RGBA"
    assert fallback.getpixel((small["width"] - 1, 0))[3] == 0
    assert opened(small["webp"]).mode == "RGBA"


def test_a_cmyk_photo_is_made_rgb_for_browsers():
    article = with_image(make_article(), photo(800, 400, mode="CMYK"))
    [copy] = article.lead_image_renditions["widths"][:1]
    assert opened(copy["fallback"]).mode == "RGB"
    assert opened(copy["webp"]).mode == "RGB"


def test_an_exif_rotated_photo_is_made_upright_and_measured_so():
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to show"
    article = with_image(make_article(), photo(1000, 600, exif=exif.tobytes()))
    assert (article.lead_image_width, article.lead_image_height) == (600, 1000)
    [first, *_] = article.lead_image_renditions["widths"]
    assert (first["width"], first["height"]) == (480, 800)
    # Turned clockwise: the left half (red) is now on top.
    top = opened(first["fallback"]).getpixel((240, 100))
    assert top[0] > 150 and top[2] < 100


# Focal-point crops


@pytest.mark.parametrize(
    ("label", "size"),
    [("16x9", (1200, 675)), ("4x3", (1200, 900)), ("1x1", (1200, 1200)), ("card", (1200, 630))],
)
def test_crops_have_their_ratio_and_size(label, size):
    article = with_image(make_article(), photo(2400, 1600))
    crop = renditions.crop(article.lead_image_renditions, label)
    assert (crop["width"], crop["height"]) == size
    assert opened(crop["name"]).size == size


def test_a_crop_is_never_enlarged_past_the_image():
    article = with_image(make_article(), photo(800, 600))
    crop = renditions.crop(article.lead_image_renditions, "1x1")
    assert (crop["width"], crop["height"]) == (600, 600)
    card = renditions.crop(article.lead_image_renditions, "card")
    assert (card["width"], card["height"]) == (800, 420)


def centre_colour(name: str) -> tuple:
    image = opened(name)
    return image.getpixel((image.width // 2, image.height // 2))


def test_crops_follow_the_focal_point():
    left = with_image(make_article(), photo(1600, 900), lead_image_focal_x=0.1)
    right = with_image(make_article(), photo(1600, 900), lead_image_focal_x=0.9)
    for label in ("1x1", "4x3"):
        red = centre_colour(renditions.crop(left.lead_image_renditions, label)["name"])
        blue = centre_colour(renditions.crop(right.lead_image_renditions, label)["name"])
        assert red[0] > 150 and red[2] < 100
        assert blue[2] > 150 and blue[0] < 100


def test_moving_the_focal_point_makes_new_crops_under_new_names():
    article = with_image(make_article(), photo(1600, 900))
    before = renditions.crop(article.lead_image_renditions, "1x1")["name"]
    widths = article.lead_image_renditions["widths"]
    article.lead_image_focal_x = 0.9
    article.save()
    after = renditions.crop(article.lead_image_renditions, "1x1")["name"]
    assert after != before
    assert article.lead_image_renditions["focal"] == [0.9, 0.5]
    assert article.lead_image_renditions["widths"] == widths
    assert centre_colour(after)[2] > 150


@pytest.mark.parametrize(
    ("size", "ratio", "focal", "box"),
    [
        ((1600, 900), (1, 1), renditions.Focal(), (350, 0, 1250, 900)),
        ((1600, 900), (1, 1), renditions.Focal(x=0), (0, 0, 900, 900)),
        ((1600, 900), (1, 1), renditions.Focal(x=1), (700, 0, 1600, 900)),
        ((1000, 2000), (16, 9), renditions.Focal(y=0.1), (0, 0, 1000, 562)),
        ((1000, 2000), (16, 9), renditions.Focal(y=0.75), (0, 1219, 1000, 1781)),
    ],
)
def test_the_crop_box_is_the_largest_centred_on_the_point_within_the_edges(size, ratio, focal, box):
    assert renditions.crop_box(size, ratio, focal) == box


def test_the_focal_point_must_be_between_0_and_1_with_a_clear_message(client):
    from tests.test_limits import story_form

    client.force_login(make_user(role="Editor"))
    article = make_article(status=Article.Status.DRAFT)
    response = client.post(
        reverse("admin:news_article_change", args=[article.pk]),
        story_form(article, lead_image_focal_x="1.5", lead_image_focal_y="-1"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Give a number from 0 to 1 (0 is the left edge, 1 the right" in html
    assert "Give a number from 0 to 1 (0 is the top edge, 1 the bottom" in html
    article.refresh_from_db()
    assert (article.lead_image_focal_x, article.lead_image_focal_y) == (0.5, 0.5)


def test_the_focal_point_typed_in_the_form_is_saved_and_the_crops_follow(client):
    from tests.test_limits import story_form

    client.force_login(make_user(role="Editor"))
    article = with_image(make_article(status=Article.Status.DRAFT), photo(1600, 900))
    data = story_form(article, lead_image_focal_x="0.1", lead_image_focal_y="0.5")
    data["lead_image_alt"] = "Red and blue"
    response = client.post(reverse("admin:news_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.lead_image_renditions["focal"] == [0.1, 0.5]
    assert centre_colour(renditions.crop(article.lead_image_renditions, "1x1")["name"])[0] > 150


# Made once


def test_copies_are_made_at_upload_never_when_a_page_is_shown(client, monkeypatch):
    article = with_image(make_article(), photo(1000, 600))

    def refuse(*args, **kwargs):
        raise AssertionError("renditions made during a request")

    monkeypatch.setattr(renditions, "make", refuse)
    assert client.get(article.get_absolute_url()).status_code == 200
    article.title = "A new headline"
    article.save()  # an edit that leaves the image alone makes nothing either


def test_a_story_page_with_a_lead_image_keeps_its_query_budget(client, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    article = with_image(make_article(), photo(1000, 600))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(article.get_absolute_url()).status_code == 200
    mine = [q for q in ctx.captured_queries if '"consent_' not in q["sql"]]
    assert len(mine) <= STORY_PAGE_QUERIES


# Gone with their image


def test_a_replaced_image_goes_with_its_copies(django_capture_on_commit_callbacks):
    article = with_image(make_article(), photo(1000, 600))
    old, old_files = article.lead_image.name, files_of(article)
    with django_capture_on_commit_callbacks(execute=True):
        with_image(Article.objects.get(pk=article.pk), photo(900, 600))
    article.refresh_from_db()
    assert not default_storage.exists(old)
    assert not any(default_storage.exists(name) for name in old_files)
    assert all(default_storage.exists(name) for name in files_of(article))


def test_a_cleared_image_goes_with_its_copies(django_capture_on_commit_callbacks):
    article = with_image(make_article(), photo(1000, 600))
    old, old_files = article.lead_image.name, files_of(article)
    article = Article.objects.get(pk=article.pk)
    article.lead_image = None
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    assert article.lead_image_renditions == {}
    assert not default_storage.exists(old)
    assert not any(default_storage.exists(name) for name in old_files)


def test_a_story_deleted_for_good_takes_its_image_and_copies(django_capture_on_commit_callbacks):
    editor = make_user(role="Editor-in-chief")
    article = with_image(make_article(), photo(1000, 600))
    old, old_files = article.lead_image.name, files_of(article)
    writing.trash(article, user=editor)
    assert default_storage.exists(old)  # in the trash it can still come back, image and all
    with django_capture_on_commit_callbacks(execute=True):
        writing.delete_for_good(Article.objects.filter(pk=article.pk), user=editor)
    assert not default_storage.exists(old)
    assert not any(default_storage.exists(name) for name in old_files)


def test_a_rolled_back_replacement_keeps_the_old_files(django_capture_on_commit_callbacks):
    article = with_image(make_article(), photo(1000, 600))
    old_files = files_of(article)
    with django_capture_on_commit_callbacks(execute=False):
        with_image(Article.objects.get(pk=article.pk), photo(900, 600))
    assert all(default_storage.exists(name) for name in old_files)


# Stories saved before renditions existed


def test_make_renditions_fills_in_old_images_once():
    article = with_image(make_article(), photo(1000, 600))
    for name in files_of(article):
        default_storage.delete(name)
    Article.objects.filter(pk=article.pk).update(lead_image_renditions={})
    out = io.StringIO()
    call_command("make_renditions", "--dry-run", stdout=out)
    assert "1 lead image(s) need their copies." in out.getvalue()
    call_command("make_renditions", stdout=out)
    article.refresh_from_db()
    version = article.version
    assert files_of(article)
    assert all(default_storage.exists(name) for name in files_of(article))
    again = io.StringIO()
    call_command("make_renditions", stdout=again)
    assert "0 lead image(s) now have their copies." in again.getvalue()
    article.refresh_from_db()
    assert article.version == version


# The reader's page


def test_the_story_page_offers_webp_and_jpeg_at_every_width_and_fetches_it_first(client):
    article = with_image(make_article(), photo(2000, 1000))
    html = client.get(article.get_absolute_url()).content.decode()
    made = article.lead_image_renditions
    webp = ", ".join(f"/media/{w['webp']} {w['width']}w" for w in made["widths"])
    jpeg = ", ".join(f"/media/{w['fallback']} {w['width']}w" for w in made["widths"])
    assert f'<source type="image/webp" srcset="{webp}" sizes="' in html
    assert f'srcset="{jpeg}"' in html
    assert 'width="1600" height="800" fetchpriority="high"' in html
    card = made["crops"]["card"]
    assert f'<meta property="og:image" content="http://testserver/media/{card["name"]}">' in html
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:height" content="630">' in html
    assert f'<meta name="twitter:image" content="http://testserver/media/{card["name"]}">' in html


# The media-access rule covers every copy


def test_every_copy_of_a_live_storys_image_is_served(client):
    article = with_image(make_article(), photo(1000, 600))
    for name in files_of(article):
        assert status(client, f"/media/{name}") == 200


@pytest.mark.parametrize("state", ["draft", "review", "unpublished"])
def test_no_copy_of_a_hidden_storys_image_is_served_to_readers(client, state):
    article = with_image(make_article(status=state), photo(1000, 600))
    assert files_of(article)
    for name in files_of(article):
        assert status(client, f"/media/{name}") == 404


def test_copies_go_when_their_story_is_unpublished(client):
    article = with_image(make_article(), photo(1000, 600))
    name = article.lead_image_renditions["widths"][0]["webp"]
    assert status(client, f"/media/{name}") == 200
    article.status = Article.Status.UNPUBLISHED
    article.save()
    assert status(client, f"/media/{name}") == 404


def test_a_preview_link_serves_the_copies_its_page_names_and_nothing_else(client):
    article = with_image(make_article(status="draft"), photo(1000, 600))
    token = preview.make_token(article)
    html = client.get(reverse("desk:article_preview", kwargs={"token": token})).content.decode()
    for name in files_of(article):
        url = preview.rendition_url(token, name)
        assert status(client, url) == 200
        assert status(client, f"/media/{name}") == 404
    assert preview.rendition_url(token, article.lead_image_renditions["widths"][0]["webp"]) in html
    base = reverse("desk:article_preview_image", kwargs={"token": token})
    for made_up in ("w9999.webp", "..", "%2e%2e", "secret.txt"):
        assert status(client, base + made_up) == 404


def test_staff_see_the_copies_of_a_hidden_storys_image(client):
    article = with_image(make_article(status="draft"), photo(1000, 600))
    client.force_login(make_user(role="Writer"))
    for name in files_of(article):
        assert status(client, f"/media/{name}") == 200


@pytest.mark.parametrize(
    "path",
    [
        "renditions/",
        "renditions/lead-images/",
        "renditions/{original}/..",
        "renditions/{original}/../../{original}",
        "renditions/{original}/w9999.webp",
    ],
)
def test_made_up_copy_addresses_of_a_hidden_image_are_404s(client, path):
    live = with_image(make_article(), photo(1000, 600))
    hidden = with_image(make_article(status="draft"), photo(1000, 600))
    assert live.lead_image.name != hidden.lead_image.name
    assert status(client, "/media/" + path.format(original=hidden.lead_image.name)) == 404


def test_a_new_focal_point_retires_the_cached_story_page(client):
    article = with_image(make_article(), photo(1600, 900))
    url = article.get_absolute_url()
    old_card = renditions.crop(article.lead_image_renditions, "card")["name"]
    first = client.get(url)
    assert old_card in first.content.decode()
    article.lead_image_focal_x = 0.9
    article.save()
    new_card = renditions.crop(article.lead_image_renditions, "card")["name"]
    second = client.get(url, headers={"if-none-match": first.get("ETag", "")})
    assert second.status_code == 200
    assert new_card in second.content.decode()
    assert old_card not in second.content.decode()


def test_a_revision_preview_of_a_draft_shows_its_copies_through_a_preview_link(client):
    editor = make_user(role="Editor")
    article = with_image(make_article(status="draft"), photo(1000, 600))
    revision = writing.finish(article, user=editor, summary="Saved")
    client.force_login(editor)
    url = reverse("admin:news_article_revision_preview", args=[article.pk, revision.number])
    html = client.get(url).content.decode()
    [copy] = re.findall(r'<img src="(/preview/[^"]+/lead-image/w800\.jpg)"', html)
    client.logout()
    assert status(client, copy) == 200
