"""The set-based insert and update helpers, on whichever database the suite runs on."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from rehab.core.bulk import insert_rows, update_rows
from rehab.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


def _email_rows(count: int, recipient=None) -> list[tuple]:
    return [
        (
            uuid.uuid4(),
            recipient.pk if recipient else None,
            f"r{i}@example.com",
            "plan_alert",
            {"index": i, "names": ["a", "b"], "nested": {"nl": "één"}, "text": TRICKY},
            f"key-{i}",
        )
        for i in range(count)
    ]


TRICKY = 'a "quoted" word, a back\\slash, a {brace}, a\nnew line and a tab\t.'
FIELDS = ("id", "recipient", "to", "template", "context", "dedupe_key")


def test_insert_stores_every_column_and_fills_defaults_and_timestamps(runner):
    rows = _email_rows(3, recipient=runner)
    returned = insert_rows(OutboundEmail, FIELDS, rows, returning=("id", "dedupe_key"))

    assert sorted(returned, key=lambda r: r[1]) == [(r[0], r[5]) for r in rows]
    stored = OutboundEmail.objects.get(dedupe_key="key-2")
    assert stored.recipient == runner
    assert stored.context == {
        "index": 2,
        "names": ["a", "b"],
        "nested": {"nl": "één"},
        "text": TRICKY,
    }
    assert stored.status == OutboundEmail.Status.PENDING  # model default
    assert stored.language == "en"
    assert stored.attempts == 0
    assert stored.created_at is not None
    assert stored.updated_at is not None


def _statements(fn) -> list[str]:
    """The SQL text `fn` sends, before its parameters are bound."""
    sent = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        fn()
    return sent


def test_insert_uses_one_statement_whatever_the_batch_size():
    small = _statements(lambda: insert_rows(OutboundEmail, FIELDS, _email_rows(2)))
    OutboundEmail.objects.all().delete()
    large = _statements(lambda: insert_rows(OutboundEmail, FIELDS, _email_rows(300)))

    assert OutboundEmail.objects.count() == 300
    if connection.vendor == "postgresql":
        # The statement does not grow with the rows: the rows travel as one parameter.
        assert large == small
        assert len(large) == 1


def test_ignore_conflicts_skips_duplicates_and_keeps_the_rest():
    insert_rows(OutboundEmail, FIELDS, _email_rows(2))
    rows = _email_rows(4)  # key-0 and key-1 exist already

    insert_rows(OutboundEmail, FIELDS, rows, ignore_conflicts=True)

    assert sorted(OutboundEmail.objects.values_list("dedupe_key", flat=True)) == [
        "key-0",
        "key-1",
        "key-2",
        "key-3",
    ]


def test_a_conflict_without_ignore_fails_and_writes_nothing():
    insert_rows(OutboundEmail, FIELDS, _email_rows(1))

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(OutboundEmail, FIELDS, _email_rows(3))

    assert OutboundEmail.objects.count() == 1


def test_columns_of_nothing_but_nulls_are_stored_as_null():
    rows = [(uuid.uuid4(), None, "a@example.com", "t", {}, None)]
    insert_rows(OutboundEmail, FIELDS, rows)

    stored = OutboundEmail.objects.get()
    assert stored.dedupe_key is None
    assert stored.recipient_id is None


def test_update_sets_only_the_given_rows_and_fields(runner):
    rows = _email_rows(3)
    insert_rows(OutboundEmail, FIELDS, rows)
    before = {e.pk: e.updated_at for e in OutboundEmail.objects.all()}
    lease = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)

    count = update_rows(
        OutboundEmail,
        ("status", "attempts", "lease_until", "recipient"),
        [(rows[0][0], "sending", 2, lease, runner.pk), (rows[2][0], "sent", 1, None, None)],
    )

    assert count == 2
    first, second, third = (OutboundEmail.objects.get(pk=r[0]) for r in rows)
    assert (first.status, first.attempts, first.lease_until, first.recipient_id) == (
        "sending",
        2,
        lease,
        runner.pk,
    )
    assert (second.status, second.attempts) == ("pending", 0)
    assert (third.status, third.attempts, third.lease_until) == ("sent", 1, None)
    assert first.updated_at > before[first.pk]  # auto_now is kept up to date
    assert second.updated_at == before[second.pk]
    assert first.context == rows[0][4]  # untouched columns keep their values


def test_update_by_another_unique_key():
    insert_rows(OutboundEmail, FIELDS, _email_rows(2))

    update_rows(OutboundEmail, ("template",), [("key-1", TRICKY)], key="dedupe_key")

    assert dict(OutboundEmail.objects.values_list("dedupe_key", "template")) == {
        "key-0": "plan_alert",
        "key-1": TRICKY,
    }


def test_empty_batches_do_nothing():
    with CaptureQueriesContext(connection) as captured:
        assert insert_rows(OutboundEmail, FIELDS, [], returning=("id",)) == []
        assert update_rows(OutboundEmail, ("status",), []) == 0
    assert captured.captured_queries == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the JSON document is the PostgreSQL path"
)
def test_insert_writes_decimals_as_text_and_refuses_what_json_cannot_hold(runner):
    from decimal import Decimal

    (row,) = _email_rows(1)
    row = (*row[:4], {"load_kg": Decimal("2.50"), "on": dt.date(2026, 12, 7)}, row[5])
    insert_rows(OutboundEmail, FIELDS, [row])
    assert OutboundEmail.objects.get(dedupe_key=row[5]).context == {
        "load_kg": "2.50",
        "on": "2026-12-07",
    }

    (bad,) = _email_rows(1)
    with pytest.raises(TypeError, match="object"):
        insert_rows(OutboundEmail, FIELDS, [(*bad[:4], {"x": object()}, "key-bad")])
    assert not OutboundEmail.objects.filter(dedupe_key="key-bad").exists()
