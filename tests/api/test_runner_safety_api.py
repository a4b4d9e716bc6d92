"""The runner's safety path through the API: a flare-up says how bad it is, and what it
did to a plan whose changes wait for approval; a check-in is changed with PATCH,
including "settled by midday"."""

from __future__ import annotations

import pytest

from programs.logbook.models import FlareUp, MorningCheckin
from programs.plans.models import Decision, Plan
from tests.api.conftest import client_for


def fields_of(response) -> dict:
    return response.json()["error"]["fields"]


def flare_url(world) -> str:
    return f"/api/v1/plans/{world.plan.pk}/flare-up/"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"note": "stairs"}, "This field is required."),
        ({"severity": 11}, "less than or equal to 10"),
        ({"severity": -1}, "greater than or equal to 0"),
        ({"severity": None}, "may not be null"),
        ({"severity": "bad"}, "valid integer"),
    ],
)
def test_flare_up_needs_a_severity_from_0_to_10(world, body, message):
    response = client_for(world.users["owner"]).post(flare_url(world), body, format="json")

    assert response.status_code == 400
    assert message in " ".join(fields_of(response)["severity"])
    assert not FlareUp.objects.exists()


def test_flare_up_waiting_for_approval_says_so(world):
    """The world's plan asks for the physio's approval: the lighter plan is not in force."""
    response = client_for(world.users["owner"]).post(
        flare_url(world), {"severity": 6, "note": "after stairs"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["severity"] == 6
    assert FlareUp.objects.get().severity == 6
    assert body["plan_change"] == "pending"
    assert "waiting for their approval" in body["message"]
    assert "eased off" not in body["message"]
    assert "lighter for now" not in body["message"]
    assert world.plan.decisions.filter(
        status=Decision.Status.PENDING, created_at__gte=FlareUp.objects.get().created_at
    ).exists()


def test_flare_up_message_in_dutch_and_applied_without_approval(world):
    runner = world.users["owner"]
    runner.language = "nl"
    runner.save()
    Plan.objects.filter(pk=world.plan.pk).update(policy={})

    response = client_for(runner).post(flare_url(world), {"severity": 4}, format="json")

    body = response.json()
    assert body["plan_change"] == "applied"
    assert body["message"] == "Je plan is voor de komende dagen lichter gemaakt."


# --- PATCH /api/v1/checkins/{id}/ -------------------------------------------------------------


@pytest.fixture
def checkin(world):
    return MorningCheckin.objects.filter(runner=world.users["owner"]).order_by("-date").first()


def patch(world, actor, checkin, body):
    return client_for(world.users[actor]).patch(
        f"/api/v1/checkins/{checkin.pk}/", body, format="json"
    )


def test_runner_changes_a_checkin_and_answers_settled_by_midday(world, checkin):
    response = patch(world, "owner", checkin, {"pain": 4, "settled_by_midday": False})

    assert response.status_code == 200, response.json()
    assert response.json()["settled_by_midday"] is False
    assert response.json()["pain"] == 4
    checkin.refresh_from_db()
    assert (checkin.pain, checkin.settled_by_midday) == (4, False)
    assert (
        patch(world, "owner", checkin, {"settled_by_midday": None}).json()["settled_by_midday"]
        is None
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pain": 11}, "pain"),
        ({"stiffness_minutes": -1}, "stiffness_minutes"),
        ({"settled_by_midday": "maybe"}, "settled_by_midday"),
        ({"red_flags": ["itchy"]}, "red_flags.0"),
        ({}, "non_field_errors"),
    ],
)
def test_checkin_patch_refuses_bad_input_and_changes_nothing(world, checkin, body, field):
    before = (checkin.pain, checkin.stiffness_minutes, checkin.settled_by_midday)

    response = patch(world, "owner", checkin, body)

    assert response.status_code == 400
    assert field in fields_of(response)
    checkin.refresh_from_db()
    assert (checkin.pain, checkin.stiffness_minutes, checkin.settled_by_midday) == before


@pytest.mark.parametrize(
    ("actor", "status"),
    [("other_runner", 404), ("unlinked_physio", 404), ("linked_physio", 403)],
)
def test_only_the_runner_changes_their_checkin(world, checkin, actor, status):
    response = patch(world, actor, checkin, {"pain": 9})

    assert response.status_code == status
    checkin.refresh_from_db()
    assert checkin.pain != 9


def test_a_warning_sign_added_by_patch_refers_at_once(world, checkin):
    assert world.plan.status == Plan.Status.ACTIVE

    response = patch(world, "owner", checkin, {"red_flags": ["rest_or_night_pain"]})

    assert response.status_code == 200
    world.plan.refresh_from_db()
    assert world.plan.status == Plan.Status.REFERRED
    assert world.plan.decisions.filter(kind="pause_and_refer").exists()
