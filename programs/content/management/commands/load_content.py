"""manage.py load_content: validate the YAML content library and upsert it atomically."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programs.content.loader import content_load_directory
from programs.content.reading import CONTENT_DIR, ContentError


class Command(BaseCommand):
    help = "Load the content library (programs/content/library/*.yaml) into the database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", type=Path, default=CONTENT_DIR, help="Folder with the YAML files."
        )

    def handle(self, *args, directory: Path, **options):
        try:
            report = content_load_directory(directory=directory)
        except ContentError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(exc.problems)} problem(s) found; nothing was changed."
            ) from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Content library loaded."))
