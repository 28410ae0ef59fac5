"""What templates are shown of a reader's consent: `TemplateConsent` and its category choices.

The context processor puts a `TemplateConsent` in every template rendered with a request as
`consent`, and the settings page builds one of its own. Templates ask about a category before
including an optional script::

    {% if consent.granted.analytics %}
      <script src="{% static 'js/analytics.js' %}" defer></script>
    {% endif %}

`consent.granted` maps every category key to True or False; a misspelt key renders as nothing,
which is false, so a typo keeps a script out rather than letting it in. Also available:
`consent.decided` (has the reader chosen under the current policy), `consent.show_banner`,
`consent.show_gpc_note` (Global Privacy Control refused for a reader who has not chosen),
`consent.reasking` (the banner asks again about `consent.reasked`, categories whose cookies
changed), `consent.decision` (the recorded `policy.Decision`, or None), `consent.choices` (the
admin's categories with their inventory and whether each is on) and `consent.storage_json`.
`consent.page_variant` and `consent.generation` together name everything the banner shows
but the page's address, so the banner can be rendered once for them (`{% once %}`).
The `consent_tags` library asks the same question as a tag:
`{% consent_granted "analytics" as ok %}`.

The categories are read only when a template uses them (the banner, the settings page): two
queries however many categories and cookies there are, once after each change of anything
readers see (`Category.objects.cached_for_readers()`), none in the steady state.
"""

import json
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext

from . import policy
from .models import Category, generation


@dataclass(frozen=True)
class CategoryChoice:
    """One category as the banner's dialog and the settings page offer it."""

    category: Category
    checked: bool

    @property
    def key(self) -> str:
        return self.category.key

    @property
    def required(self) -> bool:
        return self.category.key in policy.REQUIRED_KEYS


@dataclass(frozen=True, kw_only=True)
class TemplateConsent:
    state: policy.ConsentState
    # The settings page is where the reader decides, so the banner would only repeat it.
    on_settings_page: bool = False

    @property
    def decided(self) -> bool:
        return self.state.decided

    @property
    def decision(self) -> policy.Decision | None:
        return self.state.decision

    @property
    def granted(self) -> dict[str, bool]:
        return self.state.granted

    @property
    def reasking(self) -> bool:
        return self.state.reasking

    @property
    def show_banner(self) -> bool:
        if self.on_settings_page:
            return False
        return (not self.state.decided and not self.state.gpc) or self.state.reasking

    @property
    def show_gpc_note(self) -> bool:
        """The browser's privacy signal answered for the reader; say so instead of asking."""
        return not self.on_settings_page and self.state.refused_by_gpc

    @property
    def page_variant(self) -> str:
        return self.state.page_variant

    # cached_property writes to the instance's __dict__, which a frozen dataclass still allows.
    @cached_property
    def generation(self) -> int | None:
        """A token that stays the same until a category or cookie changes (None: unknown)."""
        return generation()

    @cached_property
    def categories(self) -> list[Category]:
        return Category.objects.cached_for_readers()

    @property
    def choices(self) -> list[CategoryChoice]:
        return [
            CategoryChoice(category=c, checked=self.state.allows(c.key)) for c in self.categories
        ]

    @property
    def reasked(self) -> list[str]:
        """The names of the categories the banner asks about again, in the reader's language."""
        if not self.reasking:
            return []
        return [gettext(c.name) for c in self.categories if c.key in self.state.stale]

    @property
    def storage_json(self) -> str:
        """Each optional category's local- and session-storage keys, for consent.js to clear
        when the category is refused: {"analytics": [["localStorage", "key"], ...], ...}."""
        storage = {
            c.key: [[item.storage, item.name] for item in c.stored_items]
            for c in self.categories
            if c.key in policy.OPTIONAL_KEYS
        }
        return json.dumps({key: items for key, items in storage.items() if items}, sort_keys=True)
