"""Readers' search: one query function over PostgreSQL or SQLite full-text search, and its page."""
