"""The cookie inventory editors keep, and the consent log: one row per decision, never changed.

`Category` and `Cookie` are what the public cookie-policy page lists and what withdrawing a
category expires. `Category` is the only class for a category: the consent cookie's code knows
just its key (`policy.CATEGORY_KEYS`, the choices of `key`), and everything else is the row.

A `ConsentRecord` row proves what a reader agreed to, under which policy, when and how. It is
keyed on the random consent id from the reader's cookie, never on anything that identifies them
(no IP address, no user agent), so the log is evidence of consent without being a record of
people.
"""

from django.core.exceptions import ValidationError
from django.db import models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from newsroom import pagecache

from . import policy

# The page-cache tag of everything the consent banner shows: retired when a category or cookie
# changes (apps.py), which empties the pages showing the banner.
PAGE_TAG = "consent"

# What readers' requests read about the categories, kept by this process until the categories
# change (the page cache's version of PAGE_TAG, shared by every worker and server, so an
# editor's change shows on the next request). One (token, values) pair, replaced whole, so a
# thread never mixes two tokens' values.
_remembered: tuple[int | None, dict[str, object]] = (None, {})


def generation() -> int | None:
    """A token for what readers are shown of the categories and cookies: the same until one of
    them changes, here or in another process (None when the page cache does not answer)."""
    return pagecache.version_of(PAGE_TAG)


def _remember(name: str, load):
    global _remembered
    token = generation()
    if token is None:
        return load()
    if _remembered[0] != token:
        _remembered = (token, {})
    values = _remembered[1]
    if name not in values:
        # Read after the token was: never older than what the token stands for.
        values[name] = load()
    return values[name]


def retire_pages(sender, **kwargs) -> None:
    """A category or cookie changed: the banner on every page, and what is remembered."""
    pagecache.retire({PAGE_TAG})


class CategoryQuerySet(models.QuerySet):
    def for_readers(self):
        """The categories readers are shown, in order, each with its inventory: two queries.

        Only keys the consent cookie can hold (`policy.CATEGORY_KEYS`) are listed, so a row the
        cookie cannot store an answer for is never offered as a choice.
        """
        return self.filter(key__in=policy.CATEGORY_KEYS).prefetch_related("cookies")

    def changed_at(self) -> dict[str, object]:
        """Each category whose version was ever raised, mapped to when: one query."""
        return dict(
            self.filter(version_changed_at__isnull=False).values_list("key", "version_changed_at")
        )

    def cached_changed_at(self) -> dict[str, object]:
        """`changed_at()`, read once per change rather than once per request: no query in the
        steady state. A copy, so a caller cannot alter what the next request sees."""
        return dict(_remember("changed_at", self._from_primary().changed_at))

    def cached_for_readers(self) -> list:
        """`for_readers()` as a list, read once per change (no query in the steady state). The
        rows are shared between requests: read them, never change them."""
        return list(_remember("for_readers", lambda: list(self._from_primary().for_readers())))

    def _from_primary(self):
        # What is kept until the next change must not come from a replica that is behind.
        return self.using(router.db_for_write(self.model))


class Category(models.Model):
    key = models.SlugField(
        unique=True,
        choices=[(key, key) for key in policy.CATEGORY_KEYS],
        help_text=(
            "Short name used in templates and the consent cookie. A new one needs a developer: "
            "it must first be added to the cookie's list in newsroom/consent/policy.py."
        ),
    )
    name = models.CharField(max_length=100, help_text='Shown to readers, e.g. "Analytics".')
    description = models.TextField(help_text="What these cookies do, in plain words for readers.")
    required = models.BooleanField(
        "always on",
        default=False,
        help_text="Needed for the site to work; readers cannot turn these off.",
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers are listed first."
    )
    version = models.PositiveIntegerField(
        default=1,
        help_text=(
            "Raise it by one when this category's cookies change (a new cookie, a new provider, "
            "a new purpose): readers who chose before are asked again about this category."
        ),
    )
    version_changed_at = models.DateTimeField(
        "version raised at",
        null=True,
        blank=True,
        editable=False,
        help_text="When the version was last raised; answers given before then are asked again.",
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = "cookie category"
        verbose_name_plural = "cookie categories"
        ordering = ["position", "key"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = Category.objects.filter(pk=self.pk).values_list("version", flat=True).first()
            if stored is not None and self.version > stored:
                # Whole seconds, like the time in the consent cookie: an answer given in the
                # same second as the change counts as given after it, so it is not asked twice.
                self.version_changed_at = timezone.now().replace(microsecond=0)
        super().save(*args, **kwargs)

    def clean(self):
        if self.pk is not None:
            stored = Category.objects.filter(pk=self.pk).values_list("version", flat=True).first()
            if stored is not None and self.version < stored:
                raise ValidationError(
                    {
                        "version": (
                            f"The version can only go up (it is {stored}); lowering it would "
                            "not bring back the readers already asked again."
                        )
                    }
                )

    @property
    def stored_items(self):
        """The inventory entries kept in the browser's storage rather than as cookies."""
        return [c for c in self.cookies.all() if c.storage != Cookie.Storage.COOKIE]


class Cookie(models.Model):
    class Party(models.TextChoices):
        FIRST = "first", _("First party (set by this site)")
        THIRD = "third", _("Third party (set by another site)")

    class Storage(models.TextChoices):
        COOKIE = "cookie", _("Cookie")
        LOCAL = "localStorage", _("Local storage")
        SESSION = "sessionStorage", _("Session storage")

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cookies")
    name = models.CharField(
        max_length=100,
        help_text="The cookie's or storage key's exact name, e.g. \"_ga\".",
    )
    storage = models.CharField(
        "kept in",
        max_length=16,
        choices=Storage,
        default=Storage.COOKIE,
        help_text=(
            "Where the browser keeps it. Storage keys are cleared by the page's script when a "
            "reader withdraws; cookies are expired by the server."
        ),
    )
    provider = models.CharField(max_length=100, help_text="Who sets it, e.g. this site's name.")
    purpose = models.TextField(help_text="Why it is set, in plain words for readers.")
    duration = models.CharField(
        max_length=100, help_text='How long it lasts, e.g. "Until you close the browser".'
    )
    party = models.CharField(max_length=5, choices=Party, default=Party.FIRST)
    path = models.CharField(
        max_length=200, default="/", help_text="Needed to expire it when consent is withdrawn."
    )
    domain = models.CharField(
        max_length=200,
        blank=True,
        help_text="Leave empty for this site's own host; needed to expire it when withdrawn.",
    )

    class Meta:
        ordering = ["category__position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["storage", "name", "domain", "path"],
                name="consent_cookie_unique_storage_name_domain_path",
            )
        ]

    def __str__(self):
        return self.name


class ConsentRecord(models.Model):
    class Method(models.TextChoices):
        BANNER = "banner", "Banner"
        SETTINGS = "settings", "Settings page"
        NO_JS = "no-js", "Banner without JavaScript"
        GPC = "gpc", "Global Privacy Control"
        EMBED = "embed", "Allow button on an embed"

    created_at = models.DateTimeField(
        "decided at",
        default=timezone.now,
        editable=False,
        db_index=True,
        help_text="When the reader chose (UTC); the same moment as in their consent cookie.",
    )
    consent_id = models.CharField(
        "consent id",
        max_length=64,
        db_index=True,
        help_text="The random id in the reader's consent cookie; it identifies no person.",
    )
    policy_version = models.CharField(
        "policy version", max_length=32, help_text="The cookie policy version the reader saw."
    )
    choices = models.JSONField(
        help_text="Each optional category and whether the reader allowed it."
    )
    category_versions = models.JSONField(
        "category versions",
        default=dict,
        blank=True,
        help_text="The version of each category when the reader chose.",
    )
    method = models.CharField(
        max_length=16, choices=Method, help_text="Where the reader made the choice."
    )
    gpc = models.BooleanField(
        "GPC signal",
        default=False,
        help_text="Whether the browser sent Global Privacy Control with this decision.",
    )
    language = models.CharField(
        max_length=16, help_text="The language the banner or settings page was shown in."
    )

    class Meta:
        verbose_name = "consent record"
        verbose_name_plural = "consent log"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.consent_id} at {self.created_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs):
        # Append-only: a record that exists is evidence and must not be rewritten.
        if self.pk is not None and not self._state.adding:
            raise ValueError("Consent records are append-only.")
        super().save(*args, **kwargs)
