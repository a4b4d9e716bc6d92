"""API token authentication: django-rest-knox's hashed tokens, renewed on use, with the
time of last use kept for the list of signed-in devices."""

from __future__ import annotations

from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.settings import knox_settings


class ApiTokenAuthentication(TokenAuthentication):
    def renew_token(self, auth_token) -> None:
        """Push the expiry out by the TTL (never past the token's maximum age); written at
        most once per MIN_REFRESH_INTERVAL, so a busy client costs one write a minute."""
        now = timezone.now()
        new_expiry = now + knox_settings.TOKEN_TTL
        if knox_settings.AUTO_REFRESH_MAX_TTL is not None:
            new_expiry = min(new_expiry, auth_token.created + knox_settings.AUTO_REFRESH_MAX_TTL)
        if (new_expiry - auth_token.expiry).total_seconds() > knox_settings.MIN_REFRESH_INTERVAL:
            auth_token.expiry = new_expiry
            auth_token.last_used_at = now
            auth_token.save(update_fields=["expiry", "last_used_at"])
