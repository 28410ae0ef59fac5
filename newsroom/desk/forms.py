"""The editors' forms: the story change form with its optimistic lock, lead image and topics, the
inline and action forms, and the live-update forms (the quick post, and the full edit).
"""

import re
import warnings
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, linebreaks
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget
from PIL import Image

from newsroom.desk import diffs
from newsroom.markup.sanitize import clean_html, html_to_text
from newsroom.news import breaking, inline, revisions, workflow, writing
from newsroom.news.models import (
    TAG_MAX_CHARS,
    Article,
    Author,
    Byline,
    LiveUpdate,
    Revision,
)

# The editor offers exactly what markup/sanitize.py keeps, so nothing an editor makes is lost
# on save. The sanitiser still cleans whatever arrives: the editor is a convenience, not a
# security boundary.
BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Subscript": True,
    "Superscript": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Heading": {"levels": [2, 3]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "HorizontalRule": True,
    # An embed's click-to-load facade, as one block that is moved or deleted whole
    # (static/desk/admin/prose-embed.js, registered in settings.DJANGO_PROSE_EDITOR_EXTENSIONS).
    "Embed": True,
    "History": True,
}


BODY_MAX_CHARS = 1_000_000
# The lead image's focal point, across and down (0 to 1), which its crops keep in view.
FOCAL_FIELDS = ("lead_image_focal_x", "lead_image_focal_y")

# What a lead image may be: formats every browser shows. Pillow reads more (TIFF, BMP, ICO...),
# which readers' browsers would not display.
IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP"}


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


class DamagedImage(Exception):
    """Pillow read an image's header but not all of its pixels."""


class LeadImageField(forms.ImageField):
    """An image upload checked before anything stores it: its size, that Pillow can read it as
    one of IMAGE_FORMATS (a renamed executable or text file is not), and its decoded size (a
    small file can decode to gigabytes, a "decompression bomb"), each with its own message."""

    def to_python(self, data):
        if data in self.empty_values or not hasattr(data, "size"):
            return super().to_python(data)
        limit = settings.NEWSROOM_IMAGE_MAX_BYTES
        if data.size > limit:
            raise ValidationError(
                f"This image is {_megabytes(data.size)}, over the {_megabytes(limit)} limit. "
                "Save it smaller (a 2000-pixel-wide JPEG is plenty) and upload it again."
            )
        not_an_image = ValidationError(
            "This file is not an image we can use: upload a JPEG, PNG, GIF or WebP picture."
        )
        try:
            with warnings.catch_warnings():
                # Pillow only warns between its two bomb thresholds; treat both as refusals.
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(data) as image:
                    width, height, kind = image.width, image.height, image.format
                    animated = getattr(image, "is_animated", False)
                    if kind in IMAGE_FORMATS and width * height <= self._max_pixels():
                        self._decode(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise self._too_many_pixels() from None
        except DamagedImage:
            raise ValidationError(
                "This image is damaged or incomplete (perhaps it did not finish downloading): "
                "open it, save it again, and upload the new file."
            ) from None
        except Exception:  # Pillow raises many kinds for a file that isn't an image.
            raise not_an_image from None
        finally:
            data.seek(0)
        if kind not in IMAGE_FORMATS:
            raise not_an_image
        if width * height > self._max_pixels():
            raise self._too_many_pixels(width, height)
        if animated:
            raise ValidationError(
                "This image is animated; a lead image must be a still picture. Upload one "
                "frame of it as a JPEG or PNG."
            )
        # Django's own check next: Pillow's verify() reads the whole file for corruption.
        return super().to_python(data)

    @staticmethod
    def _max_pixels() -> int:
        return settings.NEWSROOM_IMAGE_MAX_PIXELS

    @staticmethod
    def _decode(image) -> None:
        """Read every pixel, as making the sized copies will (news/renditions.py): a file cut
        short passes a look at its header, and would fail only then."""
        try:
            image.load()
        except (OSError, SyntaxError, ValueError) as error:
            raise DamagedImage from error

    @staticmethod
    def _too_many_pixels(width: int = 0, height: int = 0) -> ValidationError:
        size = f" ({width:,} \u00d7 {height:,} pixels)" if width else ""
        limit = settings.NEWSROOM_IMAGE_MAX_PIXELS // 10**6
        return ValidationError(
            f"This image is too large once opened{size}: at most {limit} megapixels. "
            "Resize it and upload it again."
        )


def date_and_time_names(label: str) -> tuple[str, str]:
    """What a screen reader calls the date box and the time box of a field named `label`:
    "Publication date" and "Publication time" for "publication time"."""
    label = str(label)
    if label.lower().endswith(" time"):
        names = (f"{label[:-5]} date", label)
    else:
        names = (f"{label}: date", f"{label}: time")
    return names[0][:1].upper() + names[0][1:], names[1][:1].upper() + names[1][1:]


def name_date_and_time_boxes(form: forms.BaseForm) -> None:
    """The admin's split date and time boxes share one label that points at neither, so each
    box gets a name of its own (with the visible "Date" or "Time" in it)."""
    for field in form.fields.values():
        parts = getattr(field.widget, "widgets", ())
        if isinstance(field, forms.SplitDateTimeField) and len(parts) == 2:
            for widget, name in zip(parts, date_and_time_names(field.label or ""), strict=True):
                widget.attrs["aria-label"] = name


class StatusBoundField(BoundField):
    """The status menu, showing `ArticleAdminForm.status_shown()` when the form is re-shown."""

    def value(self):
        return self.form.status_shown(super().value())


@dataclass(frozen=True, kw_only=True)
class Button:
    """One of the change form's submit buttons: what it says, and the `_action` it posts."""

    action: str
    label: str


# What each button asks for. "save" keeps the status menu's choice (the story's own status
# unless the editor changed it); the others move the story, through `workflow.check` like any
# other move, so a button a user is not shown is refused just the same when posted.
ACTIONS = {
    "save": None,
    "draft": Article.Status.DRAFT,
    "review": Article.Status.REVIEW,
    "publish": Article.Status.PUBLISHED,
    "schedule": Article.Status.PUBLISHED,
    "unpublish": Article.Status.UNPUBLISHED,
}


@dataclass(frozen=True, kw_only=True)
class Conflict:
    """What another editor saved since this form was opened, for a refused save to show."""

    who: str
    changes: list[diffs.FieldChange]


# Spaces and line breaks next to a block's tags: the body editor sends paragraphs back without
# the line breaks the import put between them, which is no change a reader could see.
_BLOCK_EDGE = re.compile(
    r"\s*(</?(?:p|h[2-4]|blockquote|ul|ol|li|hr|figure|figcaption)\b[^>]*>)\s*", re.IGNORECASE
)


class NamedProseEditorWidget(AdminProseEditorWidget):
    """The body editor, whose editable area takes the name of the textarea's label."""

    @property
    def media(self):
        return super().media + forms.Media(
            css={"all": ["desk/admin/prose-embed.css"]}, js=["desk/admin/prose-label.js"]
        )


class BodyField(ProseEditorFormField):
    def has_changed(self, initial, data):
        """Changed as stored and as read: compared cleaned, blind to the layout between blocks."""
        if self.disabled:
            return False

        def layout_free(markup) -> str:
            return _BLOCK_EDGE.sub(r"\1", clean_html(markup or ""))

        return layout_free(initial) != layout_free(data)


class ArticleAdminForm(forms.ModelForm):
    user = None  # set per request by ArticleAdmin.get_form
    conflict: Conflict | None = None  # set when a save is refused as stale
    moved = False  # set when a button moves the story to another status

    body = BodyField(
        extensions=BODY_EXTENSIONS,
        required=False,
        widget=NamedProseEditorWidget,
        max_length=BODY_MAX_CHARS,
        error_messages={
            "max_length": "The body is too long: at most %(limit_value)s characters (this one "
            "has %(show_value)s). Split the story, or move tables and long lists elsewhere."
        },
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    breaking = forms.BooleanField(
        label="Breaking news",
        required=False,
        help_text="Show a banner linking to this story at the top of every page while it is "
        "live, until the time below. Untick to take the banner down now.",
    )

    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007  (the admin's fieldsets choose what is shown)
        widgets = {"standfirst": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"lead_image": LeadImageField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.original_status = self.instance.status if self.instance.pk else ""
        # The story's status as stored, and as it was when this form was opened (they differ
        # after a stale save; None when that is not known): see status_shown().
        self.stored_status = self.opened_status = self.original_status or None
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
            if "slug" in self.fields:
                self.fields["slug"].help_text = format_html(
                    "This story\u2019s address is {}. Changing it breaks links already shared.",
                    self.instance.get_absolute_url(),
                )
        if "status" in self.fields and self.user is not None:
            allowed = workflow.allowed_statuses(self.user, self.instance.pk and self.instance)
            self.fields["status"].choices = [
                (value, label) for value, label in Article.Status.choices if value in allowed
            ]
        if "status" in self.fields:
            self.fields["status"].bound_field_class = StatusBoundField
        for name in ("title", "standfirst", "body"):
            if name in self.fields:
                self.fields[name].widget.attrs["spellcheck"] = "true"
        if "published_at" in self.fields:
            self.fields["published_at"].help_text = (
                f"{zone_note()} Leave empty and press \u201cPublish now\u201d to publish now; "
                "type a future time to schedule."
            )
        self._offer_breaking()
        for name in ("article_type", "ai_use"):
            if name in self.fields:
                # A form sent without the box (one opened before it existed) keeps what is
                # stored: see clean_article_type and clean_ai_use.
                self.fields[name].required = False
        if "reviewed_by" in self.fields:
            self.fields["reviewed_by"].queryset = workflow.editors()
            self.fields["reviewed_by"].label_from_instance = reviewer_name
        name_date_and_time_boxes(self)
        for name in FOCAL_FIELDS:
            if name in self.fields:
                # Empty keeps the point where it is (the middle, for a new story).
                self.fields[name].required = False
                self.fields[name].widget.attrs.update(min="0", max="1", step="0.01")

    def has_changed(self):
        return self.moved or super().has_changed()

    def buttons(self) -> list[Button]:
        """The submit buttons this user may press on this story, the plainest first (a
        browser's Enter presses the first)."""
        Status = Article.Status
        article = self.instance if self.instance.pk else None
        if article is not None and not workflow.can_edit(self.user, article):
            return []
        current = self.original_status or Status.DRAFT
        if current == Status.DRAFT:
            shown = [Button(action="draft", label="Save draft")]
            shown.append(Button(action="review", label="Submit for review"))
        else:
            shown = [Button(action="save", label="Save")]
        if current == Status.REVIEW:
            shown.append(Button(action="draft", label="Return to draft"))
        if workflow.is_editor(self.user):
            if not (article is not None and article.is_live):
                shown.append(Button(action="publish", label="Publish now"))
            if "published_at" in self.fields and not (article is not None and article.is_live):
                shown.append(Button(action="schedule", label=self._schedule_label()))
            if current == Status.PUBLISHED:
                shown.append(Button(action="unpublish", label="Unpublish"))
        return shown

    def _schedule_label(self) -> str:
        when = None
        if self.is_bound:
            when = getattr(self, "cleaned_data", {}).get("published_at")
        elif self.instance.published_at:
            when = self.instance.published_at
        if when is None or when <= timezone.now():
            return "Schedule for the publication time"
        local = timezone.localtime(when)
        return f"Schedule for {date_format(local, 'j M Y, H:i')} ({zone_name()})"

    def _offer_breaking(self) -> None:
        """The breaking-news flag, for editors only: ticked while the banner's time is ahead,
        with that time shown and typed in the newsroom's time zone, named."""
        if not workflow.is_editor(self.user):
            self.fields.pop("breaking", None)
            self.fields.pop("breaking_until", None)
            return
        if "breaking_until" not in self.fields:
            return
        until = self.instance.breaking_until
        flagged = bool(until and until > timezone.now())
        self.initial["breaking"] = flagged
        if not flagged:
            # A flag that ran out is history: ticking the box again starts a new one.
            self.initial["breaking_until"] = None
        zone = timezone.get_current_timezone_name()
        self.fields["breaking_until"].label = f"Breaking news until ({zone})"
        self.fields["breaking_until"].help_text = (
            f"Leave empty for {breaking.DEFAULT_HOURS} hours from now (from when the story goes "
            f"live, if it is scheduled); at most {breaking.LONGEST_HOURS} hours. In the "
            f"newsroom\u2019s time zone, {zone}. If several stories are breaking news, the "
            "banner shows the newest."
        )

    def status_shown(self, value):
        """What the status menu shows once the form is posted: the editor's choice when the
        menu offers it and they made it, otherwise the story's real status.

        The posted value alone can mislead: one the menu does not offer selects no option, so
        a browser shows the first ("Draft"), and a stale form posts back the status the story
        had when it was opened, not the one it has now.
        """
        if not self.is_bound:
            return value
        offered = value is not None and self.fields["status"].valid_value(value)
        if offered and (
            self.stored_status is None
            or (self.opened_status is not None and value != self.opened_status)
        ):
            return value
        return self.stored_status or self.get_initial_for_field(self.fields["status"], "status")

    def clean_body(self):
        # An untouched body keeps its stored layout, so the revision shows no body change.
        if self.instance.pk and "body" not in self.changed_data:
            return self.instance.body
        return self.cleaned_data["body"]

    def clean_article_type(self):
        return self.cleaned_data.get("article_type") or self.instance.article_type

    def clean_ai_use(self):
        return self.cleaned_data.get("ai_use") or self.instance.ai_use

    def clean_lead_image_focal_x(self):
        return self._clean_focal("lead_image_focal_x", "0 is the left edge, 1 the right")

    def clean_lead_image_focal_y(self):
        return self._clean_focal("lead_image_focal_y", "0 is the top edge, 1 the bottom")

    def _clean_focal(self, name: str, edges: str) -> float:
        value = self.cleaned_data.get(name)
        if value is None:
            return getattr(self.instance, name)
        if not 0 <= value <= 1:
            raise ValidationError(
                f"Give a number from 0 to 1 ({edges}, 0.5 the middle), or click the picture "
                "where its subject is."
            )
        return value

    def clean_tags(self):
        tags = self.cleaned_data.get("tags") or []
        if too_long := [t for t in tags if len(t) > TAG_MAX_CHARS]:
            raise ValidationError(
                f"A topic can be at most {TAG_MAX_CHARS} characters: "
                f"\u201c{too_long[0][:40]}\u2026\u201d is longer."
            )
        return tags

    def clean(self):
        cleaned = super().clean()
        article = self.instance if self.instance.pk else None
        action = self._clean_action(cleaned)
        status = cleaned.get("status", self.original_status or Article.Status.DRAFT)
        try:
            workflow.check(self.user, article, status)
        except workflow.WorkflowError as exc:
            self.add_error("status" if "status" in self.fields else None, str(exc))
        if article is not None:
            self._refuse_stale_save(article, cleaned.get("expected_version"))
        if (
            status == Article.Status.PUBLISHED
            and not cleaned.get("published_at")
            and "published_at" in self.fields
            and "published_at" not in self.errors
        ):
            # "Published" with no time means "now"; a time in the future schedules the story.
            cleaned["published_at"] = timezone.now()
        if action == "schedule":
            self._clean_schedule(cleaned)
        if "breaking" in self.fields and "breaking_until" in self.fields:
            self._clean_breaking(cleaned, status)
        check_coverage(self, cleaned)
        if (
            cleaned.get("lead_image")
            and not cleaned.get("lead_image_alt", "").strip()
            and not cleaned.get("lead_image_decorative")
        ):
            self.add_error(
                "lead_image_alt",
                "Describe the image for readers who cannot see it, or tick \u201cdecorative "
                "image\u201d if it adds nothing they would miss.",
            )
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        # On the story as it will be saved (the model's fields are filled in by now), the
        # check `writing.save` makes again: refused here, it is a message beside the field.
        status = self.instance.status
        try:
            workflow.check_ai_review(
                self.instance, status, moving=self.original_status != Article.Status.PUBLISHED
            )
        except workflow.WorkflowError as exc:
            self.add_error("reviewed_by" if "reviewed_by" in self.fields else None, str(exc))

    def _clean_action(self, cleaned: dict) -> str:
        """The button pressed, as the status it asks for (put in cleaned["status"], where
        `workflow.check` judges it like the menu's choice: the button is never trusted)."""
        action = self.data.get("_action") or "save"
        if action not in ACTIONS:
            self.add_error(
                None, "Not saved: the form was sent by a button it does not have. Reload the page."
            )
            return "save"
        if ACTIONS[action] is not None:
            cleaned["status"] = ACTIONS[action]
            self.errors.pop("status", None)  # a stale menu value no longer matters
            # A button's move is a change even when no field was touched.
            self.moved = ACTIONS[action] != (self.original_status or Article.Status.DRAFT)
        if action == "publish" and "published_at" in self.fields:
            typed = cleaned.get("published_at")
            if typed is None or typed > timezone.now():
                # "Publish now" means now, whatever time is typed for later.
                cleaned["published_at"] = timezone.now()
        return action

    def _clean_schedule(self, cleaned: dict) -> None:
        if "published_at" not in self.fields or "published_at" in self.errors:
            return
        when = cleaned.get("published_at")
        if when is None or when <= timezone.now():
            self.add_error(
                "published_at",
                f"To schedule, type a publication time in the future ({zone_name()}); to "
                "publish now, press \u201cPublish now\u201d.",
            )

    def _clean_breaking(self, cleaned: dict, status: str) -> None:
        """The banner's end: 2 hours on when ticked without a time; refused in the past, before
        the story goes live or more than 24 hours on; none when unticked. An end kept as it is
        stored is not checked again: it may have passed while the form was open."""
        if "breaking_until" in self.errors:
            return
        until = cleaned.get("breaking_until")
        stored = self.instance.breaking_until
        if not cleaned.get("breaking"):
            if until is not None and until != stored:
                self.add_error(
                    "breaking",
                    "Tick \u201cBreaking news\u201d to show the banner until that time, or "
                    "clear the time.",
                )
            cleaned["breaking_until"] = None
            return
        if until is not None and until == stored:
            return
        now = timezone.now()
        published_at = cleaned.get("published_at") if status == Article.Status.PUBLISHED else None
        start, latest = breaking.flag_limits(published_at=published_at, now=now)
        zone = timezone.get_current_timezone_name()

        def shown(moment) -> str:
            return f"{date_format(timezone.localtime(moment), 'j M Y, H:i')} ({zone})"

        if until is None:
            cleaned["breaking_until"] = start + breaking.DEFAULT_DURATION
        elif until <= now:
            self.add_error(
                "breaking_until",
                f"The banner can\u2019t end in the past: it is {shown(now)} now. Choose a later "
                f"time, or leave it empty for {breaking.DEFAULT_HOURS} hours from now.",
            )
        elif until <= start:
            self.add_error(
                "breaking_until",
                f"This story goes live at {shown(start)}, so the banner would end before it "
                f"shows. Choose a later time, or leave it empty for {breaking.DEFAULT_HOURS} "
                "hours from then.",
            )
        elif until > latest:
            self.add_error(
                "breaking_until",
                f"The banner can stay up for at most {breaking.LONGEST_HOURS} hours: choose "
                f"{shown(latest)} or earlier, or leave it empty for {breaking.DEFAULT_HOURS} "
                "hours.",
            )

    def _refuse_stale_save(self, article: Article, expected: int | None) -> None:
        """Optimistic locking: refuse a save based on a version someone else has replaced.

        Runs inside the admin's transaction with the row locked (SQLite's IMMEDIATE
        transactions lock the whole database), so no save can slip in between this check and
        the write.
        """
        # of=("self",): lock the story's row only; PostgreSQL refuses to lock the nullable
        # side of the join that fetches the last editor.
        current = (
            Article.objects.select_for_update(of=("self",))
            .select_related("last_edited_by")
            .get(pk=article.pk)
        )
        if expected is None:
            raise ValidationError(
                "Not saved: this form did not say which version of the story it was opened "
                "on. Reload the page and make your changes again."
            )
        if expected == current.version:
            return
        base = Revision.objects.filter(article=current, number=expected).first()
        self.stored_status = current.status
        self.opened_status = base.snapshot.get("status") if base is not None else None
        who = current.last_edited_by.get_username() if current.last_edited_by else "Someone"
        when = date_format(timezone.localtime(current.updated_at), "j M Y, H:i")
        messages = [
            f"Not saved: {who} saved this story at {when}, after you opened it. Nothing has "
            "been overwritten. Your changes are still in the form: copy what you need, reload "
            "the page to see the latest version, and make them again."
        ]
        if base is not None:
            # The whole of each change, as a diff above the form (the change form's template
            # shows it); the message keeps a one-line summary per field.
            self.conflict = Conflict(
                who=who, changes=diffs.diff(base.snapshot, revisions.snapshot(current))
            )
            messages += [
                f"Their change \u2014 {change.label}: see what they changed below the message."
                if change.field == "body"
                else f"Their change \u2014 {change.summary()}"
                for change in self.conflict.changes
            ]
        raise ValidationError(messages)


def reviewer_name(user) -> str:
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def check_coverage(form: forms.Form, cleaned: dict) -> None:
    """Live coverage ends after it starts, and can't end before it has started."""
    start, end = cleaned.get("live_from"), cleaned.get("live_until")
    if end and not start and "live_from" in form.fields:
        form.add_error(
            "live_until",
            "Set when the live coverage started too (\u201clive coverage from\u201d), or "
            "leave this empty.",
        )
    elif start and end and end < start:
        form.add_error("live_until", "Live coverage can't end before it starts.")


def zone_name() -> str:
    """The newsroom's time zone as editors read it: "Europe/Paris (CEST)", or "UTC"."""
    zone = timezone.get_current_timezone_name()
    short = timezone.localtime().tzname()
    return zone if not short or short == zone else f"{zone} ({short})"


def zone_note() -> str:
    return f"Times are in {zone_name()}."


def topic_box(*, label: str, placeholder: str) -> forms.CharField:
    """The box beside the admin's action menu where an action's topic is typed."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=TAG_MAX_CHARS,
        widget=forms.TextInput(attrs={"placeholder": placeholder}),
    )


class ArticleActionForm(ActionForm):
    """The admin's action bar, plus the topic that "Add a topic" adds."""

    tag = topic_box(label="Topic:", placeholder="for \u201cAdd a topic\u201d")


class BylineForm(forms.ModelForm):
    """One byline row: an existing author, or the name of a new one (a guest, a wire service),
    made when the story is saved (`writing.add_author`). A plain field, so it works without
    JavaScript; the author box's "+" does the same in a window of its own."""

    # Not stripped by the field: a name of spaces must be refused, not silently ignored.
    new_author = forms.CharField(
        label="or a new author",
        required=False,
        strip=False,
        max_length=writing.AUTHOR_NAME_MAX_CHARS,
        help_text="A guest or wire byline not in the list: their name as readers will see it.",
    )
    new_author_note = forms.CharField(
        label="note",
        required=False,
        max_length=200,
        help_text="Optional, for a new author: \u201cReuters\u201d, \u201cfreelance\u201d. "
        "Shown on their author page.",
    )

    class Meta:
        model = Byline
        fields = ["author", "position"]

    # A table row has no <label>s: its column headers are not labels to assistive technology.
    NAMES = {
        "author": "Author",
        "new_author": "New author\u2019s name",
        "new_author_note": "Note on the new author",
        "position": "Position in the byline",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "author" in self.fields:
            self.fields["author"].required = False
        for name, field in self.fields.items():
            if name in self.NAMES:
                widget = getattr(field.widget, "widget", field.widget)  # inside the "+" wrapper
                widget.attrs["aria-label"] = self.NAMES[name]

    def clean(self):
        cleaned = super().clean()
        if "author" in self.errors or "new_author" in self.errors:
            return cleaned
        author, typed = cleaned.get("author"), cleaned.get("new_author") or ""
        if author is not None and typed:
            self.add_error(
                "new_author",
                "Choose an existing author or type a new author\u2019s name, not both.",
            )
        elif author is None and "new_author" not in self.fields:
            self.add_error("author", "Choose an author.")
        elif author is None and not typed:
            self.add_error("author", "Choose an author, or type a new author\u2019s name.")
        elif author is None:
            try:
                cleaned["new_author"] = writing.check_author_name(typed)
            except ValidationError as exc:
                self.add_error("new_author", exc)
        elif cleaned.get("new_author_note"):
            self.add_error(
                "new_author_note",
                "A note goes with a new author; an existing author\u2019s bio is changed on the "
                "Authors screen.",
            )
        return cleaned

    def save(self, commit=True):
        name = self.cleaned_data.get("new_author")
        if name and self.instance.author_id is None:
            self.instance.author = writing.add_author(
                name=name, note=self.cleaned_data.get("new_author_note", "")
            )
        return super().save(commit)


class ExistingAuthorBylineForm(BylineForm):
    """A byline row for someone who may not add authors: an existing author only."""

    new_author = None
    new_author_note = None


class BylineFormSet(forms.BaseInlineFormSet):
    """The byline rows, which must name someone before the story is published or scheduled.

    Checked here rather than in the story's form, which cannot see these rows; by the time the
    admin validates them, `instance` carries the status the story's form chose.
    """

    user = None  # set per request by BylineInline.get_formset

    def clean(self):
        super().clean()
        self._check_new_authors()
        if any(self.errors) or self.instance.status != Article.Status.PUBLISHED:
            return
        # Rows already stored count unless deleted here: a POST may leave them out altogether.
        deleted = [
            form.instance.pk for form in self.initial_forms if self._should_delete_form(form)
        ]
        kept = self.instance.bylines.exclude(pk__in=deleted).count() if self.instance.pk else 0
        added = sum(
            1
            for form in self.extra_forms
            if (form.cleaned_data.get("author") or form.cleaned_data.get("new_author"))
            and not self._should_delete_form(form)
        )
        authors = kept + added
        if not authors and self.user is not None:
            # A story saved with an empty byline gets its writer's own (ArticleAdmin.save_related).
            authors = Author.objects.filter(user=self.user).count()
        if authors:
            return
        stored = Article.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        try:
            workflow.check_byline(stored, self.instance.status, authors=authors)
        except workflow.WorkflowError as exc:
            raise ValidationError(str(exc)) from None

    def _check_new_authors(self) -> None:
        """Each new author's name once: two rows typing it would add two authors."""
        seen: set[str] = set()
        for form in self.forms:
            name = getattr(form, "cleaned_data", {}).get("new_author")
            if not name or self._should_delete_form(form):
                continue
            if name.casefold() in seen:
                form.add_error(
                    "new_author",
                    f"\u201c{name}\u201d is typed in two rows: an author is in a byline once.",
                )
            seen.add(name.casefold())


class RelatedLinkFormSet(forms.BaseInlineFormSet):
    """The related links, each placed after a paragraph that the body being saved has.

    The story's form has been validated by now: `instance.body` is the body as posted, counted
    as it will be stored (cleaned). A link left after a paragraph that an edit removed is
    caught here too, so the editor decides where it goes.
    """

    def clean(self):
        super().clean()
        paragraphs = None
        for form in self.forms:
            after = getattr(form, "cleaned_data", {}).get("after_paragraph")
            if after is None or self._should_delete_form(form):
                continue
            if paragraphs is None:
                paragraphs = inline.paragraph_count(clean_html(self.instance.body or ""))
            if after > paragraphs:
                form.add_error("after_paragraph", _placement_error(paragraphs))


def _placement_error(paragraphs: int) -> str:
    listed = "or leave it empty to list the link under \u201cRelated stories\u201d."
    if not paragraphs:
        return f"The body has no paragraphs yet: use 0 to show the link at the top, {listed}"
    if paragraphs == 1:
        return f"The body has 1 paragraph: use 1 to show the link after it, 0 for the top, {listed}"
    return (
        f"The body has {paragraphs} paragraphs: use a number from 1 to {paragraphs} "
        f"(0 for the top), {listed}"
    )


class CorrectionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        adding = any(
            form.has_changed() and not form.cleaned_data.get("DELETE", False)
            for form in self.forms
            if hasattr(form, "cleaned_data")
        )
        if adding and self.instance.status != Article.Status.PUBLISHED:
            raise ValidationError(
                "Correction and update notes belong on published stories; publish the story "
                "first, or fix a draft without a note."
            )
        published, now = self.instance.published_at, timezone.now()
        for form in self.forms:
            noted = getattr(form, "cleaned_data", {}).get("noted_at")
            if not noted or form.cleaned_data.get("DELETE") or not form.has_changed():
                continue
            if published and noted < published:
                form.add_error("noted_at", "A note can't be older than the story it corrects.")
            elif noted > now + timedelta(minutes=5):
                form.add_error("noted_at", "A note's time can't be in the future.")


class TagActionForm(ActionForm):
    """The topic list's action bar, plus the topic that "Merge" keeps."""

    target = topic_box(label="Into:", placeholder="for \u201cMerge\u201d: the topic to keep")


UPDATE_BODY_MAX_CHARS = 20_000
_HAS_TAG = re.compile(r"<[a-zA-Z/!]")


def update_body(text: str) -> str:
    """An update's body as clean HTML: typed as plain text (a blank line starts a paragraph, a
    line break stays one) or as HTML, which is kept as a story's body is."""
    text = text.strip()
    markup = text if _HAS_TAG.search(text) else linebreaks(text, autoescape=True)
    body = clean_html(markup)
    if not html_to_text(body).strip():
        raise ValidationError("Write the update first: it has no text.")
    return body


def check_update_time(moment):
    if moment and moment > timezone.now() + timedelta(minutes=1):
        raise ValidationError("An update's time can't be in the future.")
    return moment


class LiveUpdatePostForm(forms.Form):
    """The quick "Post an update" form at the top of a live story's change page."""

    headline = forms.CharField(
        max_length=LiveUpdate._meta.get_field("headline").max_length,
        required=False,
        help_text="Optional: a few words above the update.",
    )
    body = forms.CharField(
        label="Update",
        max_length=UPDATE_BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Plain text: a blank line starts a new paragraph. HTML is kept as in a story's "
        "body.",
        error_messages={"required": "Write the update first: it has no text."},
    )
    key_event = forms.BooleanField(
        label="Key event",
        required=False,
        help_text="Listed under \u201cKey events\u201d at the top of the page.",
    )
    pinned = forms.BooleanField(
        label="Pin to the top", required=False, help_text="Kept above the newest updates."
    )

    prefix = "update"

    def clean_body(self):
        return update_body(self.cleaned_data["body"])


class LiveUpdateAdminForm(forms.ModelForm):
    """The full edit of one update: its time, words, authors and flags."""

    body = BodyField(
        extensions=BODY_EXTENSIONS,
        widget=NamedProseEditorWidget,
        max_length=UPDATE_BODY_MAX_CHARS,
        error_messages={"required": "Write the update first: it has no text."},
    )

    class Meta:
        model = LiveUpdate
        fields = ["shown_at", "headline", "body", "authors", "key_event", "pinned"]

    def clean_shown_at(self):
        return check_update_time(self.cleaned_data.get("shown_at"))

    def clean_body(self):
        return update_body(self.cleaned_data["body"])
