"""The consent component's addresses: the settings page, the choice form, its confirmation, the cookie policy."""

from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("", views.consent_settings, name="settings"),
    path("decide/", views.decide, name="decide"),
    path("saved/", views.saved, name="saved"),
    path("cookies/", views.cookie_policy, name="policy"),
]
