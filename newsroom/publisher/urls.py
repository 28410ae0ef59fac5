"""The readers' addresses of the policies: /about/ and /about/<kind>/."""

from django.urls import path

from newsroom.pagecache import cached_page

from . import views

app_name = "publisher"

urlpatterns = [
    path("about/", cached_page(views.policy_list), name="policy_list"),
    path("about/<slug:kind>/", cached_page(views.PolicyDetailView.as_view()), name="policy_detail"),
]
