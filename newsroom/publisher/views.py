"""Readers' pages of the policies: the list under /about/ and each policy's page."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.generic import DetailView

from newsroom import pagecache

from . import cachetags, structured_data
from .directory import ORDER
from .models import Policy

# As the news pages: browsers and shared caches may keep them for a minute.
public_cache = cache_control(public=True, max_age=60)


@public_cache
def policy_list(request):
    """Every live policy, in reading order; not found while there is none."""
    policies = sorted(
        Policy.objects.live().only("kind", "title", "summary", "updated_at"),
        key=lambda policy: ORDER.index(policy.kind),
    )
    if not policies:
        raise Http404("No policy is published")
    pagecache.tag(
        request, cachetags.POLICIES, *(cachetags.policy(policy.kind) for policy in policies)
    )
    data = structured_data.about_page(absolute=request.build_absolute_uri)
    context = {"policies": policies, "structured_data": data}
    return render(request, "publisher/policy_list.html", context)


@method_decorator(public_cache, name="dispatch")
class PolicyDetailView(DetailView):
    template_name = "publisher/policy_detail.html"
    context_object_name = "policy"

    def get_object(self, queryset=None):
        policy = get_object_or_404(Policy.objects.live(), kind=self.kwargs["kind"])
        pagecache.tag(self.request, cachetags.policy(policy.kind))
        return policy
