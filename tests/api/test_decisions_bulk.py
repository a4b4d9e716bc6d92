"""POST /api/v1/decisions/bulk/: many pending decisions approved or rejected at once, all
or nothing, scoped to the physio's linked runners, with a message to the runner."""

from __future__ import annotations

import pytest

from programs.plans.models import Decision
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/decisions/bulk/"


def _pending(world):
    return list(
        world.plan.decisions.filter(status=Decision.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def test_the_linked_physio_approves_many_at_once_with_a_message(world):
    ids = _pending(world)
    revisions = world.plan.revisions.count()

    response = client_for(world.users["linked_physio"]).post(
        URL, {"decisions": ids, "verdict": "approve", "message": "Nice work."}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["id"] for row in body] == ids
    assert {row["status"] for row in body} == {"applied"}
    assert {row["physio_message"] for row in body} == {"Nice work."}
    assert world.plan.revisions.count() == revisions + 1


def test_a_decided_one_among_them_is_a_409_and_nothing_is_saved(world):
    ids = _pending(world)
    Decision.objects.filter(pk=ids[0]).update(status=Decision.Status.REJECTED)

    response = client_for(world.users["linked_physio"]).post(
        URL, {"decisions": ids, "verdict": "reject"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert _pending(world) == ids[1:]


def test_an_unknown_id_is_a_404_and_nothing_is_saved(world):
    ids = _pending(world)

    response = client_for(world.users["linked_physio"]).post(
        URL, {"decisions": [*ids, 999999], "verdict": "approve"}, format="json"
    )

    assert response.status_code == 404
    assert _pending(world) == ids


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decisions": [], "verdict": "approve"}, "decisions"),
        ({"decisions": ["x"], "verdict": "approve"}, "decisions"),
        ({"decisions": [1], "verdict": "maybe"}, "verdict"),
        ({"decisions": [1], "verdict": "approve", "message": "x" * 1001}, "message"),
        ({"decisions": list(range(1, 102)), "verdict": "approve"}, "decisions"),
        # beyond a database id (the fuzzer's 500: too large for SQLite's and bigint's range)
        ({"decisions": [38049737462030178189312], "verdict": "approve"}, "decisions"),
        ({"decisions": ["\u00b3"], "verdict": "approve"}, "decisions"),
    ],
)
def test_bad_input_is_a_400_with_field_messages(world, body, field):
    response = client_for(world.users["linked_physio"]).post(URL, body, format="json")

    assert response.status_code == 400
    assert any(name.split(".")[0] == field for name in response.json()["error"]["fields"])
    assert _pending(world)
