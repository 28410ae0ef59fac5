"""The news app's configuration: connects the page-cache tags of stories to their signals."""

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class NewsConfig(AppConfig):
    name = "newsroom.news"
    label = "news"
    verbose_name = "News"

    def ready(self) -> None:
        from taggit.models import Tag, TaggedItem

        from newsroom import pagecache

        from . import cachetags
        from .models import (
            Article,
            Author,
            Byline,
            Correction,
            LiveUpdate,
            RelatedLink,
            Topic,
            rows_written,
        )

        # Every change to what readers see retires the pages that show it, wherever the
        # change is made from (admin, import, shell); see cachetags.py.
        uid = "news-pagecache"
        post_save.connect(cachetags.article_saved, sender=Article, dispatch_uid=uid)
        post_delete.connect(cachetags.article_deleted, sender=Article, dispatch_uid=uid)
        for model in (Author, Byline, RelatedLink, Correction, LiveUpdate):
            post_save.connect(cachetags.row_saved_or_deleted, sender=model, dispatch_uid=uid)
            post_delete.connect(cachetags.row_saved_or_deleted, sender=model, dispatch_uid=uid)
        # The admin's topics screen saves and deletes through the Topic proxy, whose signals
        # name it as sender.
        for model in (Tag, Topic):
            post_save.connect(cachetags.topic_saved_or_deleted, sender=model, dispatch_uid=uid)
            post_delete.connect(cachetags.topic_saved_or_deleted, sender=model, dispatch_uid=uid)
        for signal in (post_save, post_delete):
            signal.connect(
                cachetags.tagged_item_saved_or_deleted, sender=TaggedItem, dispatch_uid=uid
            )
        m2m_changed.connect(cachetags.topics_of_story_changed, sender=TaggedItem, dispatch_uid=uid)
        m2m_changed.connect(
            cachetags.update_authors_changed, sender=LiveUpdate.authors.through, dispatch_uid=uid
        )
        rows_written.connect(cachetags.rows_tags, dispatch_uid=uid)
        pagecache.register_schedule(next_change=cachetags.next_change, due=cachetags.due)
