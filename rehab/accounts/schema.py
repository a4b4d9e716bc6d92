"""How the OpenAPI schema describes the API's token authentication."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "rehab.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Token",  # noqa: S106 (a scheme name)
        )
        scheme["description"] = (
            "`Authorization: Token <token>` with a token from `POST /api/v1/auth/token/`: "
            "hashed at rest, one per device, renewed on each use, revoked by a password "
            "change or `POST /api/v1/auth/sign-out-everywhere/`."
        )
        return scheme


class TokenChallengeScheme(OpenApiAuthenticationExtension):
    """The token endpoint itself needs no authentication."""

    target_class = "rehab.accounts.api.views.TokenChallenge"
    name: list[str] = []  # defines no scheme of its own
    priority = 1

    def get_security_requirement(self, auto_schema):
        return None  # AllowAny already marks the operation as open

    def get_security_definition(self, auto_schema):
        return []
