"""Limits on what people can send: each is refused with a clear message, never a 500."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from newsroom.desk.forms import BODY_MAX_CHARS
from newsroom.news.models import Article
from newsroom.search.query import MAX_QUERY_LENGTH
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(make_user(role="Editor"))
    return client


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` pixels in a few dozen bytes: what a decompression
    bomb looks like to anything that reads the header before the pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def story_form(article: Article, **overrides):
    data = {
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "body": article.body,
        "status": article.status,
        "published_at_0": "2026-01-02",
        "published_at_1": "10:00:00",
        "tags": "",
        "lead_image_alt": "A red square",
        "lead_image_caption": "",
        "lead_image_credit": "",
        "expected_version": str(article.version),
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "related_links-TOTAL_FORMS": "0",
        "related_links-INITIAL_FORMS": "0",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def upload_lead_image(client, name: str, content: bytes):
    article = make_article(status=Article.Status.DRAFT)
    image = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = client.post(
        reverse("admin:news_article_change", args=[article.pk]),
        story_form(article, lead_image=image),
    )
    article.refresh_from_db()
    return response, article


def test_a_real_image_is_accepted_as_the_lead_image(editor_client):
    response, article = upload_lead_image(editor_client, "square.png", png())
    assert response.status_code == 302
    assert article.lead_image.name.endswith(".png")
    assert (article.lead_image_width, article.lead_image_height) == (40, 30)


NOT_AN_IMAGE = "This file is not an image we can use: upload a JPEG, PNG, GIF or WebP picture."
DAMAGED = "This image is damaged or incomplete (perhaps it did not finish downloading)"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff" + b"\x00" * 200, NOT_AN_IMAGE),
        ("photo.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, NOT_AN_IMAGE),
        ("photo.jpg", b"Just some text pretending to be a picture.\n", NOT_AN_IMAGE),
        (
            "x.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            NOT_AN_IMAGE,
        ),
        # The header reads as a PNG; decoding every pixel finds them missing.
        ("photo.png", png()[:60], DAMAGED),
    ],
    ids=["windows-exe", "elf", "text", "svg", "truncated-png"],
)
def test_a_file_that_is_not_an_image_is_refused_with_a_clear_error(
    editor_client, name, content, message
):
    response, article = upload_lead_image(editor_client, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not article.lead_image


def test_an_image_in_a_format_browsers_do_not_show_is_refused(editor_client):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "TIFF")
    response, article = upload_lead_image(editor_client, "scan.tiff", out.getvalue())
    assert "not an image we can use: upload a JPEG, PNG, GIF or WebP" in response.content.decode()
    assert not article.lead_image


def test_an_image_over_the_size_limit_is_refused_with_the_limit(editor_client, settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 2 * 1024 * 1024
    big = png() + b"\x00" * (3 * 1024 * 1024)
    response, article = upload_lead_image(editor_client, "big.png", big)
    assert response.status_code == 200
    assert "This image is 3 MB, over the 2 MB limit." in response.content.decode()
    assert not article.lead_image


@pytest.mark.parametrize(
    ("width", "height", "shown"),
    [
        (8000, 6000, "(8,000 \u00d7 6,000 pixels)"),
        # Over Pillow's own thresholds: its warning, and its error, are refusals too.
        (10_000, 10_000, "too large once opened: at most 40 megapixels"),
        (30_000, 30_000, "too large once opened: at most 40 megapixels"),
    ],
)
def test_a_decompression_bomb_is_refused_with_a_clear_error(editor_client, width, height, shown):
    response, article = upload_lead_image(editor_client, "bomb.png", png_header(width, height))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This image is too large once opened" in html
    assert shown in html
    assert not article.lead_image


def test_a_body_over_the_limit_is_a_form_error(editor_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * BODY_MAX_CHARS
    article = make_article(status=Article.Status.DRAFT)
    response = editor_client.post(
        reverse("admin:news_article_change", args=[article.pk]),
        story_form(article, body="<p>" + "x" * BODY_MAX_CHARS + "</p>", lead_image_alt=""),
    )
    assert response.status_code == 200
    assert "The body is too long" in response.content.decode()


def test_a_form_bigger_than_django_accepts_gets_the_friendly_page(editor_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    article = make_article(status=Article.Status.DRAFT)
    response = editor_client.post(
        reverse("admin:news_article_change", args=[article.pk]),
        story_form(article, body="<p>" + "x" * 2000 + "</p>"),
    )
    assert response.status_code == 400
    assert "too large for one request" in response.content.decode()


def test_a_long_search_is_cut_with_a_note(client):
    response = client.get(reverse("search:search"), {"q": "word " * 300})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your search was too long" in html
    assert len(response.context["query"].text) <= MAX_QUERY_LENGTH


def test_an_overlong_query_string_gets_the_friendly_400(client, settings):
    response = client.get(
        reverse("search:search"), {"q": "a" * (settings.NEWSROOM_MAX_QUERY_STRING)}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "That address is too long (over 4,096 characters" in html
    assert 'class="error-page"' in html


def test_a_query_string_at_the_limit_is_served(client, settings):
    query = "q=" + "a" * (settings.NEWSROOM_MAX_QUERY_STRING - 2)
    assert client.get(reverse("search:search"), QUERY_STRING=query).status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_too_many_fields_get_the_friendly_400(client, method):
    # 1,001 one-letter fields fit under the query-string limit.
    fields = "&".join(["a"] * 1001)
    if method == "get":
        response = client.get(reverse("search:search"), QUERY_STRING=fields)
    else:
        response = client.post(
            reverse("admin:login"), fields, content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 400
    assert "too many fields (over 1,000)" in response.content.decode()


def test_a_body_over_the_request_limit_is_refused_before_it_is_read(editor_client, settings):
    settings.NEWSROOM_MAX_REQUEST_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.txt", b"x" * (2 * 1024 * 1024), content_type="text/plain")
    response = editor_client.post(reverse("admin:news_article_import"), {"files": [big]})
    assert response.status_code == 400
    assert "too large (over 1 MB in one request)" in response.content.decode()


def test_a_full_search_box_of_emoji_is_within_the_address_limit(client):
    # The box takes 200 characters; each emoji is 12 bytes once percent-encoded.
    response = client.get(reverse("search:search"), {"q": "\U0001f4f0" * 200, "page": "2"})
    assert response.status_code == 200


def test_an_animated_image_is_refused_with_a_clear_error(editor_client):
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    response, article = upload_lead_image(editor_client, "spin.gif", out.getvalue())
    assert response.status_code == 200
    assert "This image is animated; a lead image must be a still picture." in (
        response.content.decode()
    )
    assert not article.lead_image


def test_a_jpeg_cut_short_is_refused_as_damaged(editor_client):
    out = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(out, "JPEG", quality=95)
    response, article = upload_lead_image(editor_client, "cut.jpg", out.getvalue()[:4000])
    assert response.status_code == 200
    assert DAMAGED in response.content.decode()
    assert not article.lead_image


def test_a_cmyk_photo_is_accepted_and_its_copies_are_rgb(editor_client):
    out = io.BytesIO()
    Image.new("CMYK", (600, 400), (0, 200, 200, 0)).save(out, "JPEG")
    response, article = upload_lead_image(editor_client, "print.jpg", out.getvalue())
    assert response.status_code == 302
    assert article.lead_image_renditions["widths"][0]["width"] == 480


def test_an_exif_rotated_photo_is_accepted_and_measured_upright(editor_client):
    exif = Image.Exif()
    exif[0x0112] = 8  # "rotate 90° anticlockwise to show"
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 120, 10)).save(out, "JPEG", exif=exif.tobytes())
    response, article = upload_lead_image(editor_client, "phone.jpg", out.getvalue())
    assert response.status_code == 302
    assert (article.lead_image_width, article.lead_image_height) == (40, 60)
