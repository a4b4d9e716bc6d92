"""One-time submission tokens for the web forms: a second submit of a form does not write again.

Every state-changing form carries `{% submission_token %}` next to `{% csrf_token %}`: a
signed, random, single-use value. Views that handle those forms are wrapped in
`@submission_guard`, which stores the token's nonce (unique) in the same transaction as
the view's writes. A second submit of the same form (a double tap, the browser's resend,
two tabs) finds the nonce taken and writes nothing: it is sent to the page the first
submit led to, with a message that the form was already saved. At the same moment, on
PostgreSQL, the second waits for the first to commit, then does the same.

A form whose submit changed nothing (it came back with errors) frees its token, so it can
be sent again once corrected. Tokens older than SUBMISSION_TOKEN_MAX_AGE are refused with a
message (the page is simply loaded again); a POST without a token (an old page still open
in a tab) is handled as before, without the guard.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets

from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from rehab.core.models import SubmissionToken

FIELD = "submission_token"
SUBMISSION_TOKEN_MAX_AGE = dt.timedelta(hours=24)
_SIGNER = signing.TimestampSigner(salt="rehab.core.submission")
REDIRECTS = {301, 302, 303, 307, 308}


def submission_token_new() -> str:
    return _SIGNER.sign(secrets.token_urlsafe(18))


def _nonce(value: str) -> str | None:
    try:
        return _SIGNER.unsign(value, max_age=SUBMISSION_TOKEN_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None


def _back(request, fallback: str = "") -> str:
    """Where to send a refused submit: the page it came from, if it is ours."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return fallback or "home"


def submission_guard(view):
    """Wrap a view that handles a form carrying {% submission_token %}."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        raw = request.POST.get(FIELD) if request.method == "POST" else None
        if not raw:
            return view(request, *args, **kwargs)
        nonce = _nonce(raw)
        if nonce is None:
            messages.error(request, _("This form was open too long. Please fill it in again."))
            return redirect(_back(request))
        user = request.user if request.user.is_authenticated else None
        with transaction.atomic():
            try:
                with transaction.atomic():
                    token = SubmissionToken.objects.create(
                        nonce=nonce, user=user, path=request.path[:255]
                    )
            except IntegrityError:
                first = SubmissionToken.objects.filter(nonce=nonce).first()
                messages.info(
                    request, _("This form was already sent and saved once; nothing was added.")
                )
                return redirect((first.result_url if first else "") or _back(request))
            response = view(request, *args, **kwargs)
            if response.status_code in REDIRECTS:
                token.result_url = response["Location"][:500]
                SubmissionToken.objects.filter(pk=token.pk).update(result_url=token.result_url)
            else:
                SubmissionToken.objects.filter(pk=token.pk).delete()
        return response

    guarded.__dict__["submission_guarded"] = True  # a marker on the function object
    return guarded


def submission_tokens_purge(*, now: dt.datetime | None = None) -> int:
    """Delete tokens past their age (their forms can no longer be sent anyway)."""
    now = now or timezone.now()
    deleted, _per_model = SubmissionToken.objects.filter(
        created_at__lte=now - SUBMISSION_TOKEN_MAX_AGE
    ).delete()
    return deleted
