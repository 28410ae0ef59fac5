"""Site-wide template values every reader page needs: the site's name and description, and
where the AI-use label links to."""

from django.conf import settings

from newsroom.publisher import directory
from newsroom.publisher.models import Policy


def site(request):
    """The site's name and description, for the masthead, titles and meta tags."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_description": settings.NEWSROOM_SITE_DESCRIPTION,
        "ai_policy_url": ai_policy_url(request),
    }


def ai_policy_url(request) -> str | None:
    """The page explaining how the newsroom uses AI, which the AI-use label links to; None
    while the site has no such page (the label is then shown without a link). The page is
    tagged with the policies, so publishing that page retires it."""
    links = directory.for_page(request)
    return next((link.path for link in links if link.kind == Policy.Kind.AI_USE), None)
