"""The README stays a front door and the docs site builds: a broken link fails the suite.

The README must fit in 10 KB and every relative link in it must reach a file (GitHub shows them
as they are). The docs site is built with `mkdocs build --strict`, exactly as `make docs` does,
so a link to a missing page or anchor, an absolute link or a page left out of the nav fails here
too. The configuration page must name every environment variable the settings read.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CONFIGURATION = ROOT / "docs" / "configuration.md"
SETTINGS = ROOT / "newsroom" / "settings.py"

# [text](target) and ![alt](target); the target ends at whitespace or the closing parenthesis.
MARKDOWN_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# A variable read through os.environ or the settings' env_* helpers.
ENVIRONMENT_READ = re.compile(
    r"(?:os\.environ\.get|os\.environ\[|env_\w+)\(?\s*\"([A-Z][A-Z0-9_]+)\""
)


def relative_links(markdown: str) -> list[str]:
    """The link targets in `markdown` that point into the repository (no scheme, no anchor-only)."""
    # Code blocks and inline code are not links.
    text = re.sub(r"```.*?```", "", markdown, flags=re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    targets = MARKDOWN_LINK.findall(text)
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:|#", t, flags=re.IGNORECASE)]


def test_readme_fits_in_ten_kilobytes():
    assert README.stat().st_size <= 10240


def test_every_relative_link_in_the_readme_reaches_a_file():
    links = relative_links(README.read_text(encoding="utf-8"))
    assert links, "the README links into the docs"
    missing = [link for link in links if not (ROOT / link.split("#", 1)[0]).exists()]
    assert missing == []


def test_relative_links_skip_web_addresses_anchors_and_code():
    markdown = (
        "[a](docs/a.md) ![b](docs/b.png) [c](https://example.org/) [d](#top) "
        "[e](mailto:x@example.org) `[f](docs/f.md)`\n```\n[g](docs/g.md)\n```\n[h](docs/h.md#x)"
    )
    assert relative_links(markdown) == ["docs/a.md", "docs/b.png", "docs/h.md#x"]


def test_the_docs_site_builds_in_strict_mode(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stderr
    assert (tmp_path / "site" / "index.html").is_file()


def test_the_configuration_page_has_a_row_for_every_environment_variable():
    read = set(ENVIRONMENT_READ.findall(SETTINGS.read_text(encoding="utf-8")))
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "NEWSROOM_HTTPS"} <= read
    rows = CONFIGURATION.read_text(encoding="utf-8")
    undocumented = sorted(name for name in read if not re.search(rf"\| `{name}` \|", rows))
    assert undocumented == []
