"""Idempotency-Key for API creates: a retried POST gets the first answer, not a second record.

A client that is not sure its POST arrived (a timeout, a dropped connection on a phone)
sends it again with the same `Idempotency-Key` header:

- same user, same key, same method, path and body: the stored answer of the first request
  (status and body) comes back, marked `Idempotent-Replayed: true`; nothing is written;
- same key with another body, method or path: 422, nothing is written;
- keys expire IDEMPOTENCY_TTL (24 hours) after the first request; after that the key is new;
- the same key sent twice at the same moment: the second request waits until the first
  has finished, then gets its stored answer (the key row is inserted in the same
  transaction as the record, so the unique constraint holds the second back until the
  first commits or rolls back). Only answers 2xx are stored: an error leaves the key
  unused, and the request may be sent again with it.

The request is kept as a hash only; the stored body is the answer the caller was sent.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils import encoders

from rehab.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL = dt.timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("ETag", "Location")
_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as header values travel


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _(
        "This Idempotency-Key was already used for a different request; use a new key."
    )
    default_code = "idempotency_key_reused"


class IdempotencyKeyInProgress(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("A request with this Idempotency-Key is still being processed.")
    default_code = "conflict"


def _fingerprint(request) -> str:
    data = request.data
    if hasattr(data, "lists"):  # a form or multipart body
        data = dict(data.lists())
    text = json.dumps(
        [request.method, request.path, data],
        sort_keys=True,
        separators=(",", ":"),
        cls=encoders.JSONEncoder,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(stored: IdempotencyKey, request, fingerprint: str) -> Response:
    if (stored.method, stored.path, stored.request_hash) != (
        request.method,
        request.path,
        fingerprint,
    ):
        raise IdempotencyKeyReused()
    if stored.response_status is None:  # not visible to others before it is complete
        raise IdempotencyKeyInProgress()
    body = json.loads(stored.response_body) if stored.response_body else None
    headers = {**stored.response_headers, REPLAYED_HEADER: "true"}
    return Response(body, status=stored.response_status, headers=headers)


def idempotent_call(request, key: str, run) -> Response:
    """Answer with the stored response for (user, key), or run the view and store its answer."""
    user = request.user
    fingerprint = _fingerprint(request)
    now = timezone.now()
    with transaction.atomic():
        IdempotencyKey.objects.filter(
            user=user, key=key, created_at__lte=now - IDEMPOTENCY_TTL
        ).delete()
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    method=request.method,
                    path=request.path[:255],
                    request_hash=fingerprint,
                    created_at=now,
                )
        except IntegrityError:
            return _replay(IdempotencyKey.objects.get(user=user, key=key), request, fingerprint)
        response = run()
        if 200 <= response.status_code < 300:
            record.response_status = response.status_code
            record.response_body = (
                JSONRenderer().render(response.data).decode() if response.data is not None else ""
            )
            record.response_headers = {h: response[h] for h in KEPT_HEADERS if h in response}
            record.save(update_fields=["response_status", "response_body", "response_headers"])
        else:
            record.delete()
    return response


def idempotent(handler):
    """Decorate a DRF view method that creates a record: it honours Idempotency-Key."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not _KEY.fullmatch(key):
            raise ValidationError(
                {HEADER: [_("Use 1 to 255 visible ASCII characters, for example a UUID.")]}
            )
        return idempotent_call(request, key, lambda: handler(view, request, *args, **kwargs))

    wrapper.__dict__["idempotent"] = True  # read by rehab.core.schema (the OpenAPI header)
    return wrapper


def idempotency_keys_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the keys older than IDEMPOTENCY_TTL (run periodically by Celery beat)."""
    now = now or timezone.now()
    deleted, _per_model = IdempotencyKey.objects.filter(
        created_at__lte=now - IDEMPOTENCY_TTL
    ).delete()
    return deleted
