from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "newsroom.news"
    label = "news"
    verbose_name = "News"
