"""The client's address, as the trusted reverse proxies saw it.

One rule for every consumer (DRF's throttles through NUM_PROXIES, allauth's rate limits
through its adapter, django-axes' lockouts through AXES_CLIENT_IP_CALLABLE), all from
settings.TRUSTED_PROXY_COUNT. With no trusted proxy, X-Forwarded-For is ignored: any
client can write that header. With n proxies, each appends the address it received the
request from, so the n-th entry from the right was written by the outermost trusted
proxy; the entries to its left are whatever the client sent and are ignored.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The same formula as DRF's BaseThrottle.get_ident with NUM_PROXIES set."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote_addr
    addresses = forwarded.split(",")
    return addresses[-min(proxies, len(addresses))].strip()
