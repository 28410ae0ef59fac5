"""The publisher app's configuration: connects the policies' page-cache tags to their signals."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PublisherConfig(AppConfig):
    name = "newsroom.publisher"
    label = "publisher"
    verbose_name = "Publisher"

    def ready(self) -> None:
        from . import cachetags
        from .models import Policy

        uid = "publisher-pagecache"
        post_save.connect(cachetags.policy_saved, sender=Policy, dispatch_uid=uid)
        post_delete.connect(cachetags.policy_deleted, sender=Policy, dispatch_uid=uid)
