"""The desk's one model: Person, a staff account as the People screen shows it (a proxy: no
table of its own). Its permissions are the editor-in-chief's: `desk.add_person` and
`desk.change_person` (see `newsroom/desk/people.py`)."""

from django.contrib.auth.models import User


class Person(User):
    class Meta:
        proxy = True
        verbose_name = "person"
        verbose_name_plural = "people"
