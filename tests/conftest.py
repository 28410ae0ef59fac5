import os
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings

from newsroom.ingest.importing import import_paths
from newsroom.news import breaking
from newsroom.news.models import Article
from newsroom.pagecache import versions
from newsroom.publisher import directory

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_25d00d43ab60b8b4.txt"


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Pages link hashed static names, so the manifest must exist, as it does in production.

    Each test run collects into a folder of its own (servers the browser tests start inherit
    it through the environment), so two runs at once can't trip over each other's files.
    """
    root = tmp_path_factory.mktemp("static")
    os.environ["NEWSROOM_STATIC_ROOT"] = str(root)
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def pytest_collection_modifyitems(config, items):
    """A test marked own_site is left out of the PostgreSQL run, so it must not use the test
    database (which is PostgreSQL there): its site is a SQLite file of its own."""
    for item in items:
        if item.get_closest_marker("own_site") and (
            item.get_closest_marker("django_db")
            or {"db", "transactional_db"} & set(getattr(item, "fixturenames", ()))
        ):
            raise pytest.UsageError(
                f"{item.nodeid} is marked own_site but uses the test database: the "
                "PostgreSQL run would leave it out"
            )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_caches():
    """Every test starts and ends with empty caches: a page cached by one test, whose rows were
    rolled back, must never answer the next. (The suite's cache is in-process unless a test
    overrides it, so this never touches a shared Redis.) The page cache's schedule, the
    breaking-news banner and the live policies kept by the process go too: their rows were
    rolled back without a change any tag records."""
    for alias in caches:
        caches[alias].clear()
    versions.forget_schedule()
    breaking.forget()
    directory.forget()
    yield
    for alias in caches:
        caches[alias].clear()
    versions.forget_schedule()
    breaking.forget()
    directory.forget()


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture
def seed_article(db) -> Article:
    """The seed story, imported and published as `make run` does."""
    import_paths([SEED], publish=True)
    return Article.objects.get(source_name=SEED.name)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright (tests/browser.py says when it skips or fails)."""
    from tests.browser import launch_chromium

    with launch_chromium() as chromium:
        yield chromium
