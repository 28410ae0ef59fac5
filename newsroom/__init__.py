"""Newsroom, an editorial content-management site for a small newsroom, as one Django project."""
