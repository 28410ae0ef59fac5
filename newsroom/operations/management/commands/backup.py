"""`manage.py backup [--output FILE]`: an online copy of the database; the work is in `backup`."""

from django.core.management.base import BaseCommand, CommandError

from newsroom.operations.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database while the site runs: SQLite through its online backup API, "
        "PostgreSQL through pg_dump (custom format). Default: backups/<UTC time>.sqlite3 or .dump."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="FILE", help="Where to write the backup.")

    def handle(self, *args, **options):
        try:
            path = backup(options["output"])
        except BackupError as exc:
            raise CommandError(f"{exc} (no backup was written)") from None
        self.stdout.write(self.style.SUCCESS(f"Backed up to {path}"))
