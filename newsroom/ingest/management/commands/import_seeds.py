"""`manage.py import_seeds [PATH ...]`: arguments in, report out; the work is in `importing`."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from newsroom.ingest.importing import FileReport, ImportFailed, import_paths


class Command(BaseCommand):
    help = (
        "Import scraped story files (.txt) as articles. PATH may be files or folders (default: "
        "seeds/); folders are read with their subfolders, and every entry that is not imported "
        "(hidden, not .txt, a broken link, unreadable, empty, ...) is named with its reason. "
        "All or nothing: a named file that cannot be imported, or a story file that cannot be "
        "parsed, stops the run and nothing is written."
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
        # Progress goes where the errors go, and only to a terminal: piped or redirected, the
        # output is the plain report. Verbosity 2 lists each file instead; 0 shows no bar.
        terminal = options.get("stderr") or sys.stderr
        bars = None
        if options["verbosity"] == 1 and terminal.isatty():
            bars = ProgressBars(terminal)
        try:
            report = import_paths(
                paths,
                publish=options["publish"],
                author_name=options["author"],
                tags=options["tag"],
                dry_run=options["dry_run"],
                force=options["force"],
                read_progress=bars.read if bars else None,
                progress=bars.written if bars else self._progress_line(options["verbosity"]),
            )
        except ImportFailed as exc:
            raise CommandError(f"{exc} (nothing was imported)") from None
        except KeyboardInterrupt:
            raise CommandError("interrupted (nothing was imported)", returncode=130) from None
        finally:
            if bars:
                bars.close()
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(report.summary()))

    def _progress_line(self, verbosity: int):
        if verbosity < 2:
            return None

        def line(done: int, total: int, file_report: FileReport) -> None:
            # Flushed at once, so a pipe shows how far a long run has got (the crash-safety
            # test kills the run part-way by counting these lines).
            self.stdout.write(
                f"[{done}/{total}] {file_report.path.name}: {file_report.outcome} "
                "(not yet committed)"
            )
            self.stdout.flush()

        return line


class ProgressBars:
    """Two bars on a terminal, one after the other: files read and cleaned, stories written."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.bar: tqdm | None = None
        self.phase = ""

    def read(self, done: int, total: int) -> None:
        self._advance("Reading", done, total, unit="file")

    def written(self, done: int, total: int, file_report: FileReport) -> None:
        self._advance("Writing", done, total, unit="story")

    def _advance(self, phase: str, done: int, total: int, *, unit: str) -> None:
        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = tqdm(total=total, desc=phase, unit=unit, file=self.stream, leave=False)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
