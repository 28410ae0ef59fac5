"""The consent app's configuration: its page variant, its signals and its settings check."""

from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_delete, post_save


class ConsentConfig(AppConfig):
    name = "newsroom.consent"
    label = "consent"
    verbose_name = "Cookie consent"

    def ready(self) -> None:
        from newsroom import pagecache

        from .checks import check_settings
        from .models import PAGE_TAG, Category, Cookie, retire_pages
        from .state import page_variant

        checks.register(check_settings)
        # Public pages show the banner: one stored copy per consent variant, and a change to
        # the categories or their cookies retires every page that shows them.
        pagecache.register_variant(page_variant, vary=("Cookie", "Sec-GPC"), tags=(PAGE_TAG,))
        for model in (Category, Cookie):
            for signal in (post_save, post_delete):
                signal.connect(retire_pages, sender=model, dispatch_uid="consent-pagecache")
