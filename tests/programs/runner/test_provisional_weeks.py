"""The weeks after the current phase are provisional until its exit criteria are met
(clinical-evidence §C): the runner's pages, the physio's runner page and the API say so,
with the criteria in the runner's words; a phase change waiting for the physio's approval
is never shown as if it were in force. English and Dutch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from programs.engine.specs import Policy
from programs.plans.models import Decision, PlanSession
from programs.plans.services.recording import progression_evaluate
from tests.programs.conftest import (
    MONDAY,
    TUESDAY_WEEK2,
    log_week_meeting_the_exit_criteria,
    week_window,
)

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)  # Monday of week 1, 10:00 in Amsterdam

TEXTS = {
    "en": {
        "phase": "Phase 1 of 4: Settle and start isometrics",
        "provisional": "From about week 2 your plan moves on to Build strength, if:",
        "criterion": "Three sessions in a row with exercise pain 0-2.",
        "pending": "A move to Build strength is waiting for your physiotherapist",
        "suggested": "Suggested, not in force yet.",
    },
    "nl": {
        "phase": "Fase 1 van 4: Tot rust brengen en starten met isometrie",
        "provisional": "Vanaf ongeveer week 2 gaat je plan door naar Kracht opbouwen, als:",
        "criterion": "Drie trainingen op rij met oefenpijn 0-2.",
        "pending": "De overstap naar Kracht opbouwen wacht op goedkeuring van je fysiotherapeut",
        "suggested": "Voorgesteld, nog niet van kracht.",
    },
}


def signed_in(user, language):
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def phase_change_waiting(make_plan, time_machine):
    """Approval mode; week 1 met the first phase's exit criteria; the move waits."""
    plan = make_plan(policy=Policy(require_approval=True))
    time_machine.move_to(TUESDAY_WEEK2)
    log_week_meeting_the_exit_criteria(plan)
    progression_evaluate(plan=plan, window=week_window(plan, 1))
    assert Decision.objects.filter(plan=plan, status="pending", phase_after="gt-p2").exists()
    return plan


@pytest.mark.parametrize("language", ["en", "nl"])
def test_this_week_says_the_later_weeks_are_provisional_with_the_exit_criteria(
    make_plan, time_machine, language
):
    time_machine.move_to(START)
    plan = make_plan()
    texts = TEXTS[language]

    body = signed_in(plan.runner, language).get("/week/").content.decode()

    assert texts["phase"] in body
    assert texts["provisional"] in body
    assert texts["criterion"] in body


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_later_session_is_shown_as_provisional(make_plan, time_machine, language):
    time_machine.move_to(START)
    plan = make_plan()
    later = (
        PlanSession.objects.filter(plan=plan, date__gte=MONDAY + dt.timedelta(days=7))
        .order_by("date")
        .first()
    )
    first = PlanSession.objects.filter(plan=plan).order_by("date").first()
    client = signed_in(plan.runner, language)

    assert TEXTS[language]["provisional"] in client.get(f"/sessions/{later.pk}/").content.decode()
    assert (
        TEXTS[language]["provisional"] not in client.get(f"/sessions/{first.pk}/").content.decode()
    )


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_phase_change_waiting_for_approval_is_not_shown_as_in_force(
    phase_change_waiting, language
):
    plan = phase_change_waiting
    texts = TEXTS[language]
    client = signed_in(plan.runner, language)

    response = client.get("/week/")
    body = response.content.decode()

    assert texts["phase"] in body  # still the first phase
    assert texts["pending"] in body
    assert texts["provisional"] not in body
    slots = {rx.slot_key for s in response.context["sessions"] for rx in s.prescriptions.all()}
    assert slots
    assert all(slot.startswith("gt-p1-") for slot in slots)
    changes = client.get("/plan/changes/").content.decode()
    assert texts["suggested"] in changes


@pytest.mark.parametrize(
    ("language", "criterion"),
    [
        ("en", "Three sessions in a row with exercise pain 0-2."),
        ("nl", "Drie trainingen op rij met oefenpijn 0-2."),
    ],
)
def test_the_api_flags_provisional_weeks_and_gives_the_outlook(
    make_plan, time_machine, runner_client, language, criterion
):
    time_machine.move_to(START)
    plan = make_plan()
    plan.runner.language = language
    plan.runner.save(update_fields=["language"])

    current = runner_client.get("/api/v1/plans/current/week/").json()
    detail = runner_client.get(f"/api/v1/plans/{plan.pk}/").json()

    assert current["week"]["provisional"] is False
    assert current["outlook"]["phase"] == "gt-p1"
    assert current["outlook"]["provisional_from"] == 2
    assert criterion in current["outlook"]["criteria"]
    assert criterion in current["outlook"]["note"]
    assert current["outlook"]["pending_phase_name"] is None
    flags = {week["number"]: week["provisional"] for week in detail["weeks"]}
    assert flags[1] is False
    assert all(flags[n] for n in range(2, 13))
    assert {week["provisional_from"] for week in detail["weeks"][1:]} == {2}
    assert detail["outlook"]["provisional_from"] == 2


def test_the_api_shows_a_waiting_phase_change_as_pending(phase_change_waiting, runner_client):
    current = runner_client.get("/api/v1/plans/current/week/").json()

    assert current["week"]["phase_key"] == "gt-p1"
    assert current["outlook"]["phase"] == "gt-p1"
    assert current["outlook"]["pending_phase_name"] == "Build strength"
    slots = {rx["slot_key"] for s in current["sessions"] for rx in s["prescriptions"]}
    assert all(slot.startswith("gt-p1-") for slot in slots)


@pytest.mark.parametrize(
    ("language", "provisional", "pending"),
    [
        (
            "en",
            "From about week 2 the plan moves on to Build strength, if:",
            "waits for your approval",
        ),
        (
            "nl",
            "Vanaf ongeveer week 2 gaat het plan door naar Kracht opbouwen, als:",
            "wacht hieronder op je goedkeuring",
        ),
    ],
)
def test_the_physio_sees_the_provisional_weeks_and_the_waiting_change(
    make_plan, physio, time_machine, language, provisional, pending
):
    time_machine.move_to(START)
    plan = make_plan()
    client = signed_in(physio, language)

    body = client.get(f"/physio/runners/{plan.runner_id}/").content.decode()

    assert provisional in body
    assert pending not in body
