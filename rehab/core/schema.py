"""The project's OpenAPI schema class: each operation documents the statuses it can answer.

- 409 on every write (a conflict with the current state, or a constraint race);
- 412 on routes that read If-Match (a stale ETag);
- 422 and the Idempotency-Key header on creates that honour the key (rehab.core.idempotency);
- 415 on operations that take a body (a Content-Type the API cannot parse);
- 429 on throttled operations (login, registration, log writes).

The shared error envelope is attached to every 4xx by rehab.api.error_responses_hook.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter

from rehab.core.idempotency import HEADER, IDEMPOTENCY_TTL

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Optional: a fresh key (for example a UUID) per record you mean to create. Sent "
        f"again within {int(IDEMPOTENCY_TTL.total_seconds() // 3600)} hours with the same "
        "body, it gets the first answer (status and body) instead of a second record; with "
        "another body it is refused (422). A request sent while the first with the same key "
        "is still running waits for it and gets its answer."
    ),
)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
EXTRA = {
    "409": "Conflict with the current state (already done, changed meanwhile, or created "
    "at the same moment by another request).",
    "412": "If-Match does not match the current ETag.",
    "415": "The request body's Content-Type is not one the API reads (JSON, form data).",
    "422": "The Idempotency-Key was already used for a different request.",
    "429": "Too many requests; try again later (see Retry-After).",
}


class AutoSchema(openapi.AutoSchema):
    def _handler(self):
        name = getattr(self.view, "action", None) or self.method.lower()
        return getattr(self.view, name, None)

    def _idempotent(self) -> bool:
        return bool(getattr(self._handler(), "idempotent", False))

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._idempotent():
            parameters = [*parameters, IDEMPOTENCY_PARAMETER]
        return parameters

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        codes = set()
        if self.method in WRITE_METHODS:
            codes.add("409")
        names = {p.get("name") for p in operation.get("parameters", [])}
        if "If-Match" in names:
            codes.add("412")
        if "requestBody" in operation:
            codes.add("415")
        if self._idempotent():
            codes.add("422")
        if self.view.get_throttles():
            codes.add("429")
        responses = operation["responses"]
        for code in sorted(codes):
            responses.setdefault(code, {"description": EXTRA[code]})
        return operation
