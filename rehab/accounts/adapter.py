"""allauth's hooks: one client address rule, one way to set a password, one email path."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter

from rehab.core.net import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """Rate limits count the address the trusted proxies saw (TRUSTED_PROXY_COUNT)."""
        return client_ip(request) or super().get_client_ip(request)

    def set_password(self, user, password: str) -> None:
        """Password change, set and reset on the web all end here: every API token goes."""
        from rehab.accounts.services import user_password_set

        user_password_set(user=user, password=password)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails go through the outbox like every other (rehab.accounts.emails)."""
        from rehab.accounts.emails import allauth_email_enqueue

        allauth_email_enqueue(template_prefix=template_prefix, email=email, context=context)
