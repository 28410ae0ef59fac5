"""The organisation as schema.org data: the `NewsMediaOrganization` that publishes every story.

One function builds it, so the copy on /about/ (the page about the organisation, where Google
looks for it besides the home page) and each story's `publisher` are the same node (the same
`@id`), and it links each live policy under its schema.org property. A policy that is
not live is left out: the data never links to a page that says not found.
"""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from .directory import live
from .models import Policy

# Each kind's schema.org property (https://schema.org/NewsMediaOrganization). The use of AI has
# none of its own: it is one of the publishing principles the list of policies gathers.
PROPERTIES = {
    Policy.Kind.ETHICS: "ethicsPolicy",
    Policy.Kind.CORRECTIONS: "correctionsPolicy",
    Policy.Kind.OWNERSHIP: "ownershipFundingInfo",
    Policy.Kind.MASTHEAD: "masthead",
    Policy.Kind.CONTACT: "actionableFeedbackPolicy",
}


def publisher_id(*, absolute) -> str:
    """The organisation's `@id`: the home page's address and a fragment."""
    return absolute("/") + "#publisher"


def organization(*, absolute) -> dict:
    """`absolute` turns a path into a full URL (e.g. request.build_absolute_uri)."""
    data: dict = {
        "@type": "NewsMediaOrganization",
        "@id": publisher_id(absolute=absolute),
        "name": settings.NEWSROOM_SITE_NAME,
        "url": absolute("/"),
        "logo": {
            "@type": "ImageObject",
            "url": absolute(static("news/logo.png")),
            "width": 512,
            "height": 512,
        },
    }
    links = live()
    if links:
        data["publishingPrinciples"] = absolute(reverse("publisher:policy_list"))
    for link in links:
        name = PROPERTIES.get(link.kind)
        if name:
            data[name] = absolute(link.path)
    return data


def about_page(*, absolute) -> dict:
    """The data of /about/: the organisation itself."""
    return {"@context": "https://schema.org", **organization(absolute=absolute)}
