"""The read-replica router: anonymous readers' pages may read the replica, nothing else does.

The unit tests ask the router directly. The end-to-end test starts a process with two real
SQLite databases, DATABASE_URL and DATABASE_REPLICA_URL, the replica a copy of the primary that
is then left behind (a replica that has not caught up): which copy of a story each kind of
request sees shows which database it read.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from newsroom import routers
from newsroom.news.models import Article

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def router(monkeypatch) -> routers.ReplicaRouter:
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    return routers.ReplicaRouter()


def test_reads_go_to_the_primary_unless_they_are_public_reads(router):
    assert router.db_for_read(Article) == DEFAULT_DB_ALIAS
    with routers.public_reads():
        assert router.db_for_read(Article) == routers.REPLICA
    assert router.db_for_read(Article) == DEFAULT_DB_ALIAS


def test_writes_and_migrations_never_go_to_the_replica(router):
    with routers.public_reads():
        assert router.db_for_write(Article) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "news")
    assert not router.allow_migrate(routers.REPLICA, "news")


def test_a_read_inside_a_transaction_stays_on_the_primary(router, monkeypatch):
    monkeypatch.setattr(connections[DEFAULT_DB_ALIAS], "in_atomic_block", True)
    with routers.public_reads():
        assert router.db_for_read(Article) == DEFAULT_DB_ALIAS


def test_public_reads_end_with_their_block_even_on_an_error(router):
    with pytest.raises(RuntimeError), routers.public_reads():
        raise RuntimeError
    assert router.db_for_read(Article) == DEFAULT_DB_ALIAS


def test_without_a_replica_everything_reads_the_primary():
    with routers.public_reads():
        assert routers.ReplicaRouter().db_for_read(Article) == DEFAULT_DB_ALIAS


SCRIPT = r"""
import json, shutil, sys
from datetime import timedelta
import django
django.setup()
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.contrib.auth.models import User
from django.utils import timezone
from newsroom.desk import preview
from newsroom.news.models import Article

primary, replica = sys.argv[1], sys.argv[2]
call_command("migrate", verbosity=0)
story = Article.objects.create(
    title="Replica copy", slug="story", status="published",
    published_at=timezone.now() - timedelta(hours=1),
)
editor = User.objects.create_superuser("editor", password="a-long-test-password-1")
connections.close_all()
shutil.copyfile(primary, replica)  # the replica as it was; it receives nothing after this
story.title = "Primary copy"
story.save()

def seen(client, url):
    body = client.get(url).content.decode()
    return [name for name in ("Replica copy", "Primary copy") if name in body]

reader = Client()
seen_by = {"reader while settling": seen(reader, "/news/story/")}
later = timezone.now() + timedelta(seconds=6)
timezone.now = lambda: later
seen_by["reader"] = seen(reader, "/news/story/")
seen_by["reader, home"] = seen(reader, "/")
seen_by["reader, preview"] = seen(reader, preview.preview_url(story))
staff = Client()
staff.force_login(editor)
seen_by["editor"] = seen(staff, "/news/story/")
seen_by["admin"] = seen(staff, f"/admin/news/article/{story.pk}/change/")
print(json.dumps(seen_by))
"""


def test_readers_read_the_replica_editors_admin_and_previews_the_primary(tmp_path):
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    clean = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(primary), str(replica)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DJANGO_SECRET_KEY": "test-only",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": f"sqlite:///{primary}",
            "DATABASE_REPLICA_URL": f"sqlite:///{replica}",
            "NEWSROOM_REPLICA_LAG_SECONDS": "5",
        },
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen_by = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen_by == {
        # Just after a change, readers get the primary (the replica may not have it yet)...
        "reader while settling": ["Primary copy"],
        # ...then the replica, here left behind on purpose to show where reads went.
        "reader": ["Replica copy"],
        "reader, home": ["Replica copy"],
        "reader, preview": ["Primary copy"],
        "editor": ["Primary copy"],
        "admin": ["Primary copy"],
    }
