"""The page cache app's configuration."""

from django.apps import AppConfig
from django.core.signals import setting_changed


class PageCacheConfig(AppConfig):
    name = "newsroom.pagecache"
    label = "pagecache"
    verbose_name = "Page cache"

    def ready(self) -> None:
        from . import versions

        setting_changed.connect(versions.settings_changed, dispatch_uid="pagecache-settings")
