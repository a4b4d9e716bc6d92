"""Idempotency-Key on every API create (#11): a retried POST gets the first answer, not a
second record; the same key with another body is a 422; keys expire after 24 hours; the
same key sent at the same moment creates one record (the second waits and gets the answer).

The creates are read from the schema (every POST that answers 201), so a new one must be
added to CASES here, and honour the key, or the completeness test fails.
"""

from __future__ import annotations

import datetime as dt
import uuid
from types import SimpleNamespace

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from programs.engine.screening import HIP_JOINT_QUESTIONS, RED_FLAGS
from programs.logbook.models import FlareUp, MorningCheckin, RunLog, Screening, SessionLog
from programs.plans.models import Plan, PlanRevision, PlanSession, Prescription
from rehab.accounts.models import CareLink, Invitation, Role
from rehab.accounts.privacy import user_erase
from rehab.accounts.services import invitation_create
from rehab.core.idempotency import IDEMPOTENCY_TTL
from rehab.core.models import IdempotencyKey
from rehab.notifications.models import PushSubscription
from tests.conftest import PLAN_BODY, api, concurrently, postgresql_only
from tests.factories import UserFactory

NOW = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)
# Registration is anonymous (there is no user to hold a key) and an email can register once.
# Creates that need no Idempotency-Key: registration (the email is unique), and the
# watch-file import, which deduplicates by content (runner + sha256 of each file), so a
# replay answers 200 with the runs it made (tests/api/test_run_imports.py).
NOT_IDEMPOTENT = {"/api/v1/auth/register/", "/api/v1/runs/import/"}


def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _creates(schema) -> set[str]:
    return {
        path
        for path, methods in schema["paths"].items()
        if "post" in methods and "201" in methods["post"]["responses"]
    }


def _with_key(schema) -> set[str]:
    return {
        path
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    }


@pytest.fixture
def scene(make_plan, physio, other_runner, time_machine):
    time_machine.move_to(NOW, tick=False)
    plan = make_plan()
    fresh = UserFactory(role=Role.RUNNER, email="fresh.runner@example.com")
    Screening.objects.create(
        runner=fresh, answers={}, outcome="ok", condition="gluteal_tendinopathy", baseline_pain=2
    )
    _invitation, token = invitation_create(physio=physio, email=other_runner.email)
    session = PlanSession.objects.filter(plan=plan, date__lte=NOW.date(), log__isnull=True).first()
    return SimpleNamespace(
        plan=plan,
        runner=plan.runner,
        physio=physio,
        fresh=fresh,
        invited=other_runner,
        token=token,
        session=session,
    )


def _log(scene, pain_after):
    return {
        "exercises": [
            {"prescription": rx.pk, "sets_done": rx.sets, "pain_during": 1}
            for rx in scene.session.prescriptions.all()
        ],
        "pain_after": pain_after,
    }


def _screening(baseline):
    return {
        **dict.fromkeys(RED_FLAGS, False),
        **dict.fromkeys(HIP_JOINT_QUESTIONS, False),
        "hip_snapping": "none",
        "pain_location": "outer_hip",
        "baseline_pain": baseline,
    }


def _bridge(scene):
    """A prescription of a slot in force (the scene's session is in the first phase)."""
    return scene.session.prescriptions.get(slot_key="gt-p1-bridge")


def _free_day(scene):
    taken = set(
        PlanSession.objects.filter(plan=scene.plan, kind="strength").values_list("date", flat=True)
    )
    day = next(
        NOW.date() + dt.timedelta(days=n)
        for n in range(1, 14)
        if NOW.date() + dt.timedelta(days=n) not in taken
    )
    return day.isoformat()


def _physio_edits(scene):
    return PlanRevision.objects.filter(plan=scene.plan, kind=PlanRevision.Kind.PHYSIO)


# path -> (who posts, url, body, another body, what it creates)
def _push_device(name: str) -> dict:
    from tests.rehab.notifications.push_receiver import Device

    return Device(endpoint=f"https://push.example.com/{name}").subscription_json()


CASES = {
    # A physiotherapist's edits (#13): each a new revision; they also need If-Match (post()).
    "/api/v1/prescriptions/{id}/swap/": lambda s: (
        s.physio,
        f"/api/v1/prescriptions/{_bridge(s).pk}/swap/",
        {"exercise": "offset-bridge", "reason": "Ready for more."},
        {"exercise": "quadruped-hip-extension", "reason": "Ready for more."},
        _physio_edits(s),
    ),
    "/api/v1/plans/{id}/sessions/": lambda s: (
        s.physio,
        f"/api/v1/plans/{s.plan.pk}/sessions/",
        {"date": _free_day(s), "kind": "strength"},
        {"date": _free_day(s), "kind": "isometric"},
        _physio_edits(s),
    ),
    "/api/v1/plans/": lambda s: (
        s.fresh,
        "/api/v1/plans/",
        PLAN_BODY,
        {**PLAN_BODY, "strength_days_per_week": 2},
        Plan.objects.filter(runner=s.fresh),
    ),
    "/api/v1/plans/{id}/flare-up/": lambda s: (
        s.runner,
        f"/api/v1/plans/{s.plan.pk}/flare-up/",
        {"note": "stairs", "severity": 5},
        {"note": "hills", "severity": 5},
        FlareUp.objects.all(),
    ),
    "/api/v1/sessions/{id}/log/": lambda s: (
        s.runner,
        f"/api/v1/sessions/{s.session.pk}/log/",
        _log(s, 1),
        _log(s, 2),
        SessionLog.objects.all(),
    ),
    "/api/v1/checkins/": lambda s: (
        s.runner,
        "/api/v1/checkins/",
        {"date": "2026-12-07", "pain": 2},
        {"date": "2026-12-07", "pain": 3},
        MorningCheckin.objects.filter(date=dt.date(2026, 12, 7)),
    ),
    "/api/v1/runs/": lambda s: (
        s.runner,
        "/api/v1/runs/",
        {"minutes": 20, "pain_during": 1},
        {"minutes": 25, "pain_during": 1},
        RunLog.objects.all(),
    ),
    "/api/v1/screening/": lambda s: (
        s.runner,
        "/api/v1/screening/",
        _screening(3),
        _screening(4),
        Screening.objects.filter(runner=s.runner),
    ),
    "/api/v1/invitations/": lambda s: (
        s.physio,
        "/api/v1/invitations/",
        {"email": "a.new.runner@example.com"},
        {"email": "another.runner@example.com"},
        Invitation.objects.all(),
    ),
    "/api/v1/push/subscriptions/": lambda s: (
        s.runner,
        "/api/v1/push/subscriptions/",
        _push_device("one"),
        _push_device("two"),
        PushSubscription.objects.filter(user=s.runner),
    ),
    "/api/v1/invitations/accept/": lambda s: (
        s.invited,
        "/api/v1/invitations/accept/",
        {"token": s.token, "consent": True},
        {"token": s.token + "x", "consent": True},
        CareLink.objects.filter(runner=s.invited),
    ),
}


def test_every_create_honours_the_key_and_is_tested_here(db):
    schema = _schema()
    creates = _creates(schema) - NOT_IDEMPOTENT
    keyed = _with_key(schema)
    assert creates <= keyed, f"creates without Idempotency-Key: {sorted(creates - keyed)}"
    assert keyed == set(CASES), f"add to CASES: {sorted(keyed - set(CASES))}"
    for path in keyed:
        responses = schema["paths"][path]["post"]["responses"]
        assert {"409", "422"} <= set(responses), path


def _if_match(url: str) -> dict:
    """The plan's current ETag for the edit routes, which require If-Match."""
    from programs.api.plans.concurrency import plan_etag

    parts = url.strip("/").split("/")
    if parts[2] == "prescriptions":
        plan = Prescription.objects.get(pk=parts[3]).session.plan
    elif parts[2] == "plans" and parts[-1] == "sessions":
        plan = Plan.objects.get(pk=parts[3])
    else:
        return {}
    return {"HTTP_IF_MATCH": plan_etag(plan)}


def post(user, url, body, key):
    return api(user).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key, **_if_match(url))


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(CASES))
def test_a_retry_with_the_same_key_gets_the_first_answer_and_writes_nothing(scene, path):
    user, url, body, other_body, created = CASES[path](scene)
    before = created.count()
    key = str(uuid.uuid4())

    first = post(user, url, body, key)
    again = post(user, url, body, key)
    other = post(user, url, other_body, key)

    assert 200 <= first.status_code < 300, first.content
    assert created.count() == before + 1
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert other.status_code == 422, other.content
    error = other.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert error["message"]
    assert created.count() == before + 1
    stored = IdempotencyKey.objects.get(user=user, key=key)
    # The request is kept as a hash only; the answer is the one the caller was sent.
    assert len(stored.request_hash) == 64
    assert stored.response_body.encode() == first.content


@pytest.mark.django_db
def test_without_a_key_nothing_changes(scene):
    client = api(scene.runner)
    for _ in range(2):
        assert client.post("/api/v1/runs/", {"minutes": 20, "pain_during": 1}).status_code == 201
    assert RunLog.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_the_plan_etag_is_replayed_too(scene):
    key = str(uuid.uuid4())
    first = post(scene.fresh, "/api/v1/plans/", PLAN_BODY, key)
    again = post(scene.fresh, "/api/v1/plans/", PLAN_BODY, key)
    assert first.status_code == 201
    assert again["ETag"] == first["ETag"]


@pytest.mark.django_db
def test_keys_belong_to_one_user(scene, other_runner):
    key = "shared-key"
    body = {"minutes": 20, "pain_during": 1}
    assert post(scene.runner, "/api/v1/runs/", body, key).status_code == 201
    assert post(other_runner, "/api/v1/runs/", body, key).status_code == 201
    assert RunLog.objects.count() == 2


@pytest.mark.django_db
def test_the_same_key_on_another_route_is_a_422(scene):
    key = str(uuid.uuid4())
    assert post(scene.runner, "/api/v1/runs/", {"minutes": 20, "pain_during": 1}, key)
    response = post(scene.runner, "/api/v1/checkins/", {"minutes": 20, "pain_during": 1}, key)
    assert response.status_code == 422
    assert not MorningCheckin.objects.filter(date=NOW.date()).exists()


@pytest.mark.django_db
def test_an_error_is_not_stored_and_the_key_can_be_used_again(scene):
    key = str(uuid.uuid4())
    bad = post(scene.runner, "/api/v1/runs/", {"minutes": 0, "pain_during": 1}, key)
    good = post(scene.runner, "/api/v1/runs/", {"minutes": 20, "pain_during": 1}, key)
    assert bad.status_code == 400
    assert good.status_code == 201
    assert RunLog.objects.count() == 1


@pytest.mark.django_db
def test_keys_expire_after_24_hours(scene, time_machine):
    body = {"minutes": 20, "pain_during": 1}
    assert dt.timedelta(hours=24) == IDEMPOTENCY_TTL
    first = post(scene.runner, "/api/v1/runs/", body, "run-key")
    time_machine.move_to(NOW + IDEMPOTENCY_TTL - dt.timedelta(minutes=1), tick=False)
    assert post(scene.runner, "/api/v1/runs/", body, "run-key")["Idempotent-Replayed"] == "true"
    time_machine.move_to(NOW + IDEMPOTENCY_TTL + dt.timedelta(minutes=1), tick=False)
    later = post(scene.runner, "/api/v1/runs/", body, "run-key")

    assert later.status_code == 201
    assert "Idempotent-Replayed" not in later
    assert later.json()["id"] != first.json()["id"]
    assert RunLog.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "clé"])
def test_a_malformed_key_is_a_400(scene, key):
    response = post(scene.runner, "/api/v1/runs/", {"minutes": 20, "pain_during": 1}, key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not RunLog.objects.exists()


@pytest.mark.django_db
def test_expired_keys_are_purged_by_the_periodic_task(scene, settings, time_machine):
    from rehab.core.tasks import purge_request_keys

    post(scene.runner, "/api/v1/runs/", {"minutes": 20, "pain_during": 1}, "old")
    time_machine.move_to(NOW + dt.timedelta(hours=23), tick=False)
    post(scene.runner, "/api/v1/runs/", {"minutes": 21, "pain_during": 1}, "recent")
    time_machine.move_to(NOW + dt.timedelta(hours=25), tick=False)

    result = purge_request_keys.delay().get()

    assert result["idempotency_keys"] == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]
    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == purge_request_keys.name
    ]
    assert entries
    assert entries[0]["schedule"] <= 3600


@pytest.mark.django_db
def test_erasing_the_account_deletes_its_keys(scene):
    post(scene.runner, "/api/v1/runs/", {"minutes": 20, "pain_during": 1}, "k1")
    post(scene.physio, "/api/v1/invitations/", {"email": "x@example.com"}, "k1")

    user_erase(user=scene.runner)

    assert list(IdempotencyKey.objects.values_list("user_id", flat=True)) == [scene.physio.pk]


# --- At the same moment (PostgreSQL) ----------------------------------------------------------


@pytest.fixture
def runner_now(runner, time_machine):
    time_machine.move_to(NOW, tick=False)
    return runner


@pytest.mark.django_db(transaction=True)
def test_four_concurrent_posts_with_one_key_create_one_run(runner_now):
    postgresql_only()
    body = {"minutes": 20, "pain_during": 1}

    def send():
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(runner_now)
        return client.post("/api/v1/runs/", body, format="json", HTTP_IDEMPOTENCY_KEY="tap")

    responses = concurrently(*[send] * 4)

    assert [r.status_code for r in responses] == [201] * 4
    assert len({r.content for r in responses}) == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == 3
    assert RunLog.objects.filter(runner=runner_now).count() == 1


@pytest.mark.django_db(transaction=True)
def test_four_concurrent_flare_ups_with_one_key_create_one(make_plan, time_machine):
    postgresql_only()
    time_machine.move_to(NOW, tick=False)
    plan = make_plan()
    url = f"/api/v1/plans/{plan.pk}/flare-up/"

    def send():
        return api(plan.runner).post(
            url, {"note": "x", "severity": 6}, format="json", HTTP_IDEMPOTENCY_KEY="f"
        )

    responses = concurrently(*[send] * 4)

    assert [r.status_code for r in responses] == [201] * 4
    assert FlareUp.objects.filter(runner=plan.runner).count() == 1
