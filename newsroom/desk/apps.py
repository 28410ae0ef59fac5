"""The editors' desk app's configuration (its admin package registers the screens)."""

from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "newsroom.desk"
    label = "desk"
    verbose_name = "Editors' desk"
