"""Data export and account erasure (GDPR Art. 15, 17, 20).

Which rows belong to a user is found by following foreign keys from the user model,
so a model added later is covered without touching this file; a test walks every
model and checks that each one reachable from a user is exported.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from rehab.accounts.models import Invitation, User
from rehab.notifications.services import email_suppression_lift, email_suppressions_of

# Secrets and machinery: never exported, still removed with the account.
EXCLUDED_MODELS = {
    "sessions.session",
    "mfa.authenticator",
    "accounts.apitoken",
    "knox.authtoken",
    "account.emailconfirmation",
    # A web form's one-time nonce and where it led (rehab.core.submission); 24 hours.
    "core.submissiontoken",
}
# A push subscription's endpoint and keys are a browser's secrets: its device name and
# dates are exported, they are not.
EXCLUDED_FIELDS = {"password", "token_hash", "key", "secret", "endpoint", "p256dh", "auth"}
MAX_DEPTH = 4


@dataclass(frozen=True)
class UserPath:
    model: type[models.Model]
    lookups: tuple[str, ...]  # ORM paths from the model to the user, e.g. "plan__runner"


def user_paths() -> list[UserPath]:
    """Every model that reaches the user model through foreign keys, with its paths."""
    found: dict[type[models.Model], set[str]] = {}
    frontier: list[tuple[type[models.Model], str]] = [(User, "")]
    for _depth in range(MAX_DEPTH):
        next_frontier = []
        for target, suffix in frontier:
            for model in apps.get_models():
                if model is User:
                    continue
                for field in model._meta.get_fields():
                    if not field.is_relation or not (field.many_to_one or field.one_to_one):
                        continue
                    if not field.concrete or field.related_model is not target:
                        continue
                    path = f"{field.name}__{suffix}".rstrip("_") if suffix else field.name
                    if path not in found.setdefault(model, set()):
                        found[model].add(path)
                        next_frontier.append((model, path))
        frontier = next_frontier
    return [
        UserPath(model, tuple(sorted(paths)))
        for model, paths in sorted(found.items(), key=lambda item: item[0]._meta.label)
        if paths
    ]


def _plain(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _row(instance: models.Model) -> dict:
    row = {}
    for field in instance._meta.concrete_fields:
        if field.name in EXCLUDED_FIELDS:
            continue
        row[field.attname] = _plain(getattr(instance, field.attname))
    return row


def user_data_export(*, user: User) -> dict:
    """Everything stored about the user, as plain JSON-able data."""
    data: dict[str, list[dict]] = {"accounts.user": [_row(user)]}
    for entry in user_paths():
        label = entry.model._meta.label_lower
        if label in EXCLUDED_MODELS:
            continue
        query = Q()
        for lookup in entry.lookups:
            query |= Q(**{lookup: user})
        rows = entry.model._default_manager.filter(query).distinct().order_by("pk")
        data[label] = [_row(instance) for instance in rows]
    data["accounts.invitation.received"] = [
        _row(i) for i in Invitation.objects.filter(email=user.email).order_by("pk")
    ]
    # A provider's bounce or complaint about the user's address (no foreign key: the
    # suppression belongs to the address).
    data["notifications.emailsuppression"] = [_row(s) for s in email_suppressions_of(user.email)]
    return data


def user_data_export_json(*, user: User) -> bytes:
    return json.dumps(user_data_export(user=user), indent=2, ensure_ascii=False).encode()


def user_data_export_csv_zip(*, user: User) -> bytes:
    """One CSV file per kind of record, in a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for label, rows in user_data_export(user=user).items():
            text = io.StringIO()
            columns = sorted({key for row in rows for key in row}) or ["id"]
            writer = csv.DictWriter(text, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow(
                    {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in row.items()}
                )
            archive.writestr(f"{label}.csv", text.getvalue())
    return buffer.getvalue()


def _session_model():
    """The Session model of a database-backed session engine, or None (cache, cookies)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store.get_model_class() if hasattr(store, "get_model_class") else None


def user_sessions_delete(*, user_id: int) -> int:
    """End every web session of a user: the rows name the user inside their encoded data,
    so each live session is decoded once (an erasure is rare; the table is bounded by the
    session lifetime). Expired sessions, anyone's, go too, as `clearsessions` would do.
    Engines without rows (cache, signed cookies) end sessions when the user is gone."""
    model = _session_model()
    if model is None:
        return 0
    mine = []
    live = model.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
    for session in live.iterator(chunk_size=2000):
        if str(session.get_decoded().get(SESSION_KEY)) == str(user_id):
            mine.append(session.session_key)
    model.objects.filter(Q(session_key__in=mine) | Q(expire_date__lte=timezone.now())).delete()
    return len(mine)


@transaction.atomic
def user_erase(*, user: User) -> dict[str, int]:
    """Remove the account and everything about it. Returns deleted row counts per model.

    API tokens (DRF's or knox's), devices and everything else that points at the user go
    with it by cascade; web sessions, which name the user only inside their data, are
    deleted explicitly. The audit trail stays: access-log rows keep the pseudonym they
    were written with and lose the foreign key (SET NULL), as do other rows that only
    mention the user as the actor of something about someone else.
    """
    user_id = user.pk
    Invitation.objects.filter(email=user.email).delete()
    suppressions = email_suppression_lift(emails=[user.email])
    _count, per_model = user.delete()
    per_model = dict(per_model)
    per_model["notifications.EmailSuppression"] = suppressions
    per_model["sessions.Session"] = user_sessions_delete(user_id=user_id)
    return per_model
