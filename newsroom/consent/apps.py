from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "newsroom.consent"
    label = "consent"
    verbose_name = "Cookie consent"
