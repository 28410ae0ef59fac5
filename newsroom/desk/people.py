"""People: the newsroom's staff accounts, their roles, and the rules for adding and changing them.

A role is a set of groups, made by migrations: a *Writer*, an *Editor* (news' roles migration),
and an *Editor-in-chief*, an editor who may also add people and change their role and access
(the desk's migration gives that group the `desk.add_person` and `desk.change_person`
permissions; superusers have every permission, so they count too). People are deactivated,
never deleted: their stories, bylines and revisions keep naming them.

Nobody changes their own role or deactivates themselves here, so the editor-in-chief making a
change always remains one, and the newsroom is never left without someone who can add people.

A new person either chooses their own password through an emailed invitation (Django's
password-reset token: it works once, for `PASSWORD_RESET_TIMEOUT`, three days by default) or
gets one set by the editor-in-chief.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from newsroom.desk.models import Person
from newsroom.news.models import Author, unique_slug
from newsroom.news.workflow import EDITOR_GROUP, WRITER_GROUP

EDITOR_IN_CHIEF_GROUP = "Editor-in-chief"


class Role(models.TextChoices):
    WRITER = "writer", "Writer"
    EDITOR = "editor", "Editor"
    EDITOR_IN_CHIEF = "editor-in-chief", "Editor-in-chief"


ROLE_GROUPS = {
    Role.WRITER: {WRITER_GROUP},
    Role.EDITOR: {EDITOR_GROUP},
    Role.EDITOR_IN_CHIEF: {EDITOR_GROUP, EDITOR_IN_CHIEF_GROUP},
}
ROLE_HELP = (
    "A writer writes and submits stories; an editor also publishes and manages authors and "
    "topics; an editor-in-chief is an editor who also adds people and changes their roles."
)

ADMIN_ROLE_HELP = "An administrator can do everything, whatever their role says."


class PeopleError(Exception):
    """A change the People screen refuses; the message says why, for the editor-in-chief."""


def role_of(user) -> Role | None:
    """The person's role by their groups (read from a prefetch when there is one)."""
    names = {group.name for group in user.groups.all()}
    if EDITOR_IN_CHIEF_GROUP in names:
        return Role.EDITOR_IN_CHIEF
    if EDITOR_GROUP in names:
        return Role.EDITOR
    if WRITER_GROUP in names:
        return Role.WRITER
    return None


def role_label(user) -> str:
    if user.is_superuser:
        return "Administrator"
    role = role_of(user)
    return role.label if role else "No role"


def set_role(user, role: Role) -> None:
    """Put `user` in the role's groups and out of the other roles' (other groups are kept)."""
    groups = Group.objects.filter(name__in=set().union(*ROLE_GROUPS.values()))
    user.groups.remove(*(g for g in groups if g.name not in ROLE_GROUPS[role]))
    user.groups.add(*(g for g in groups if g.name in ROLE_GROUPS[role]))


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def may_change(by, person) -> bool:
    """Only an administrator changes an administrator (a superuser's powers don't come from a
    role, so the People screen could only lock them out)."""
    return by.is_superuser or not person.is_superuser


def check_change(person, *, by, role: Role | None, active: bool) -> None:
    """Refuse a change of `person`'s role or access that `by` may not make; PeopleError says
    why. `role` None leaves an administrator's groups as they are."""
    if not may_change(by, person):
        raise PeopleError(
            f"{display_name(person)} is an administrator: only another administrator can "
            "change their role or access."
        )
    if person.pk != by.pk:
        return
    role_changes = role is not None and role != role_of(person)
    if not (role_changes or not active):
        return
    others = (
        Person.objects.filter(is_active=True)
        .filter(models.Q(is_superuser=True) | models.Q(groups__name=EDITOR_IN_CHIEF_GROUP))
        .exclude(pk=person.pk)
    )
    if not others.exists():
        raise PeopleError(
            "You are the newsroom's only editor-in-chief: make someone else editor-in-chief "
            "first, so that someone can still add people and change roles."
        )
    raise PeopleError(
        "You can't change your own role or deactivate yourself: ask another editor-in-chief."
    )


def suggest_username(*, email: str, name: str) -> str:
    """A free username from the email's part before the @ (or the name): letters, digits and
    . + - _ as Django's usernames allow, with a number added when it is taken."""
    start = email.partition("@")[0] if email else ".".join(name.lower().split())
    base = re.sub(r"[^\w.+-]", "", start.lower())[:140] or "person"
    candidate, number = base, 2
    while Person.objects.filter(username__iexact=candidate).exists():
        candidate, number = f"{base}{number}", number + 1
    return candidate


def credit(person, name: str) -> tuple[Author, bool]:
    """The author entry bylines credit `person` by: an unlinked one of that name is linked,
    otherwise a new one made. Returns it and whether it was made."""
    existing = Author.objects.filter(name__iexact=name, user__isnull=True).first()
    if existing is not None:
        existing.user = person
        existing.save(update_fields=["user"])
        return existing, False
    return Author.objects.create(name=name, slug=unique_slug(Author, name), user=person), True


@dataclass(frozen=True, kw_only=True)
class Added:
    """What adding a person did: the account, and the author entry that credits them."""

    person: Person
    author: Author | None = None
    author_created: bool = False


@transaction.atomic
def add(person: Person, *, name: str, role: Role, password: str | None, byline: bool) -> Added:
    """Store a new staff account (username and email already set) in `role`; with no
    password, one that cannot sign in until an invitation link sets it."""
    person.first_name, person.last_name = name, ""
    person.is_staff = person.is_active = True
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.save()
    set_role(person, role)
    if not byline:
        return Added(person=person)
    author, created = credit(person, name)
    return Added(person=person, author=author, author_created=created)


def invitation_link(request, person) -> str:
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    return request.build_absolute_uri(reverse("admin:desk_person_welcome", args=[uid, token]))


def link_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 3600))


def send_invitation(request, person, *, by) -> None:
    """Email `person` a link to choose their password (and so sign in for the first time).
    Raises OSError or smtplib.SMTPException when the mail server can't be reached or refuses."""
    site = settings.NEWSROOM_SITE_NAME
    role = role_label(person)
    article = "an" if role[0] in "AEIOU" else "a"
    days = link_days()
    body = (
        f"Hello {display_name(person)},\n\n"
        f"{display_name(by)} has given you an account on {site}'s editors' site, as "
        f"{article} {role.lower()}.\n\n"
        f"Choose your password here (the link works once, for {days} days):\n\n"
        f"{invitation_link(request, person)}\n\n"
        f"You sign in as: {person.get_username()}\n"
        f"Where: {request.build_absolute_uri(reverse('admin:index'))}\n\n"
        "If the link has stopped working, ask an editor-in-chief to send a new one.\n"
    )
    send_mail(f"Your {site} account: choose a password", body, None, [person.email])


def mail_goes_to_console() -> bool:
    return settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"


# Forms: the People screen's add and change forms. `user` (the editor-in-chief) is set per
# request by the admin.

NAME_HELP = "As bylines show it, e.g. Ann Lee."


def _email_taken(email: str, *, exclude=None) -> Person | None:
    if not email:
        return None
    others = Person.objects.filter(email__iexact=email)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.first()


def _refuse_taken_email(form: forms.Form, email: str, *, exclude=None) -> None:
    if taken := _email_taken(email, exclude=exclude):
        form.add_error(
            "email",
            f"{display_name(taken)} ({taken.get_username()}) already has this email address. "
            "Find them in the list to change their role or access.",
        )


class AddPersonForm(forms.ModelForm):
    """Everything to add a person in one go: who they are, their role, their byline, and how
    they first sign in."""

    INVITE, PASSWORD = "invite", "password"

    name = forms.CharField(max_length=150, help_text=NAME_HELP)
    email = forms.EmailField(
        required=False,
        help_text="Where the invitation goes. Needed to invite them; optional if you set a "
        "password now.",
    )
    username = forms.CharField(
        required=False,
        max_length=150,
        help_text="What they type to sign in. Leave it empty to use the part of their email "
        "before the @ (with a number added if someone has it already).",
    )
    role = forms.ChoiceField(
        choices=Role.choices, initial=Role.WRITER, widget=forms.RadioSelect, help_text=ROLE_HELP
    )
    credit = forms.BooleanField(
        label="Credit them in bylines",
        required=False,
        initial=True,
        help_text="Links an author entry of their name to the account (an existing one with "
        "no account, or a new one), so their new stories get their byline.",
    )
    sign_in = forms.ChoiceField(
        label="First sign-in",
        choices=[
            (INVITE, "Email them a link to choose their own password"),
            (PASSWORD, "Set a password now, and tell it to them yourself"),
        ],
        initial=INVITE,
        widget=forms.RadioSelect,
    )
    password1 = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Only when setting a password now.",
    )
    password2 = forms.CharField(
        label="Password again",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    user = None

    class Meta:
        model = Person
        fields = ["username", "email"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if username and Person.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                f"Someone already signs in as \u201c{username}\u201d: choose another username, "
                "or leave it empty for a free one."
            )
        return username

    def clean(self):
        cleaned = super().clean()
        email, name = cleaned.get("email", ""), cleaned.get("name", "")
        _refuse_taken_email(self, email)
        if not cleaned.get("username") and "username" not in self.errors and (email or name):
            cleaned["username"] = suggest_username(email=email, name=name)
        if cleaned.get("sign_in") == self.INVITE:
            if not email and "email" not in self.errors:
                self.add_error(
                    "email",
                    "To email them an invitation, give their email address (or choose to set "
                    "a password now).",
                )
        elif cleaned.get("sign_in") == self.PASSWORD:
            self._check_password(cleaned)
        return cleaned

    def _check_password(self, cleaned) -> None:
        first, second = cleaned.get("password1", ""), cleaned.get("password2", "")
        if not first:
            self.add_error(
                "password1", "Type a password, or choose to email them an invitation instead."
            )
            return
        if first != second:
            self.add_error("password2", "The two passwords differ: type the same one twice.")
            return
        candidate = Person(
            username=cleaned.get("username", ""),
            email=cleaned.get("email", ""),
            first_name=cleaned.get("name", ""),
        )
        try:
            password_validation.validate_password(first, candidate)
        except ValidationError as error:
            self.add_error("password1", error)

    @property
    def invites(self) -> bool:
        return self.cleaned_data["sign_in"] == self.INVITE

    def save_person(self) -> Added:
        data = self.cleaned_data
        return add(
            self.instance,
            name=data["name"],
            role=Role(data["role"]),
            password=None if self.invites else data["password1"],
            byline=data["credit"],
        )


class ChangePersonForm(forms.ModelForm):
    """A person's name, email, role and access; the rules in `check_change` apply."""

    name = forms.CharField(max_length=150, help_text=NAME_HELP)
    role = forms.ChoiceField(choices=Role.choices, widget=forms.RadioSelect, help_text=ROLE_HELP)

    user = None

    class Meta:
        model = Person
        fields = ["email", "is_active"]
        labels = {"is_active": "Can sign in"}
        help_texts = {
            "is_active": "Untick to deactivate: they can no longer sign in. Their stories, "
            "bylines and history stay as they are."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        person = self.instance
        self.fields["name"].initial = person.get_full_name()
        self.fields["role"].initial = role_of(person)
        if person.is_superuser:
            self.fields["role"].required = False
            self.fields["role"].help_text = ADMIN_ROLE_HELP

    def clean(self):
        cleaned = super().clean()
        _refuse_taken_email(self, cleaned.get("email", ""), exclude=self.instance)
        role = Role(cleaned["role"]) if cleaned.get("role") else None
        try:
            check_change(
                self.instance, by=self.user, role=role, active=cleaned.get("is_active", False)
            )
        except PeopleError as error:
            raise ValidationError(str(error)) from None
        return cleaned

    @transaction.atomic
    def save_person(self) -> None:
        person = self.instance
        person.first_name, person.last_name = self.cleaned_data["name"], ""
        person.save()
        if self.cleaned_data.get("role"):
            set_role(person, Role(self.cleaned_data["role"]))
