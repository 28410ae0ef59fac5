"""The consent component's addresses: settings, the choice form, its confirmation, the policy."""

from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("", views.consent_settings, name="settings"),
    path("decide/", views.decide, name="decide"),
    path("saved/", views.saved, name="saved"),
    path("cookies/", views.cookie_policy, name="policy"),
]
