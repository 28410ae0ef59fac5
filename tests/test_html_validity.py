"""The Nu Html Checker (vnu-jar from npm, run on Java) finds no errors in our pages.

`make test` installs vnu-jar with npm. Without Java or the jar the test skips and says why,
unless NEWSROOM_REQUIRE_VALIDATORS is set (CI sets it), in which case it fails instead.
"""

import json
import shutil
import subprocess
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from newsroom.news.models import Article, Correction
from newsroom.publisher.models import Policy
from tests.browser import skip_unless_available
from tests.factories import (
    make_article,
    make_author,
    make_fact_check,
    make_live_story,
    make_policy,
    make_update,
)

VNU = (
    Path(__file__).resolve().parent.parent
    / "node_modules"
    / "vnu-jar"
    / "build"
    / "dist"
    / "vnu.jar"
)


def validator_or_skip() -> list[str]:
    java = shutil.which("java")
    missing = None
    if not java:
        missing = "Java is not installed"
    elif not VNU.is_file():
        missing = f"vnu.jar is not installed at {VNU} (run `make test`, which runs npm ci)"
    skip_unless_available("HTML validator", missing, required_by=("NEWSROOM_REQUIRE_VALIDATORS",))
    return [java, "-jar", str(VNU)]


def validate(pages: dict[str, str], tmp_path: Path) -> dict[str, list[str]]:
    command = validator_or_skip()
    for name, html in pages.items():
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
    result = subprocess.run(
        [
            *command,
            "--format",
            "json",
            "--exit-zero-always",
            *(str(tmp_path / f"{n}.html") for n in pages),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors: dict[str, list[str]] = {name: [] for name in pages}
    for message in messages:
        if message.get("type") == "error" or message.get("subType") == "fatal":
            # vnu names each file by URL ("file:/tmp/.../home.html"): the stem is our page name.
            name = Path(message.get("url", "unknown")).stem
            errors.setdefault(name, []).append(
                f"line {message.get('lastLine')}: {message.get('message')}"
            )
    return errors


def png(*, width: int, height: int) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (width, height), "#0b4f8a").save(buffer, format="PNG")
    return SimpleUploadedFile("lead.png", buffer.getvalue(), content_type="image/png")


def reader_pages(
    client, *, article, image_story, author, live_story, ended_story, fact_check, sponsored
) -> dict[str, str]:
    """Every kind of page a reader meets, by name; each must answer as a reader would expect."""
    month = timezone.localtime(article.published_at)
    urls = {
        "home": ("/", 200),
        "article": (article.get_absolute_url(), 200),
        "image-story": (image_story.get_absolute_url(), 200),
        "live-story": (live_story.get_absolute_url(), 200),
        "ended-live-story": (ended_story.get_absolute_url(), 200),
        "fact-check": (fact_check.get_absolute_url(), 200),
        "sponsored-story": (sponsored.get_absolute_url(), 200),
        "author": (author.get_absolute_url(), 200),
        "tag": ("/tags/defence/", 200),
        "topics": ("/tags/", 200),
        "search": ("/search/?q=drones", 200),
        "archive": ("/archive/", 200),
        "archive-month": (f"/archive/{month:%Y}/{month:%m}/", 200),
        "not-found": ("/news/no-such-story/", 404),
        "consent-settings": ("/consent/", 200),
        "cookie-policy": ("/consent/cookies/", 200),
        "consent-saved": ("/consent/saved/?next=/tags/", 200),
        "about": ("/about/", 200),
        "policy": ("/about/ethics/", 200),
    }
    responses = {name: client.get(url) for name, (url, _) in urls.items()}
    # A page that answers with the wrong status (a 501 placeholder, a 500) is reported as such,
    # rather than as a pile of validator errors about a text/plain body.
    assert {n: r.status_code for n, r in responses.items()} == {n: s for n, (_, s) in urls.items()}
    return {name: response.content.decode() for name, response in responses.items()}


@pytest.fixture
def pages_of(seed_article) -> dict:
    """The stories `reader_pages` visits: the seed, and one with a figure with caption and
    credit, two authors and a correction (markup the seed lacks), flagged as breaking news."""
    author = make_author(
        name="Kenji Sato",
        bio="Covers defence.",
        role="Defence correspondent",
        same_as="https://kenji.example/\nhttps://social.example/@kenji",
    )
    # The policies: their list, a page with headings, a list and a link, and the footer's links.
    make_policy(
        kind=Policy.Kind.ETHICS,
        summary="How we report.",
        body="<h2>Sources</h2><p>We name them.</p><ul><li>Always</li></ul>"
        '<p><a href="https://example.org/code">Our code</a></p>',
    )
    make_policy(kind=Policy.Kind.AI_USE)
    image_story = make_article(
        title="Second story", authors=[author, make_author()], tags=["Defence"]
    )
    image_story.lead_image = png(width=800, height=450)
    image_story.lead_image_alt = "A drone on a stand."
    image_story.lead_image_caption = "At the fair."
    image_story.lead_image_credit = "Newsroom"
    # Breaking news: every page with a request shows the banner.
    image_story.breaking_until = timezone.now() + timedelta(hours=2)
    image_story.save()
    Correction.objects.create(article=image_story, text="An earlier version gave the wrong day.")
    live_story = make_live_story(title="Count night", authors=[author], tags=["Defence"])
    for n in range(6):
        make_update(
            article=live_story,
            headline=f"Seat {n} declared" if n % 2 else "",
            body="<p>The count goes on.</p><ul><li>Turnout: high</li></ul>",
            key_event=n % 3 == 0,
            pinned=n == 4,
            authors=[author] if n % 2 else [],
        )
    ended_story = make_live_story(live_until=timezone.now(), authors=[author])
    make_update(article=ended_story, headline="Last word")
    # The type and AI-use labels, the fact check's claim and verdict, who paid.
    fact_check = make_fact_check(
        claim_date=timezone.now().date(),
        authors=[author],
        tags=["Defence"],
        ai_use=Article.AIUse.GENERATED,
        ai_note="Drafted from the council's minutes with an AI tool.",
    )
    sponsored = make_article(
        article_type=Article.Type.SPONSORED,
        sponsor_name="Acme Drones",
        body='<p>Try <a href="https://acme.example/">our drones</a>.</p>',
        ai_use=Article.AIUse.ASSISTED,
    )
    return {
        "fact_check": fact_check,
        "sponsored": sponsored,
        "article": seed_article,
        "image_story": image_story,
        "author": author,
        "live_story": live_story,
        "ended_story": ended_story,
    }


@pytest.mark.django_db
def test_public_pages_are_valid_html_with_the_cookie_banner_open_and_closed(
    client, pages_of, tmp_path
):
    banner_open = reader_pages(client, **pages_of)
    assert "data-consent-banner" in banner_open["home"]
    assert all('class="breaking-banner"' in html for html in banner_open.values())
    assert '<figure class="story__figure">' in banner_open["image-story"]
    # The seed story shows its two "Also read" links between its paragraphs.
    assert banner_open["article"].count('<aside class="also-read"') == 2
    assert 'class="live-badge"' in banner_open["live-story"]

    # Rejecting through the banner's own form is how a reader closes it.
    client.post("/consent/decide/", {"action": "reject_all", "next": "/"})
    banner_closed = reader_pages(client, **pages_of)
    assert "data-consent-banner" not in banner_closed["home"]

    pages = {
        **{f"{name}--banner-open": html for name, html in banner_open.items()},
        **{f"{name}--banner-closed": html for name, html in banner_closed.items()},
        "bad-request": client.get("/", HTTP_HOST="evil.example").content.decode(),
        "csrf-failure": Client(enforce_csrf_checks=True).post("/admin/login/").content.decode(),
    }
    errors = validate(pages, tmp_path)
    assert errors == {name: [] for name in pages}


@pytest.mark.django_db
def test_french_pages_are_valid_html(pages_of, tmp_path):
    """The French chrome carries lang="fr" on many more elements than the English one."""
    french = Client(HTTP_ACCEPT_LANGUAGE="fr")
    pages = reader_pages(french, **pages_of)
    assert 'lang="fr"' in pages["article"].split("<main", 1)[1]
    assert pages["article"].count('<span class="also-read__label" lang="fr">') == 2
    assert '<span lang="en-gb">Second story</span>' in pages["home"]
    pages["bad-request"] = french.get("/", HTTP_HOST="evil.example").content.decode()
    pages["csrf-failure"] = (
        Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="fr")
        .post("/admin/login/")
        .content.decode()
    )
    errors = validate(pages, tmp_path)
    assert errors == {name: [] for name in pages}


@pytest.mark.django_db
def test_the_people_and_topics_screens_are_valid_html(client, tmp_path):
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.http import urlsafe_base64_encode

    from newsroom.news.models import Topic
    from tests.factories import make_user

    chief = make_user(role="Editor-in-chief", username="chief", email="chief@example.org")
    wanda = make_user(username="wanda", email="wanda@example.org")
    make_article(tags=["Defence"])
    client.force_login(chief)

    def html(url: str) -> str:
        return client.get(url).content.decode()

    add = reverse("admin:desk_person_add")
    pages = {
        "people": html(reverse("admin:desk_person_changelist")),
        "add-a-person": html(add),
        "add-a-person-refused": client.post(add, {"sign_in": "invite"}).content.decode(),
        "person": html(reverse("admin:desk_person_change", args=[wanda.pk])),
        "topics": html(reverse("admin:news_topic_changelist")),
        "topic": html(reverse("admin:news_topic_change", args=[Topic.objects.get().pk])),
    }
    newcomer = Client()
    uid = urlsafe_base64_encode(str(wanda.pk).encode())
    link = reverse(
        "admin:desk_person_welcome", args=[uid, default_token_generator.make_token(wanda)]
    )
    pages["welcome"] = newcomer.get(link, follow=True).content.decode()
    pages["welcome-expired"] = newcomer.get(link.replace(uid, "MQ")).content.decode()
    assert "Choose your password" in pages["welcome"]
    assert "This link no longer works" in pages["welcome-expired"]
    errors = validate(pages, tmp_path)
    assert errors == {name: [] for name in pages}
