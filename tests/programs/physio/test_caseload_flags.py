"""The caseload's silence flag counts from the later of plan start and last log, and runners
are named by a short display name ("First L." or the email's local part), never by their
full address, on the web caseload, the physio's pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from programs.content.models import ProgramTemplate
from programs.logbook.models import MorningCheckin, Screening
from programs.logbook.services import plan_start
from rehab.accounts.models import CareLink, Role
from tests.factories import UserFactory
from tests.programs.conftest import runner_context

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 10)
NOW = dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC)


def linked_runner(physio, email, *, first="", last="", started=None, checked_in=None):
    runner = UserFactory(role=Role.RUNNER, email=email, first_name=first, last_name=last)
    CareLink.objects.create(
        physio=physio, runner=runner, status="active", consent_given_at=runner.date_joined
    )
    if started is not None:
        Screening.objects.create(
            runner=runner,
            answers={},
            outcome="ok",
            condition="gluteal_tendinopathy",
            baseline_pain=3,
        )
        plan_start(
            runner=runner,
            template=ProgramTemplate.objects.get(slug="gluteal-tendinopathy"),
            context=runner_context(start_date=started),
            weeks=4,
        )
    if checked_in is not None:
        MorningCheckin.objects.create(runner=runner, date=checked_in, pain=2)
    return runner


def patients(physio) -> dict[int, dict]:
    client = APIClient()
    client.force_authenticate(physio)
    body = client.get("/api/v1/patients/").json()
    return {row["runner"]: row for row in body["results"]}


@pytest.fixture
def physio_user(content):
    return UserFactory(role=Role.PHYSIO, email="physio.flags@hospital.test")


def test_a_runner_who_started_yesterday_is_not_silent(physio_user, time_machine):
    time_machine.move_to(NOW, tick=False)
    new = linked_runner(physio_user, "new@runners.test", started=TODAY - dt.timedelta(days=1))
    quiet = linked_runner(physio_user, "quiet@runners.test", started=TODAY - dt.timedelta(days=10))
    restarted = linked_runner(
        physio_user,
        "restarted@runners.test",
        started=TODAY - dt.timedelta(days=3),
        checked_in=TODAY - dt.timedelta(days=20),
    )
    lapsed = linked_runner(
        physio_user,
        "lapsed@runners.test",
        started=TODAY - dt.timedelta(days=20),
        checked_in=TODAY - dt.timedelta(days=7),
    )
    active = linked_runner(
        physio_user,
        "active@runners.test",
        started=TODAY - dt.timedelta(days=20),
        checked_in=TODAY - dt.timedelta(days=6),
    )

    rows = patients(physio_user)

    silent = {pk for pk, row in rows.items() if "no_log_7_days" in row["flags"]}
    assert silent == {quiet.pk, lapsed.pk}
    assert new.pk not in silent
    assert restarted.pk not in silent
    assert active.pk not in silent
    page = Client()
    page.force_login(physio_user)
    body = page.get("/physio/").content.decode()
    assert body.count("Nothing logged for 7 days") == 2


@pytest.mark.parametrize("language", ["en", "nl"])
def test_runners_are_named_without_their_email_address(physio_user, time_machine, language):
    time_machine.move_to(NOW, tick=False)
    physio_user.language = language
    physio_user.save(update_fields=["language"])
    named = linked_runner(
        physio_user, "anna.visser@runners.test", first="Anna", last="Visser", started=TODAY
    )
    first_only = linked_runner(physio_user, "bo@runners.test", first="Bo", started=TODAY)
    nameless = linked_runner(physio_user, "chris.runs@runners.test", started=TODAY)

    rows = patients(physio_user)
    page = Client()
    page.force_login(physio_user)
    caseload = page.get("/physio/").content.decode()
    runner_page = page.get(f"/physio/runners/{nameless.pk}/").content.decode()
    plan_page = page.get(f"/physio/runners/{named.pk}/").content.decode()

    assert rows[named.pk]["name"] == "Anna V."
    assert rows[first_only.pk]["name"] == "Bo"
    assert rows[nameless.pk]["name"] == "chris.runs"
    for text in (caseload, runner_page):
        assert "chris.runs@runners.test" not in text
        assert "chris.runs" in text
    assert "Anna V." in caseload
    assert "Anna V." in plan_page
    assert "anna.visser@runners.test" not in caseload + plan_page
