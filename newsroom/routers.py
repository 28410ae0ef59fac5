"""Reads of public pages may go to a read replica; everything else stays on the primary.

With `DATABASE_REPLICA_URL` set, settings add a "replica" database and this router. Only code
running inside `public_reads()` reads from the replica: the page-cache wrapper around the
readers' pages (newsroom.pagecache) enters it for an anonymous reader's GET or HEAD. Writes
always go to the primary, and so do the admin, previews, logged-in users, management commands
and any read inside a transaction (a view that writes then reads must see its own write, which
the replica may not have yet). Migrations run on the primary only: a replica is a copy of it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_public_read: ContextVar[bool] = ContextVar("newsroom_public_read", default=False)


@contextlib.contextmanager
def public_reads() -> Iterator[None]:
    """Reads made inside may be served by the replica (a contextvar: safe under threads and
    async, and reset however the block ends)."""
    token = _public_read.set(True)
    try:
        yield
    finally:
        _public_read.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _public_read.get()
            and replica_configured()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows: a story read from the replica may be linked to an
        # author read from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
