"""Django's SQLite backend without its lazy JSON probe.

Django finds out whether SQLite has JSON support the first time a connection needs it, inside
`transaction.atomic()`. With IMMEDIATE transactions that probe takes the write lock; when an
import holds the lock past the busy timeout the probe fails and Django remembers "no JSON" for
that connection, so every later JSONObject query (the story page) raises. Asking once, at import
time, on a private in-memory database takes no lock and cannot fail that way.
"""

import contextlib
import sqlite3

from django.db.backends.sqlite3 import base, features


def _has_json() -> bool:
    with contextlib.closing(sqlite3.connect(":memory:")) as db:
        try:
            db.execute("SELECT JSON('{}')")
        except sqlite3.OperationalError:
            return False
    return True


class DatabaseFeatures(features.DatabaseFeatures):
    supports_json_field = _has_json()


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
