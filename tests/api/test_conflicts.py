"""Constraint races are the documented 409, never a 500 (#11).

Two kinds of test per write: a deterministic one that forces the IntegrityError path (the
competing row appears between the service's check and its insert), which runs on every
database, and real concurrency on PostgreSQL (threads with their own connections, started
together behind a barrier), skipped on SQLite, whose writes are serialised per database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import pytest
from rest_framework.test import APIClient

from programs.content.models import ProgramTemplate
from programs.logbook import services as logbook_services
from programs.logbook.models import MorningCheckin, SessionLog
from programs.plans.models import Plan, PlanSession
from programs.plans.services import lifecycle as plan_services
from rehab.accounts import services as account_services
from rehab.accounts.models import CareLink, Invitation, Role, User
from rehab.accounts.services import invitation_create
from tests.conftest import PLAN_BODY, api, concurrently, postgresql_only
from tests.factories import UserFactory
from tests.programs.conftest import runner_context

NOW = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)


def assert_conflict(response) -> None:
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert error["message"]


def statuses(responses) -> list:
    return sorted(getattr(r, "status_code", repr(r)) for r in responses)


def all_past(monkeypatch, module, name: str, parties: int) -> None:
    """Hold every thread just after the service's own check until all have passed it, so
    that all of them insert: the race the unique constraint has to settle. A fix that
    serialises before the check makes the barrier time out, and the threads go on."""
    gate = threading.Barrier(parties, timeout=5)
    original = getattr(module, name)

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait()
        return result

    monkeypatch.setattr(module, name, held)


# --- Plans ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_plan_created_between_the_check_and_the_insert_is_a_409(
    content, screened_runner, monkeypatch
):
    """The IntegrityError of one_open_plan_per_runner, forced: a competing plan appears
    right after plan_generate checked that there was none."""
    original = logbook_services.plan_start_check
    competing = []

    def competitor_arrives(runner):
        features = original(runner)
        if competing:
            return features
        competing.append(None)  # the competitor's own check passes through
        competing[0] = plan_services.plan_generate(
            runner=runner,
            template=ProgramTemplate.objects.get(slug="gluteal-tendinopathy"),
            context=runner_context(),
            start_check=original,
            weeks=4,
        )
        return features

    monkeypatch.setattr(logbook_services, "plan_start_check", competitor_arrives)

    response = api(screened_runner).post("/api/v1/plans/", PLAN_BODY, format="json")

    assert_conflict(response)
    # The competitor ran inside this request's transaction (in production it is another
    # one), so the refusal rolls both back: nothing half-written is left behind.
    assert competing[0] is not None
    assert not Plan.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_plan_creation_gives_one_plan_and_409s(content, screened_runner, monkeypatch):
    postgresql_only()
    all_past(monkeypatch, logbook_services, "plan_start_check", 4)

    responses = concurrently(
        *[lambda: api(screened_runner).post("/api/v1/plans/", PLAN_BODY, format="json")] * 4
    )

    assert statuses(responses) == [201, 409, 409, 409]
    for response in responses:
        if response.status_code == 409:
            assert_conflict(response)
    assert Plan.objects.filter(runner=screened_runner).count() == 1


# --- Invitations and acceptances -------------------------------------------------------------


@pytest.mark.django_db
def test_inviting_an_address_with_an_open_invitation_is_a_409(physio):
    client = api(physio)
    first = client.post("/api/v1/invitations/", {"email": "new@example.com"}, format="json")
    again = client.post("/api/v1/invitations/", {"email": "NEW@example.com"}, format="json")

    assert first.status_code == 201
    assert_conflict(again)
    assert "email" in again.json()["error"]["fields"]
    assert Invitation.objects.count() == 1

    client.delete(f"/api/v1/invitations/{first.json()['id']}/")
    assert client.post("/api/v1/invitations/", {"email": "new@example.com"}).status_code == 201


@pytest.mark.django_db
def test_an_expired_invitation_does_not_block_a_new_one(physio, time_machine):
    time_machine.move_to(NOW, tick=False)
    old, _token = invitation_create(physio=physio, email="new@example.com")
    time_machine.move_to(NOW + dt.timedelta(days=30), tick=False)

    response = api(physio).post("/api/v1/invitations/", {"email": "new@example.com"})

    assert response.status_code == 201, response.content
    listed = {
        i["id"]: i["status"] for i in api(physio).get("/api/v1/invitations/").json()["results"]
    }
    assert listed == {old.pk: "expired", response.json()["id"]: "open"}


@pytest.mark.django_db
def test_an_invitation_stored_between_the_check_and_the_insert_is_a_409(physio, monkeypatch):
    monkeypatch.setattr(account_services, "_pending_invitation", lambda **kwargs: None)
    invitation_create(physio=physio, email="new@example.com")

    response = api(physio).post("/api/v1/invitations/", {"email": "new@example.com"})

    assert_conflict(response)
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
def test_accepting_a_used_invitation_is_a_409(physio, other_runner):
    _invitation, token = invitation_create(physio=physio, email=other_runner.email)
    client = api(other_runner)

    first = client.post("/api/v1/invitations/accept/", {"token": token, "consent": True})
    again = client.post("/api/v1/invitations/accept/", {"token": token, "consent": True})

    assert first.status_code == 200
    assert_conflict(again)


@pytest.mark.django_db
def test_a_link_made_between_the_check_and_the_insert_is_a_409(physio, other_runner, monkeypatch):
    """one_open_carelink_per_pair, forced: another acceptance made the link meanwhile."""
    _invitation, token = invitation_create(physio=physio, email=other_runner.email)
    CareLink.objects.create(physio=physio, runner=other_runner)
    monkeypatch.setattr(account_services, "_open_link", lambda **kwargs: None)

    response = api(other_runner).post(
        "/api/v1/invitations/accept/", {"token": token, "consent": True}
    )

    assert_conflict(response)
    assert CareLink.objects.filter(physio=physio, runner=other_runner).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_invitations_to_one_address_give_one_invitation(physio):
    postgresql_only()
    body = {"email": "new@example.com"}

    responses = concurrently(*[lambda: api(physio).post("/api/v1/invitations/", body)] * 4)

    assert statuses(responses) == [201, 409, 409, 409]
    assert Invitation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_give_one_active_link(physio, other_runner):
    postgresql_only()
    _invitation, token = invitation_create(physio=physio, email=other_runner.email)
    body = {"token": token, "consent": True}

    responses = concurrently(
        *[lambda: api(other_runner).post("/api/v1/invitations/accept/", body)] * 4
    )

    assert statuses(responses) == [200, 409, 409, 409]
    assert CareLink.objects.filter(physio=physio, runner=other_runner).count() == 1
    assert CareLink.objects.get(physio=physio, runner=other_runner).status == "active"


# --- Registration -----------------------------------------------------------------------------

REGISTER = {
    "email": "new.runner@example.com",
    "password": "a-long-enough-password",
    "language": "en",
    "timezone": "Europe/Amsterdam",
    "health_data_consent": True,
}


@pytest.mark.django_db
def test_an_account_registered_between_the_check_and_the_insert_answers_as_for_a_new_one(
    monkeypatch,
):
    from rehab.accounts.api.serializers import RegisterInput

    UserFactory(email=REGISTER["email"], role=Role.RUNNER)
    # Both requests passed every check (the serializer's and the model's) before either
    # inserted: only the unique index is left to refuse the second.
    monkeypatch.setattr(RegisterInput, "validate_email", lambda self, value: value.lower())
    monkeypatch.setattr(User, "validate_unique", lambda self, exclude=None: None)

    response = APIClient().post("/api/v1/auth/register/", REGISTER, format="json")

    # No 500 and no second account; and, as for any taken address, the same answer as for
    # a new one, so the race reveals nothing about who has an account (#11).
    assert response.status_code == 202, response.content
    assert User.objects.filter(email=REGISTER["email"]).count() == 1


# --- Logs ----------------------------------------------------------------------------------------


@pytest.fixture
def plan_today(make_plan, time_machine):
    time_machine.move_to(NOW, tick=False)
    return make_plan()


def _session_body(session):
    return {
        "exercises": [
            {"prescription": rx.pk, "sets_done": rx.sets, "pain_during": 1}
            for rx in session.prescriptions.all()
        ],
        "pain_after": 1,
    }


@pytest.mark.django_db(transaction=True)
def test_concurrent_logs_of_one_session_give_one_log(plan_today):
    postgresql_only()
    session = PlanSession.objects.filter(plan=plan_today, date__lte=NOW.date()).first()
    body = _session_body(session)
    url = f"/api/v1/sessions/{session.pk}/log/"

    responses = concurrently(*[lambda: api(plan_today.runner).post(url, body, format="json")] * 4)

    assert statuses(responses) == [201, 409, 409, 409]
    assert SessionLog.objects.filter(session=session).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_checkins_for_one_day_give_one_checkin(plan_today):
    postgresql_only()
    body = {"date": "2026-12-07", "pain": 2}

    responses = concurrently(
        *[lambda: api(plan_today.runner).post("/api/v1/checkins/", body, format="json")] * 4
    )

    assert statuses(responses) == [201, 409, 409, 409]
    assert MorningCheckin.objects.filter(runner=plan_today.runner).count() == 1
