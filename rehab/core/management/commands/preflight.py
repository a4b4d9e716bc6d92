from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from rehab.core.health import probe_redis


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class Command(BaseCommand):
    help = "Check that DATABASE_URL and REDIS_URL can be reached; one line per problem."

    def handle(self, *args, **options):
        problems = []
        try:
            connection.ensure_connection()
        except Exception as exc:
            problems.append(f"DATABASE_URL: cannot connect to the database ({_first_line(exc)})")
        redis = probe_redis()
        if not redis.ok:
            problems.append(
                f"REDIS_URL: cannot reach Redis at {settings.REDIS_URL} ({redis.detail})"
            )
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write(
            f"preflight ok: {connection.vendor} database, Redis at {settings.REDIS_URL}"
        )
