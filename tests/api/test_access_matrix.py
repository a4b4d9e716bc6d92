"""T2: every object endpoint x method x actor answers the exact status (IDOR matrix).

Out-of-scope objects are 404 on read and write; in-scope objects with the wrong role are
403; anonymous callers get 403 (session authentication comes first, so no 401 challenge).
The completeness test fails when the schema grows an object route missing from here.
"""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.api.conftest import client_for

ACTORS = ("owner", "other_runner", "linked_physio", "unlinked_physio", "ended_physio", "anonymous")
OUT = {"other_runner": 404, "unlinked_physio": 404, "ended_physio": 404, "anonymous": 403}


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
    ("post", "/api/v1/plans/{id}/flare-up/"): (scoped(201, 403), lambda w: {"note": "stairs"}),
    ("get", "/api/v1/plans/{id}/sessions/"): (scoped(200, 200), None),
    ("get", "/api/v1/plans/{id}/decisions/"): (scoped(200, 200), None),
    ("post", "/api/v1/decisions/{id}/approve/"): (scoped(403, 200), lambda w: {}),
    ("post", "/api/v1/decisions/{id}/reject/"): (scoped(403, 200), lambda w: {}),
    ("post", "/api/v1/sessions/{id}/log/"): (scoped(201, 403), log_body),
    ("get", "/api/v1/exercises/{id}/"): (everyone(200), None),
    ("get", "/api/v1/templates/{id}/"): (everyone(200), None),
    ("get", "/api/v1/education/{id}/"): (everyone(200), None),
    ("delete", "/api/v1/invitations/{id}/"): (
        {
            "owner": 403,
            "other_runner": 403,
            "linked_physio": 204,
            "unlinked_physio": 404,
            "ended_physio": 404,
            "anonymous": 403,
        },
        None,
    ),
}


def object_id(world, path: str):
    from programs.exercises.models import EducationTopic, Exercise
    from programs.plans.models import ProgramTemplate

    prefix = path.split("/")[3]
    return {
        "plans": lambda: world.plan.pk,
        "decisions": lambda: world.decision.pk,
        "sessions": lambda: world.session.pk,
        "exercises": lambda: Exercise.objects.first().pk,
        "templates": lambda: ProgramTemplate.objects.first().slug,
        "education": lambda: EducationTopic.objects.first().pk,
        "invitations": lambda: world.invitation.pk,
    }[prefix]()


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
    missing = _object_routes() - set(MATRIX)
    assert not missing, f"add these routes to the access matrix: {sorted(missing)}"
