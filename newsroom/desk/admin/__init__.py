"""The editors' admin, one module per screen: stories, authors, topics, revisions, import, live
coverage, trash, presence, people, policies.

Importing the package registers every screen with the admin site (Django's autodiscover
imports `newsroom.desk.admin`).
"""

from . import (
    articles,
    authors,
    history,
    imports,
    live,
    people,
    policies,
    presence,
    topics,
    trash,
)

__all__ = [
    "articles",
    "authors",
    "history",
    "imports",
    "live",
    "people",
    "policies",
    "presence",
    "topics",
    "trash",
]
