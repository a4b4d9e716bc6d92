"""Create a physiotherapist account in a practice and email them the link to set a password.

    python manage.py create_physio --email ann@clinic.example --first-name Ann \
        --last-name Smit --practice "Fysio Centrum" [--language nl]

No password on the command line: the physio chooses one from the emailed link. The
practice is created when no practice has that name yet.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rehab.accounts.models import Language
from rehab.accounts.practices import physio_create, practice_get_or_create
from rehab.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create a physiotherapist in a practice; emails a link to set the password."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", default="")
        parser.add_argument("--practice", required=True, help="practice name (made if new)")
        parser.add_argument("--language", default="en", choices=Language.values)

    def handle(self, *args, **options):
        try:
            practice = practice_get_or_create(name=options["practice"])
            physio = physio_create(
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                practice=practice,
                language=options["language"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        except ValidationError as error:  # e.g. a malformed address
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(
            f"Created physiotherapist {physio.email} in {practice.name}; "
            "a link to set the password is emailed."
        )
