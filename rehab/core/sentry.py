"""Optional error reporting to Sentry (SENTRY_DSN), with health data scrubbed out.

`sentry_init` is called from settings only when SENTRY_DSN is set. Nothing that could
hold what a runner recorded leaves the process:

- the SDK is told not to collect it: no default PII, no request bodies, no local
  variables of frames;
- `scrub`, the `before_send` hook (and `before_send_transaction`, `before_breadcrumb`),
  removes it again from whatever arrived anyway: request bodies, query strings, cookies
  and auth headers, the user's email/name/address (the id stays), every frame's local
  variables, any value under a key that names a health field (pain, notes, answers...),
  and any string that contains a health word (pain, flare, symptom, pijn...).
"""

from __future__ import annotations

import re
from typing import Any

from rehab.core.config import ConfigError
from rehab.core.logging import FILTERED, HEALTH_WORD

# Keys whose values are health data wherever they appear (form fields, API fields,
# model fields, task arguments): matched as a part of the key, case-insensitively.
HEALTH_KEY = re.compile(
    r"pain|pijn|note|answer|symptom|flare|stiff|rpe|score|screening|red_?flag|referr|"
    r"condition|diagnos|questionnaire|checkin|check_in|body|comment|reason|explanation",
    re.IGNORECASE,
)
# Keys whose values are structure, never data: kept even when a health word appears in
# them (a module path such as programs.logbook.pain_rules is code, not a record).
SAFE_KEYS = frozenset({"module", "function", "filename", "abs_path", "lineno", "colno"})
USER_KEPT = frozenset({"id"})
HEADERS_DROPPED = re.compile(r"cookie|authorization|x-csrftoken|x-api-key", re.IGNORECASE)


def _clean(value: Any, key: str = "") -> Any:
    if key and key not in SAFE_KEYS and HEALTH_KEY.search(key):
        return FILTERED
    if isinstance(value, dict):
        return {k: _clean(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, str) and key not in SAFE_KEYS and HEALTH_WORD.search(value):
        return FILTERED
    return value


def _strip_frames(container: Any) -> None:
    for item in (container or {}).get("values", []) or []:
        frames = ((item or {}).get("stacktrace") or {}).get("frames") or []
        for frame in frames:
            frame.pop("vars", None)


def _strip_request(request: dict) -> None:
    for field in ("data", "query_string", "cookies", "env"):
        request.pop(field, None)
    url = request.get("url")
    if isinstance(url, str):
        request["url"] = url.split("?", 1)[0]
    headers = request.get("headers")
    if isinstance(headers, dict):
        request["headers"] = {k: v for k, v in headers.items() if not HEADERS_DROPPED.search(k)}


def scrub(event: dict[str, Any], hint: Any = None) -> dict[str, Any]:
    """The before_send hook: the event without anything that could be health data."""
    request = event.get("request")
    if isinstance(request, dict):
        _strip_request(request)
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {k: v for k, v in user.items() if k in USER_KEPT}
    _strip_frames(event.get("exception"))
    _strip_frames(event.get("threads"))
    for frame in ((event.get("stacktrace") or {}).get("frames")) or []:
        frame.pop("vars", None)
    for key in list(event):
        if key not in ("user",):
            event[key] = _clean(event[key], key if key not in ("request", "exception") else "")
    return event


def scrub_breadcrumb(crumb: dict[str, Any], hint: Any = None) -> dict[str, Any]:
    return _clean(crumb)


def sentry_init(*, dsn: str, environment: str, traces_sample_rate: str, **options: Any) -> None:
    """Start the SDK with the Django, Celery and logging integrations and the scrubber."""
    try:
        rate = float(traces_sample_rate or 0)
    except ValueError:
        raise ConfigError("SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1") from None
    if not 0 <= rate <= 1:
        raise ConfigError("SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1")
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # What the SDK collects at all (its newer `data_collection` option; the older
        # `send_default_pii` is deprecated): no user info, no bodies, no cookies, no query
        # parameters, no frame variables; of the headers only the harmless ones.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "allowlist", "terms": []},
            "http_headers": {"request": {"mode": "allowlist", "terms": ["content-type", "accept"]}},
            "http_bodies": [],
            "url_query_params": {"mode": "allowlist", "terms": []},
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
            "graphql": {"document": False, "variables": False},
            "gen_ai": {"inputs": False, "outputs": False},
        },
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=rate,
        before_send=scrub,  # type: ignore[arg-type]
        before_send_transaction=scrub,  # type: ignore[arg-type]
        before_breadcrumb=scrub_breadcrumb,
        **options,
    )
