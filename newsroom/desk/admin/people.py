"""The People screen: editors-in-chief add staff in one form, change roles, deactivate, invite.

The rules and the forms are in `newsroom/desk/people.py`; who may open this screen is the
admin's permission check on the Person proxy (`desk.view_person` and friends, which the
Editor-in-chief group holds). Django's own Users screen stays, for administrators only (no
group has the `auth` permissions): making an administrator, or deleting an account, is theirs.
"""

from django.contrib import admin, messages
from django.contrib.auth.views import PasswordResetConfirmView
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html

from newsroom.desk import people
from newsroom.desk.models import Person
from newsroom.news.workflow import EDITOR_GROUP, WRITER_GROUP

Role = people.Role


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        # As `people.role_of` reads the groups: the highest role's group decides.
        eic = people.EDITOR_IN_CHIEF_GROUP
        if self.value() == Role.EDITOR_IN_CHIEF:
            return queryset.filter(groups__name=eic)
        if self.value() == Role.EDITOR:
            return queryset.filter(groups__name=EDITOR_GROUP).exclude(groups__name=eic)
        if self.value() == Role.WRITER:
            return queryset.filter(groups__name=WRITER_GROUP).exclude(
                groups__name__in=[EDITOR_GROUP, eic]
            )
        return queryset


class WelcomeView(PasswordResetConfirmView):
    """The invitation link: the person chooses a password and is signed in. Django's
    password-reset view, so the link works once and for PASSWORD_RESET_TIMEOUT only."""

    template_name = "admin/desk/person/welcome.html"
    title = "Choose your password"
    post_reset_login = True
    # Named because there are two backends (django-axes' and Django's).
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("admin:index")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active and user.is_staff else None

    def get_context_data(self, **kwargs):
        context = {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}
        if not self.validlink:
            context["title"] = "This link no longer works"
        context["days"] = people.link_days()
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set and you are signed in. Welcome.")
        return response


class AccessFilter(admin.SimpleListFilter):
    title = "whether they can sign in"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", "Can sign in"), ("no", "Deactivated")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(is_active=self.value() == "yes")
        return queryset


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["username", "full_name", "email", "role", "can_sign_in", "last_sign_in"]
    list_filter = [RoleFilter, AccessFilter]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    actions = ["send_sign_in_link", "deactivate", "reactivate"]
    add_fieldsets = [
        (None, {"fields": ["name", "email", "username", "role", "credit"]}),
        ("Signing in", {"fields": ["sign_in", "password1", "password2"]}),
    ]
    fieldsets = [
        (None, {"fields": ["name", "signs_in_as", "email", "role", "is_active"]}),
        ("Record", {"fields": ["byline", "last_sign_in", "added"]}),
    ]

    class Media:
        js = ["desk/admin/people.js"]

    def get_urls(self):
        # The invitation link answers people who are not signed in yet, so it is not wrapped
        # in admin_view (which would send them to the login page).
        welcome = path(
            "welcome/<uidb64>/<token>/", WelcomeView.as_view(), name="desk_person_welcome"
        )
        return [welcome, *super().get_urls()]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_staff=True).prefetch_related("groups")

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or people.may_change(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: their stories keep their history

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if not self.has_change_permission(request, obj):
            # Shown, not edited (an administrator, to an editor-in-chief): the list's columns.
            shown = ["full_name", "signs_in_as", "email", "role", "can_sign_in"]
            return [(None, {"fields": shown}), self.fieldsets[1]]
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["signs_in_as", "byline", "last_sign_in", "added"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = people.AddPersonForm if obj is None else people.ChangePersonForm
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        if change:
            form.save_person()
            return
        added = form.save_person()
        if added.author is not None:
            how = "made" if added.author_created else "linked to their account"
            self.message_user(
                request, f"Their byline: the author entry \u201c{added.author}\u201d, {how}."
            )
        if form.invites:
            self._invite(request, obj)

    # List columns

    @admin.display(description="Name", ordering="first_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description="Role")
    def role(self, obj):
        return people.role_label(obj)

    @admin.display(description="Can sign in", boolean=True, ordering="is_active")
    def can_sign_in(self, obj):
        return obj.is_active

    @admin.display(description="Last signed in", ordering="last_login")
    def last_sign_in(self, obj):
        return f"{timezone.localtime(obj.last_login):%d %b %Y %H:%M}" if obj.last_login else "Never"

    @admin.display(description="Username")
    def signs_in_as(self, obj):
        return obj.get_username()

    @admin.display(description="Added")
    def added(self, obj):
        return f"{timezone.localtime(obj.date_joined):%d %b %Y %H:%M}"

    @admin.display(description="Byline")
    def byline(self, obj):
        author = getattr(obj, "author", None)
        if author is None:
            return "None: add an author entry under Authors and choose this account there."
        url = reverse("admin:news_author_change", args=[author.pk])
        return format_html('<a href="{}">{}</a>', url, author.name)

    # Actions

    @admin.action(description="Email the selected people a link to choose a password")
    def send_sign_in_link(self, request, queryset):
        for person in queryset:
            if not person.is_active:
                self.message_user(
                    request,
                    f"Not sent to {people.display_name(person)}: they are deactivated. Tick "
                    "\u201cCan sign in\u201d on their page first.",
                    messages.WARNING,
                )
            elif not person.email:
                self.message_user(
                    request,
                    f"Not sent to {people.display_name(person)}: they have no email address. "
                    "Add one on their page first.",
                    messages.WARNING,
                )
            else:
                self._invite(request, person)

    @admin.action(description="Deactivate the selected people", permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_access(request, queryset, active=False)

    @admin.action(description="Let the selected people sign in again", permissions=["change"])
    def reactivate(self, request, queryset):
        self._set_access(request, queryset, active=True)

    def _set_access(self, request, queryset, *, active: bool) -> None:
        changed = []
        for person in queryset.filter(is_active=not active):
            try:
                people.check_change(person, by=request.user, role=None, active=active)
            except people.PeopleError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            person.is_active = active
            person.save(update_fields=["is_active"])
            self.log_change(request, person, "Reactivated" if active else "Deactivated")
            changed.append(people.display_name(person))
        if not changed:
            return
        if active:
            said = f"They can sign in again: {', '.join(changed)}."
        else:
            said = (
                f"Deactivated: {', '.join(changed)}. They can no longer sign in; their stories, "
                "bylines and history stay as they are."
            )
        self.message_user(request, said)

    def _invite(self, request, person) -> None:
        name = people.display_name(person)
        try:
            people.send_invitation(request, person, by=request.user)
        except OSError as error:  # smtplib's errors are OSErrors too
            self.message_user(
                request,
                f"The invitation to {name} could not be sent ({error}). Try again later with "
                "the \u201cEmail \u2026 a link to choose a password\u201d action in the list, "
                "or set up the mail server (NEWSROOM_EMAIL_HOST).",
                messages.ERROR,
            )
            return
        said = (
            f"Emailed {name} ({person.email}) a link to choose a password; it works once, for "
            f"{people.link_days()} days."
        )
        if people.mail_goes_to_console():
            said += (
                " This site has no mail server set up (NEWSROOM_EMAIL_HOST), so the email was "
                "written to the server's log instead of being sent."
            )
        level = messages.WARNING if people.mail_goes_to_console() else messages.SUCCESS
        self.message_user(request, said, level)
