"""Site-wide template values every reader page needs: the site's name and description."""

from django.conf import settings


def site(request):
    """The site's name and description, for the masthead, titles and meta tags."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_description": settings.NEWSROOM_SITE_DESCRIPTION,
    }
