"""`manage.py import_seeds [PATH ...]`: arguments in, report out; the work is in `importing`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsroom.ingest.importing import ImportFailed, import_paths


class Command(BaseCommand):
    help = (
        "Import scraped story files (.txt) as articles. PATH may be files or directories "
        "(default: seeds/). All or nothing: one bad file stops the run and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", metavar="PATH")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing."
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish new stories at once (default: drafts for an editor to review).",
        )
        parser.add_argument(
            "--author",
            metavar="NAME",
            help=f'Byline for the stories (default: "{settings.NEWSROOM_DESK_BYLINE}").',
        )
        parser.add_argument(
            "--tag", action="append", default=[], metavar="TAG", help="Add a tag (repeatable)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite stories an editor has changed since they were imported.",
        )

    def handle(self, *args, **options):
        paths = options["paths"] or [settings.BASE_DIR / "seeds"]
        verbose = options["verbosity"] >= 2
        try:
            report = import_paths(
                paths,
                publish=options["publish"],
                author_name=options["author"],
                tags=options["tag"],
                dry_run=options["dry_run"],
                force=options["force"],
                progress=self._progress if verbose else None,
            )
        except ImportFailed as exc:
            raise CommandError(f"{exc} (nothing was imported)") from None
        for file_report in report.files:
            for line in file_report.lines():
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(report.summary()))

    def _progress(self, done: int, total: int, file_report) -> None:
        # Flushed at once, so a pipe shows how far a long run has got (the crash-safety test
        # kills the run part-way by counting these lines).
        self.stdout.write(
            f"[{done}/{total}] {file_report.path.name}: {file_report.outcome} (not yet committed)"
        )
        self.stdout.flush()
