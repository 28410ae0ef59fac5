"""Fragments rendered once: `{% once %}` keeps a piece of a page per language for the process.

Most of the frame around a page (the feed links, the masthead, the footer links, the consent
banner) is the same on every page in a given language, yet rendering it afresh costs a reader's
page dozens of translation look-ups and URL reversals. Wrapped in `{% once a b %}...{% endonce %}`,
a fragment is rendered the first time and kept, keyed on the active language, the script prefix
and the values given (`a`, `b`); a value of None keeps nothing (render afresh).

So a fragment may show only those values and what is fixed while the process runs: settings,
translations, URLs, static files. What changes with the database is given as a value that
changes with it (the consent app's `consent.generation`). A changed setting (tests) forgets every
kept fragment. Only a few variants of each fragment are kept: when they are all taken, the
node starts afresh, so variants left behind by a change (an older generation) make room for the
new ones, and a value without bound (a search query) costs nothing but the speed-up.
"""

import weakref

from django import template
from django.core.signals import setting_changed
from django.urls import get_script_prefix
from django.utils.translation import get_language

register = template.Library()

# Enough for every page type and reader variant in every language.
VARIANTS_KEPT = 64

_nodes: weakref.WeakSet = weakref.WeakSet()


class OnceNode(template.Node):
    def __init__(self, nodelist, vary):
        self.nodelist = nodelist
        self.vary = vary
        # Kept on the node itself: a template compiled again (DEBUG) starts with nothing.
        self.kept: dict[tuple, str] = {}
        _nodes.add(self)

    def render(self, context) -> str:
        values = [v.resolve(context) for v in self.vary]
        if any(value is None for value in values):
            return self.nodelist.render(context)
        key = (get_language(), get_script_prefix(), *map(str, values))
        html = self.kept.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(self.kept) >= VARIANTS_KEPT:
                self.kept.clear()
            self.kept[key] = html
        return html


@register.tag
def once(parser, token):
    """`{% once value ... %}...{% endonce %}`: see the module docstring."""
    vary = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist, vary)


def _forget(**kwargs) -> None:
    for node in list(_nodes):
        node.kept.clear()


setting_changed.connect(_forget, dispatch_uid="newsroom-fragments-once")
