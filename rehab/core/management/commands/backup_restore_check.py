"""Back the PostgreSQL database up, restore the backup into a fresh database, compare.

    python manage.py backup_restore_check [--keep FILE]

pg_dump (custom format) reads one exported snapshot, and the row counts of the source are
taken in that same snapshot, so writes during the check cannot make it disagree. The dump is
restored with pg_restore into a scratch database (`<name>_restore_check`, dropped afterwards)
and every table's row count there must equal the source's. Exit status 1 names the tables
that differ. With --keep the dump is also written to FILE: a backup that was just proven to
restore (docs/operations.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql

TABLES = """
    SELECT table_schema, table_name FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
    ORDER BY table_schema, table_name
"""


def row_counts(cursor: psycopg.Cursor) -> dict[str, int]:
    cursor.execute(TABLES)
    counts: dict[str, int] = {}
    for schema, table in cursor.fetchall():
        cursor.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
        )
        row = cursor.fetchone()
        counts[f"{schema}.{table}"] = int(row[0]) if row else 0
    return counts


class Command(BaseCommand):
    help = "pg_dump the database, restore it into a fresh database and compare row counts."

    def add_arguments(self, parser):
        parser.add_argument("--keep", metavar="FILE", help="also keep the dump in FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("backup_restore_check needs PostgreSQL (DATABASE_URL=postgres://…)")
        for tool in ("pg_dump", "pg_restore"):
            if shutil.which(tool) is None:
                raise CommandError(f"{tool} is not installed (apt-get install postgresql-client)")
        given = {
            "host": db.get("HOST"),
            "port": db.get("PORT"),
            "user": db.get("USER"),
            "password": db.get("PASSWORD"),
        }
        params: dict[str, str] = {key: str(value) for key, value in given.items() if value}
        source = db["NAME"]
        scratch = f"{source}_restore_check"
        env = dict(os.environ)
        for key, name in [("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER")]:
            if key in params:
                env[name] = params[key]
        if "password" in params:
            env["PGPASSWORD"] = params["password"]

        with tempfile.TemporaryDirectory(prefix="rehab-backup-") as folder:
            dump = Path(folder) / f"{source}.dump"
            before = self._dump(source, params, env, dump)
            if options.get("keep"):
                shutil.copyfile(dump, options["keep"])
            after = self._restore(scratch, params, env, dump)

        differing = sorted(
            name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
        )
        if differing:
            detail = ", ".join(f"{n}: {before.get(n)} -> {after.get(n)}" for n in differing)
            raise CommandError(f"the restored database differs: {detail}")
        self.stdout.write(
            f"backup of {source} restored into a fresh database: {len(before)} tables, "
            f"{sum(before.values())} rows, every table's row count matches"
        )

    def _dump(self, source: str, params: dict, env: dict, dump: Path) -> dict[str, int]:
        with psycopg.connect(dbname=source, **params) as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                row = cursor.fetchone()
                snapshot = row[0] if row else ""
                counts = row_counts(cursor)
                # pg_dump sees the very snapshot the counts were taken in, while it is open.
                self._run(
                    [
                        *("pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}"),
                        *("--file", str(dump), "--dbname", source),
                    ],
                    env,
                )
            conn.rollback()
        return counts

    def _restore(self, scratch: str, params: dict, env: dict, dump: Path) -> dict[str, int]:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
            try:
                self._run(
                    [
                        *("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"),
                        *("--dbname", scratch, str(dump)),
                    ],
                    env,
                )
                with psycopg.connect(dbname=scratch, **params) as conn, conn.cursor() as cursor:
                    return row_counts(cursor)
            finally:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(scratch)
                    )
                )

    def _run(self, command: list[str], env: dict) -> None:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise CommandError(f"{command[0]} failed: {result.stderr.strip()}")
