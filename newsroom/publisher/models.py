"""The outlet's policy pages: one page of each kind, written by editors, shown once live."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from newsroom.markup.sanitize import clean_html


class PolicyQuerySet(models.QuerySet):
    def live(self) -> PolicyQuerySet:
        """The policies readers see: the one rule for the pages, the footer and the data."""
        return self.filter(is_live=True)


class Policy(models.Model):
    class Kind(models.TextChoices):
        # The value is the page's address (/about/<value>/), so it never changes.
        ETHICS = "ethics", _("Ethics policy")
        CORRECTIONS = "corrections", _("Corrections policy")
        OWNERSHIP = "ownership-funding", _("Ownership and funding")
        MASTHEAD = "masthead", _("Masthead")
        CONTACT = "contact", _("Contact and feedback")
        AI_USE = "ai-use", _("Use of AI")

    kind = models.CharField(
        max_length=30,
        choices=Kind.choices,
        unique=True,
        # Not "/about/<kind>/": the admin shows help text as HTML, and <kind> is a tag there.
        help_text="Which policy this page is. Each kind has one page (the ethics policy is at "
        "/about/ethics/) and its own place in the site's structured data.",
    )
    title = models.CharField(
        max_length=200, help_text="The page's heading, e.g. \u201cHow we correct mistakes\u201d."
    )
    summary = models.CharField(
        max_length=300,
        blank=True,
        help_text="One sentence for the list of policies and for search engines. Plain text.",
    )
    body = models.TextField(help_text="The policy itself.")
    is_live = models.BooleanField(
        "published",
        default=False,
        help_text="Show this page to readers, link it in every page's footer and in the "
        "site's structured data. Untick to take it down (its address then says not found).",
    )
    updated_at = models.DateTimeField("last changed", auto_now=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = "policy"
        verbose_name_plural = "policies"
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Sanitised on the way in, whichever screen or shell saves it: the page marks it safe.
        self.body = clean_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("publisher:policy_detail", kwargs={"kind": self.kind})

    @classmethod
    def from_db(cls, db, field_names, values):
        policy = super().from_db(db, field_names, values)
        # What the footer and the structured data show of it, to tell a change of that from
        # an edit of the page alone (cachetags.py). Unknown when loaded in part (`only`).
        if {"kind", "is_live"} <= set(field_names):
            policy.listed_as = policy.listing_state()
        return policy

    def listing_state(self) -> tuple[str, bool]:
        return (self.kind, self.is_live)
