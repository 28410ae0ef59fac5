"""The desk's own rows: the People screen's accounts, who has a story open in the admin, and
the trash as an admin screen."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone

from newsroom.news.models import Article


class DeletedStory(Article):
    """A story in the trash, for the trash screen (desk/admin/trash.py): the same rows as
    stories, listed apart. Writes go through `Article` (news.writing), never this proxy."""

    class Meta:
        proxy = True
        verbose_name = "deleted story"
        verbose_name_plural = "trash"


class EditingSession(models.Model):
    """One person with a story's change page open: when they opened it and when their page
    last said it was still open. Whether they count as still there is decided when asked
    (desk/presence.py), so nothing has to clean up after a closed tab."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)
    # Whether the page has JavaScript to say it is still open (see presence.py).
    pings = models.BooleanField(default=False)
    taken_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    taken_over_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"], name="desk_editingsession_one_per_person"
            ),
        ]
        indexes = [models.Index(fields=["seen_at"], name="desk_editingsession_seen_idx")]

    def __str__(self) -> str:
        return f"{self.user} on {self.article}"


class Person(User):
    """A staff account as the People screen shows it (a proxy: no table of its own). Its
    permissions are the editor-in-chief's: `desk.add_person` and `desk.change_person` (see
    `newsroom/desk/people.py`)."""

    class Meta:
        proxy = True
        verbose_name = "person"
        verbose_name_plural = "people"
