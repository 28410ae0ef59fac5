"""The policies' links for templates: `{% policy_links as links %}` (every page's footer)."""

from django import template

from newsroom.publisher import directory

register = template.Library()


@register.simple_tag(takes_context=True)
def policy_links(context):
    """The live policies, in reading order; the page then carries the `policies` tag."""
    return directory.for_page(context.get("request"))


@register.filter
def link_kinds(links) -> str:
    """What the footer's kept fragment varies by: which policies are live."""
    return ",".join(link.kind for link in links)
