"""`manage.py restore FILE`: put a backup back into the configured database."""

from django.core.management.base import BaseCommand, CommandError

from newsroom.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace the configured database's contents with a backup made by `manage.py backup`. "
        "A missing, damaged or other-engine file is refused and nothing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, **options):
        try:
            restore(options["file"])
        except BackupError as exc:
            raise CommandError(f"{exc} (nothing was changed)") from None
        self.stdout.write(self.style.SUCCESS(f"Restored {options['file']}"))
