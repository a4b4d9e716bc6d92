"""Platform writes that belong to no domain app."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

SITE_NAME = "Hip Rehab"


@transaction.atomic
def site_sync(*, using: str = "default") -> None:
    """Make the Sites framework's row say what SITE_URL says.

    allauth names the site (Site.name) and its address (Site.domain) in its emails and
    builds links from the domain when there is no request; without this they would say
    "example.com". Idempotent: run after every migrate (rehab.core.apps).
    """
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": SITE_NAME}
    )
    Site.objects.clear_cache()
