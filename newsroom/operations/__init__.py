"""Keeping the site's data safe: online backups and restores (`manage.py backup`, `restore`)."""
