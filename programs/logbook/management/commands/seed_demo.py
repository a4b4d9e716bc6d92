from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from programs.logbook.demo_seed import demo_seed


class Command(BaseCommand):
    help = "Create the demo admin, physio and runner (idempotent; DEBUG only unless --force)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="seed even when DEBUG is off")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("refusing to create demo accounts with DEBUG off (use --force)")
        created = demo_seed()
        self.stdout.write(f"demo data ready ({created} new account(s))")
