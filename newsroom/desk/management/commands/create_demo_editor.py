"""`manage.py create_demo_editor`: a staff account for trying Newsroom on a laptop, an
editor-in-chief, so the People screen can be tried too.

It gets a fresh random password every time it runs (printed once), so `make run` always shows
a login that works and no fixed password ever ships with the code.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse

from newsroom.desk import people


class Command(BaseCommand):
    help = "Create (or reset) the demo editor account and print its login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")
        parser.add_argument("--site", default="http://127.0.0.1:8000", help="Where the site runs.")

    def handle(self, *args, username, site, **options):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.is_staff = True
        user.save()
        people.set_role(user, people.Role.EDITOR_IN_CHIEF)
        verb = "Created" if created else "Reset"
        self.stdout.write(
            f"{verb} the demo editor. Log in at {site.rstrip('/')}{reverse('admin:index')} "
            f"as {username!r} with password {password!r}"
        )
