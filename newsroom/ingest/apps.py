"""The import app's configuration (it brings `manage.py import_seeds`)."""

from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "newsroom.ingest"
    label = "ingest"
    verbose_name = "Import"
