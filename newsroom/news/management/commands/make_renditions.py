"""`manage.py make_renditions [--dry-run]`: sized copies for lead images that have none yet."""

from django.core.management.base import BaseCommand

from newsroom.news.writing import make_missing_renditions


class Command(BaseCommand):
    help = (
        "Make the sized copies and crops of every lead image that has none yet (stories saved "
        "before they existed). Safe to run again: images that have theirs are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say how many images need copies."
        )

    def handle(self, *args, **options):
        stories = make_missing_renditions(dry_run=options["dry_run"])
        verb = "need" if options["dry_run"] else "now have"
        self.stdout.write(f"{len(stories)} lead image(s) {verb} their copies.")
