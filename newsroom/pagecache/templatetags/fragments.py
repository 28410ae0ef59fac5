"""`{% once a b %}...{% endonce %}`: a fragment of a Django template rendered once per language
and values for the process (pagecache/fragments.py says when that is right)."""

from django import template

from newsroom.pagecache.fragments import Kept

register = template.Library()


class OnceNode(template.Node):
    def __init__(self, nodelist, vary):
        self.nodelist = nodelist
        self.vary = vary
        # Kept on the node itself: a template compiled again (DEBUG) starts with nothing.
        self.kept = Kept()

    def render(self, context) -> str:
        values = [v.resolve(context) for v in self.vary]
        return self.kept.render(values, lambda: self.nodelist.render(context))


@register.tag
def once(parser, token):
    """`{% once value ... %}...{% endonce %}`: see pagecache/fragments.py."""
    vary = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist, vary)
