"""The cookie inventory editors keep, and the consent log: one row per decision, never changed.

`Category` and `Cookie` are what the public cookie-policy page lists and what withdrawing a
category expires. A `ConsentRecord` row proves what a reader agreed to, under which policy, when
and how. It is keyed on the random consent id from the reader's cookie, never on anything that
identifies them (no IP address, no user agent), so the log is evidence of consent without being a
record of people.
"""

from django.db import models
from django.utils import timezone


class Category(models.Model):
    key = models.SlugField(
        unique=True,
        help_text=(
            'Short name used in templates and the consent cookie, e.g. "analytics". '
            "Must match a category the banner asks about."
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

    class Meta:
        verbose_name = "cookie category"
        verbose_name_plural = "cookie categories"
        ordering = ["position", "key"]

    def __str__(self):
        return self.name


class Cookie(models.Model):
    class Party(models.TextChoices):
        FIRST = "first", "First party (set by this site)"
        THIRD = "third", "Third party (set by another site)"

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cookies")
    name = models.CharField(max_length=100, help_text='The cookie\'s exact name, e.g. "_ga".')
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
                fields=["name", "domain", "path"], name="consent_cookie_unique_name_domain_path"
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
