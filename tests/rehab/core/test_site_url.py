"""Links in emails follow where `make run` serves the site, and the Sites framework (which
allauth names in its emails) follows SITE_URL: never example.com, never a port nobody serves."""

from __future__ import annotations

import re

import pytest
from django.contrib.sites.models import Site
from django.core import mail

from rehab.core.config import ConfigError, default_site_url, site_url
from rehab.core.services import site_sync
from rehab.stack import Stack
from tests.conftest import run_manage
from tests.factories import UserFactory


def test_make_run_gives_every_process_a_site_url_on_its_own_port(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)

    assert Stack("127.0.0.1", 8123).env["SITE_URL"] == "http://127.0.0.1:8123"
    # Listening on every interface: links name the loopback address, which is reachable.
    assert Stack("0.0.0.0", 8124).env["SITE_URL"] == "http://127.0.0.1:8124"  # noqa: S104
    assert Stack("::", 8125).env["SITE_URL"] == "http://[::1]:8125"


def test_an_explicit_site_url_wins_over_host_and_port(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://rehab.hospital.test")

    assert Stack("127.0.0.1", 8123).env["SITE_URL"] == "https://rehab.hospital.test"


def test_settings_derive_the_default_site_url_from_port():
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.SITE_URL)", PORT="8123"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8123"


def test_a_malformed_site_url_names_the_variable(monkeypatch):
    monkeypatch.setenv("SITE_URL", "rehab.hospital.test")
    with pytest.raises(ConfigError, match="SITE_URL"):
        site_url("SITE_URL", "http://127.0.0.1:8000")
    monkeypatch.setenv("SITE_URL", "https://rehab.hospital.test/")
    assert site_url("SITE_URL", "http://127.0.0.1:8000") == "https://rehab.hospital.test"
    assert default_site_url("localhost", "9000") == "http://localhost:9000"


@pytest.mark.django_db
def test_migrate_names_the_site_after_site_url(settings):
    # The test database was made by migrate: its post_migrate step set the one Site row.
    site = Site.objects.get(pk=settings.SITE_ID)

    assert site.domain == settings.SITE_URL.split("://", 1)[1]
    assert site.name == "Hip Rehab"


@pytest.mark.django_db
def test_site_sync_is_idempotent_and_follows_a_new_site_url(settings):
    settings.SITE_URL = "https://rehab.hospital.test"
    site_sync()
    site_sync()

    assert Site.objects.count() == 1
    current = Site.objects.get_current()
    assert (current.domain, current.name) == ("rehab.hospital.test", "Hip Rehab")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "nl"])
def test_allauth_emails_name_neither_example_com_nor_port_8000(
    client, settings, language, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://rehab.hospital.test"
    site_sync()
    UserFactory(email="ana@hospital.test", language=language)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/password/reset/",
            {"email": "ana@hospital.test"},
            HTTP_ACCEPT_LANGUAGE=language,
        )

    assert response.status_code == 302
    (message,) = mail.outbox
    text = message.subject + message.body
    assert "example.com" not in text
    assert ":8000" not in text
    assert "Hip Rehab" in text
    assert "rehab.hospital.test" in text
    if language == "nl":
        assert re.search(r"wachtwoord", text, re.IGNORECASE)


@pytest.mark.django_db
def test_our_own_emails_link_to_site_url(settings):
    from rehab.notifications.services import render_email

    settings.SITE_URL = "http://127.0.0.1:8123"
    for language in ("en", "nl"):
        _subject, text, html = render_email(
            template="welcome", context={"first_name": "Ana"}, language=language
        )
        assert "http://127.0.0.1:8123/" in text
        assert 'href="http://127.0.0.1:8123/"' in html
        assert ":8000" not in text + html
