"""Migrations 0003-0004 give the access-log rows written before it their pseudonyms."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from rehab.accounts.models import audit_pseudonym

BEFORE = [("accounts", "0003_api_tokens_and_session_generation")]
AFTER = [("accounts", "0005_accesslog_pseudonyms_backfill")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_audit_rows_get_the_pseudonyms_new_rows_are_written_with():
    old = _migrate(BEFORE)
    try:
        User = old.get_model("accounts", "User")
        runner = User.objects.create(email="r@example.com")
        physio = User.objects.create(email="p@example.com", role="physio")
        AccessLog = old.get_model("accounts", "AccessLog")
        AccessLog.objects.create(actor=physio, runner=runner, object_type="plan")
        AccessLog.objects.create(actor=None, runner=runner, object_type="caseload")

        new = _migrate(AFTER)
        rows = list(new.get_model("accounts", "AccessLog").objects.order_by("pk"))
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert [r.runner_pseudonym for r in rows] == [audit_pseudonym(runner.pk)] * 2
    assert [r.actor_pseudonym for r in rows] == [audit_pseudonym(physio.pk), ""]
