"""The Nu Html Checker (vnu-jar from npm, run on Java) finds no errors in our pages.

`make test` installs vnu-jar with npm. Without Java or the jar the test skips and says why,
unless NEWSROOM_REQUIRE_VALIDATORS is set (CI sets it), in which case it fails instead.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import make_article, make_author

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
    if missing:
        if os.environ.get("NEWSROOM_REQUIRE_VALIDATORS"):
            pytest.fail(f"HTML validator required but unavailable: {missing}")
        pytest.skip(f"HTML validator unavailable: {missing}")
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


@pytest.mark.django_db
def test_public_pages_are_valid_html(client, seed_article, tmp_path):
    author = make_author(name="Kenji Sato", bio="Covers defence.")
    make_article(title="Second story", authors=[author], tags=["Defence"])
    urls = {
        "home": "/",
        "article": seed_article.get_absolute_url(),
        "author": author.get_absolute_url(),
        "tag": "/tags/defence/",
        "topics": "/tags/",
        "not-found": "/news/no-such-story/",
        "consent-settings": "/consent/",
    }
    pages = {name: client.get(url).content.decode() for name, url in urls.items()}
    pages["bad-request"] = client.get("/", HTTP_HOST="evil.example").content.decode()
    pages["csrf-failure"] = Client(enforce_csrf_checks=True).post("/admin/login/").content.decode()
    errors = validate(pages, tmp_path)
    assert errors == {name: [] for name in pages}
