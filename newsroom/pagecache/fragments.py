"""Fragments rendered once: a piece of a page kept per language for the process.

Most of the frame around a page (the feed links, the masthead, the footer links, the consent
banner) is the same on every page in a given language, yet rendering it afresh costs a reader's
page dozens of translation look-ups and URL reversals. Such a fragment is rendered the first
time and kept, keyed on the active language, the script prefix and the values given; a value of
None keeps nothing (render afresh). Django's templates write it `{% once a b %}...{% endonce %}`
(templatetags/fragments.py), Jinja2's `{% call once("masthead", a, b) %}...{% endcall %}`,
where the first value names the fragment, once in the whole site.

So a fragment may show only those values and what is fixed while the process runs: settings,
translations, URLs, static files. What changes with the database is given as a value that
changes with it (the consent app's `consent.generation`). A changed setting (tests) forgets every
kept fragment. Only a few variants of each fragment are kept: when they are all taken, it
starts afresh, so variants left behind by a change (an older generation) make room for the new
ones, and a value without bound (a search query) costs nothing but the speed-up.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence

import jinja2
from django.core.signals import setting_changed
from django.urls import get_script_prefix
from django.utils.translation import get_language
from markupsafe import Markup

# Enough for every page type and reader variant in every language.
VARIANTS_KEPT = 64


class Kept:
    """The kept variants of one fragment."""

    def __init__(self) -> None:
        self.variants: dict[tuple, str] = {}
        _all.add(self)

    def render(self, values: Sequence, render: Callable[[], str]) -> str:
        """The fragment for `values`: kept, or rendered by `render` (and kept)."""
        if any(value is None for value in values):
            return render()
        key = (get_language(), get_script_prefix(), *map(str, values))
        html = self.variants.get(key)
        if html is None:
            html = render()
            if len(self.variants) >= VARIANTS_KEPT:
                self.variants.clear()
            self.variants[key] = html
        return html


_all: weakref.WeakSet[Kept] = weakref.WeakSet()
_named: dict[str, Kept] = {}


def once(name: str, *values, caller: Callable[[], str]) -> Markup:
    """Jinja2's `{% call once("name", a, b) %}...{% endcall %}`. A value the template's
    context lacks counts as empty, as it does in Django's `{% once %}`."""
    kept = _named.get(name) or _named.setdefault(name, Kept())
    values = ["" if isinstance(value, jinja2.Undefined) else value for value in values]
    # What the template engine wrote, escaped by it as it wrote it.
    return Markup(kept.render(values, caller))


def _forget(**kwargs) -> None:
    for kept in list(_all):
        kept.variants.clear()


setting_changed.connect(_forget, dispatch_uid="newsroom-fragments-once")
