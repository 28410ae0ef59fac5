"""The editors' admin, one module per screen: stories, authors, topics, revisions, import,
people.

Importing the package registers every screen with the admin site (Django's autodiscover
imports `newsroom.desk.admin`).
"""

from . import articles, authors, history, imports, people, topics

__all__ = ["articles", "authors", "history", "imports", "people", "topics"]
