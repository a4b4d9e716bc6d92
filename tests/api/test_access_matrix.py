"""T2: every object endpoint x method x actor answers the exact status (IDOR matrix).

Out-of-scope objects are 404 on read and write; in-scope objects with the wrong role are
403; anonymous callers get 403 (session authentication comes first, so no 401 challenge).
The completeness test fails when the schema grows an object route missing from here.
"""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from programs.plans.models import PlanSession
from tests.api.conftest import client_for

# Practices (#13): the linked physio's colleague in the same practice who is not linked to
# the runner, a physio of another practice, and the admin (staff, linked to nobody) see
# nothing of the runner's: a practice shares no runner's data.
ACTORS = (
    "owner",
    "other_runner",
    "linked_physio",
    "unlinked_physio",
    "ended_physio",
    "practice_physio",
    "other_practice_physio",
    "admin",
    "anonymous",
)
OUT = {
    "other_runner": 404,
    "unlinked_physio": 404,
    "ended_physio": 404,
    "practice_physio": 404,
    "other_practice_physio": 404,
    "admin": 404,
    "anonymous": 403,
}


def scoped(owner, physio):
    return {"owner": owner, "linked_physio": physio, **OUT}


def everyone(status):
    return {**dict.fromkeys(ACTORS, status), "anonymous": 403}


def not_allowed():
    return everyone(405)


def log_body(world):
    rx = world.session.prescriptions.first()
    return {"exercises": [{"prescription": rx.pk, "sets_done": 2, "pain_during": 1}]}


# (method, path template) -> (expected status per actor, body factory)
MATRIX = {
    ("get", "/api/v1/plans/{id}/"): (scoped(200, 200), None),
    ("patch", "/api/v1/plans/{id}/"): (
        scoped(403, 200),
        lambda w: {"version": w.plan.version, "green_max": 1},
    ),
    ("put", "/api/v1/plans/{id}/"): (not_allowed(), lambda w: {}),
    ("delete", "/api/v1/plans/{id}/"): (not_allowed(), None),
    ("post", "/api/v1/plans/{id}/pause/"): (scoped(200, 200), lambda w: {}),
    ("post", "/api/v1/plans/{id}/resume/"): (scoped(400, 400), lambda w: {}),  # not paused
    ("post", "/api/v1/plans/{id}/undo/"): (scoped(403, 400), lambda w: {}),  # nothing to undo
    ("post", "/api/v1/plans/{id}/flare-up/"): (
        scoped(201, 403),
        lambda w: {"note": "stairs", "severity": 5},
    ),
    ("get", "/api/v1/plans/{id}/sessions/"): (scoped(200, 200), None),
    ("get", "/api/v1/plans/{id}/decisions/"): (scoped(200, 200), None),
    ("post", "/api/v1/decisions/{id}/approve/"): (scoped(403, 200), lambda w: {}),
    ("post", "/api/v1/decisions/{id}/reject/"): (scoped(403, 200), lambda w: {}),
    ("post", "/api/v1/sessions/{id}/log/"): (scoped(201, 403), log_body),
    ("get", "/api/v1/referrals/{id}/"): (scoped(200, 200), None),
    ("post", "/api/v1/referrals/{id}/clear/"): (
        scoped(200, 200),  # the runner with a clinician's all-clear; the physio with a note
        lambda w: {
            "note": "Assessed, fine to load.",
            "clinician": "Dr. Jansen, GP",
            "assessed_on": "2026-12-08",
            "confirmed": True,
        },
    ),
    ("patch", "/api/v1/checkins/{id}/"): (scoped(200, 403), lambda w: {"pain": 2}),
    ("get", "/api/v1/exercises/{id}/"): (everyone(200), None),
    ("get", "/api/v1/templates/{id}/"): (everyone(200), None),
    ("get", "/api/v1/education/{id}/"): (everyone(200), None),
    # Signed-in devices are the user's own: nobody else can see or revoke them.
    ("get", "/api/v1/auth/devices/"): (everyone(200), None),
    ("delete", "/api/v1/auth/devices/{id}/"): (
        {**dict.fromkeys(ACTORS, 404), "owner": 204, "anonymous": 403},
        None,
    ),
    ("post", "/api/v1/auth/sign-out-everywhere/"): (everyone(204), lambda w: {}),
    ("delete", "/api/v1/invitations/{id}/"): (
        {
            "owner": 403,
            "other_runner": 403,
            "linked_physio": 204,
            "unlinked_physio": 404,
            "ended_physio": 404,
            "practice_physio": 404,  # the colleague cannot withdraw the physio's invitation
            "other_practice_physio": 404,
            "admin": 404,
            "anonymous": 403,
        },
        None,
    ),
}


# --- issue #13: bulk approve/reject (branch glance) ---------------------------------------
# A collection route: the decision ids go in the body. Runners may not decide (403); a
# physio without the runner in scope finds nothing (404), and nothing is saved.
MATRIX.update(
    {
        ("post", "/api/v1/decisions/bulk/"): (
            {
                "owner": 403,
                "other_runner": 403,
                "linked_physio": 200,
                "unlinked_physio": 404,
                "ended_physio": 404,
                "practice_physio": 404,
                "other_practice_physio": 404,
                "admin": 404,
                "anonymous": 403,
            },
            lambda w: {"decisions": [w.decision.pk], "verdict": "approve", "message": "Good."},
        ),
    }
)
# --- end of issue #13 bulk block -----------------------------------------------------------

# --- issue #15: runs from the watch (branch watch) -----------------------------------------
# A run is changed or deleted by its runner only: anyone else, the linked physio included,
# finds nothing (404) and nothing changes.
OWNER_ONLY = {**dict.fromkeys(ACTORS, 404), "anonymous": 403}
MATRIX.update(
    {
        ("patch", "/api/v1/runs/{id}/"): ({**OWNER_ONLY, "owner": 200}, lambda w: {"rpe": 4}),
        ("delete", "/api/v1/runs/{id}/"): ({**OWNER_ONLY, "owner": 204}, None),
    }
)
# --- end of issue #15 block ----------------------------------------------------------------


def open_referral(world):
    """An open referral on the owner's record (made here, not in the world: an open
    referral stops the owner's plan from resuming in the other API tests)."""
    from programs.logbook.models import Referral

    return Referral.objects.create(
        runner=world.plan.runner,
        source=Referral.Source.CHECKIN,
        source_id=1,
        reasons=["rest_or_night_pain"],
    )


def object_id(world, path: str):
    from programs.content.models import EducationTopic, Exercise, ProgramTemplate
    from rehab.accounts.services import api_token_create

    prefix = path.split("/")[3]
    return {
        "auth": lambda: api_token_create(user=world.users["owner"], device="phone")[0].pk,
        "plans": lambda: world.plan.pk,
        "decisions": lambda: world.decision.pk,
        "sessions": lambda: world.session.pk,
        "checkins": lambda: world.plan.runner.checkins.order_by("-date").first().pk,
        "exercises": lambda: Exercise.objects.first().pk,
        "templates": lambda: ProgramTemplate.objects.first().slug,
        "education": lambda: EducationTopic.objects.first().pk,
        "invitations": lambda: world.invitation.pk,
        "referrals": lambda: open_referral(world).pk,
        "prescriptions": lambda: _edit_rx(world).pk,
        "runs": lambda: _own_run(world).pk,
    }[prefix]()


def _own_run(world):
    from programs.logbook.models import RunLog

    return RunLog.objects.create(
        runner=world.plan.runner, date=world.session.date, minutes=20, pain_during=1
    )


CASES = [(m, p, a) for (m, p) in MATRIX for a in ACTORS]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "actor"), CASES, ids=[f"{m}-{p}-{a}" for m, p, a in CASES]
)
def test_access_matrix(world, method, path, actor):
    expected, body = MATRIX[(method, path)][0][actor], MATRIX[(method, path)][1]
    url = path.replace("{id}", str(object_id(world, path)))
    client = client_for(world.users[actor])
    kwargs = {"format": "json"} if body else {}
    response = getattr(client, method)(url, body(world) if body else None, **kwargs)

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}


def _object_routes() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    routes = set()
    for path, methods in schema["paths"].items():
        if re.search(r"\{(id|pk)\}", path):
            routes.update(
                (m, path) for m in methods if m in {"get", "post", "put", "patch", "delete"}
            )
    return routes


def test_every_object_route_in_the_schema_is_in_the_matrix(db):
    missing = _object_routes() - set(MATRIX) - set(EDIT_MATRIX)
    assert not missing, f"add these routes to the access matrix: {sorted(missing)}"


# --- Plan edits (#13): every write sends the plan's ETag in If-Match --------------------------
# A runner's own token reads the prescriptions but cannot edit (403); out of scope is 404.


def _edit_rx(world):
    from programs.api.plans.prescriptions import standing_rows

    return next(r for r in standing_rows(world.plan) if r.slot_key == "gt-p1-bridge")


def _future_session(world):
    from rehab.core.timeutils import local_today

    today = local_today(world.plan.runner.timezone)
    return PlanSession.objects.filter(
        plan=world.plan, log__isnull=True, date__gt=today, kind="strength"
    ).first()


def _free_day(world):
    import datetime as dt

    from rehab.core.timeutils import local_today

    today = local_today(world.plan.runner.timezone)
    taken = set(
        PlanSession.objects.filter(plan=world.plan, kind="strength").values_list("date", flat=True)
    )
    return next(
        today + dt.timedelta(days=n)
        for n in range(1, 14)
        if today + dt.timedelta(days=n) not in taken
    )


EDIT_MATRIX = {
    ("get", "/api/v1/plans/{id}/prescriptions/"): (scoped(200, 200), None, lambda w: w.plan.pk),
    ("patch", "/api/v1/prescriptions/{id}/"): (
        scoped(403, 200),
        lambda w: {"sets": 3, "note": "Slowly down."},
        lambda w: _edit_rx(w).pk,
    ),
    ("get", "/api/v1/prescriptions/{id}/alternatives/"): (
        scoped(403, 200),
        None,
        lambda w: _edit_rx(w).pk,
    ),
    ("post", "/api/v1/prescriptions/{id}/swap/"): (
        scoped(403, 200),
        lambda w: {"exercise": "offset-bridge", "reason": "Ready for more."},
        lambda w: _edit_rx(w).pk,
    ),
    ("post", "/api/v1/plans/{id}/sessions/"): (
        scoped(403, 201),
        lambda w: {"date": _free_day(w).isoformat(), "kind": "strength"},
        lambda w: w.plan.pk,
    ),
    ("put", "/api/v1/plans/{id}/note/"): (
        scoped(403, 200),
        lambda w: {"text": "Flat runs this month."},
        lambda w: w.plan.pk,
    ),
    ("delete", "/api/v1/sessions/{id}/"): (
        scoped(403, 204),
        None,
        lambda w: _future_session(w).pk,
    ),
}
# Every actor, the admin and the practice colleagues included: no runner data but to the
# linked physio (404).
EDIT_ACTORS = ACTORS
EDIT_CASES = [(m, p, a) for (m, p) in EDIT_MATRIX for a in EDIT_ACTORS]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "actor"), EDIT_CASES, ids=[f"{m}-{p}-{a}" for m, p, a in EDIT_CASES]
)
def test_edit_access_matrix(world, admin_user, method, path, actor):
    from programs.api.plans.concurrency import plan_etag

    expected, body, object_of = EDIT_MATRIX[(method, path)]
    expected = {**expected, "admin": 404}
    world.users["admin"] = admin_user
    url = path.replace("{id}", str(object_of(world)))
    world.plan.refresh_from_db()
    client = client_for(world.users[actor])
    kwargs = {"format": "json", "HTTP_IF_MATCH": plan_etag(world.plan)}
    response = getattr(client, method)(url, body(world) if body else None, **kwargs)

    assert response.status_code == expected[actor], response.content
    if expected[actor] >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"), [(m, p) for (m, p) in EDIT_MATRIX if m != "get"], ids=str
)
def test_edits_need_a_current_if_match(world, method, path):
    _expected, body, object_of = EDIT_MATRIX[(method, path)]
    url = path.replace("{id}", str(object_of(world)))
    client = client_for(world.users["linked_physio"])
    data = body(world) if body else None
    missing = getattr(client, method)(url, data, format="json")
    assert missing.status_code == 428, missing.content
    stale = getattr(client, method)(url, data, format="json", HTTP_IF_MATCH='"plan-0-v0"')
    assert stale.status_code == 412, stale.content
    assert stale.json()["error"]["code"] == "precondition_failed"


# --- Practices (#13): the lists and the physio's pages --------------------------------------

LIST_ROUTES = (
    "/api/v1/patients/",
    "/api/v1/plans/",
    "/api/v1/checkins/",
    "/api/v1/runs/",
    "/api/v1/referrals/",
)


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["practice_physio", "other_practice_physio", "admin"])
def test_a_practice_lists_none_of_a_colleagues_runners(world, actor):
    """The lists hold only runners linked to the caller: the colleague of the same practice
    gets an empty caseload, as does a physio of another practice and the admin."""
    client = client_for(world.users[actor])
    for path in LIST_ROUTES:
        response = client.get(path)
        assert response.status_code == 200, (path, response.content)
        assert response.json()["count"] == 0, path
    linked = client_for(world.users["linked_physio"]).get("/api/v1/patients/").json()
    assert [row["runner"] for row in linked["results"]] == [world.users["owner"].pk]


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["practice_physio", "other_practice_physio", "admin"])
def test_the_physio_pages_of_a_runner_answer_404_to_a_practice_colleague(world, actor):
    """Every physio page about the runner (GET and POST) is a 404 to a physio who is not
    linked to them, in the same practice or not; their own caseload does not list them."""
    from django.test import Client

    from tests.url_walk import fill, routes

    owner = world.users["owner"]
    values = {
        "runner_id": str(owner.pk),
        "pk": str(world.decision.pk),
        "verdict": "approve",
        "slot_key": "gt-p1-bridge",
        "form_name": "dose",
    }
    client = Client()
    client.force_login(world.users[actor])
    pages = [
        r
        for r in routes()
        if (r.name.startswith("physio:") and "runner_id" in r.route)
        or r.name in {"physio:decide", "physio:invitation_withdraw"}
    ]
    assert len(pages) >= 6
    wrong = {}
    for route in pages:
        if route.name == "physio:invitation_withdraw":
            path = fill(route, lambda _r, p, _c: str(world.invitation.pk) if p == "pk" else None)
        else:
            path = fill(route, lambda _r, p, _c: values.get(p))
        answers = {"GET": client.get(path).status_code, "POST": client.post(path, {}).status_code}
        if set(answers.values()) - {404, 405}:
            wrong[path] = answers
    assert not wrong
    caseload = client.get("/physio/")
    assert caseload.status_code == 200
    assert f"/physio/runners/{owner.pk}/" not in caseload.content.decode()
