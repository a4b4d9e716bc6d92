"""The backup in docs/operations.md is proven by restoring it: backup_restore_check."""

import io
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from rehab.accounts.models import Role, User
from rehab.core.management.commands import backup_restore_check
from tests.conftest import postgresql_only
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_a_dump_restores_into_a_fresh_database_with_every_row(tmp_path):
    postgresql_only()
    UserFactory.create_batch(3, role=Role.RUNNER)
    users = User.objects.count()
    kept = tmp_path / "rehab.dump"
    out = io.StringIO()

    call_command("backup_restore_check", "--keep", str(kept), stdout=out)

    assert "every table's row count matches" in out.getvalue()
    listing = subprocess.run(
        ["pg_restore", "--list", str(kept)], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE DATA public accounts_user" in listing
    with connection.cursor() as cursor:
        scratch = connection.settings_dict["NAME"] + "_restore_check"
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [scratch])
        assert cursor.fetchone()[0] == 0  # the scratch database is gone
    assert User.objects.count() == users


@pytest.mark.django_db(transaction=True)
def test_a_restore_that_lost_rows_fails_and_names_the_table(monkeypatch):
    postgresql_only()
    UserFactory(role=Role.RUNNER)
    real = backup_restore_check.row_counts
    calls = []

    def losing_one_user_on_restore(cursor):
        counts = real(cursor)
        calls.append(counts)
        if len(calls) == 2:  # the second count is the restored database's
            counts["public.accounts_user"] -= 1
        return counts

    monkeypatch.setattr(backup_restore_check, "row_counts", losing_one_user_on_restore)

    with pytest.raises(CommandError, match=r"public\.accounts_user"):
        call_command("backup_restore_check", stdout=io.StringIO())


@pytest.mark.django_db
def test_without_postgresql_it_says_so():
    if connection.vendor == "postgresql":
        pytest.skip("this is the SQLite answer")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("backup_restore_check")
