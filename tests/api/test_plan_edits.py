"""The plan-edit API: alternatives with reasons and rules, a swap that overrides a rule needs
a reason (400 first), PATCH for this week or from now on, sessions added and removed, the
ETag moving on with every edit."""

from __future__ import annotations

import datetime as dt

import pytest

from programs.api.plans.concurrency import plan_etag
from programs.plans.models import PlanSession, Prescription
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db
TUESDAY = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def plan(make_plan, time_machine):
    time_machine.move_to(TUESDAY, tick=False)
    return make_plan()


def bridge(plan):
    return Prescription.objects.filter(
        session__plan=plan, session__date__gte=TUESDAY.date(), slot_key="gt-p1-bridge"
    ).order_by("session__date")


def etag(plan):
    plan.refresh_from_db()
    return plan_etag(plan)


def test_list_and_alternatives(plan, physio):
    client = client_for(physio)
    listed = client.get(f"/api/v1/plans/{plan.pk}/prescriptions/")
    assert listed.status_code == 200
    assert listed["ETag"] == etag(plan)
    rows = {r["slot_key"]: r for r in listed.json()["results"]}
    assert rows["gt-p1-bridge"]["exercise"] == "double-leg-bridge"
    alternatives = client.get(f"/api/v1/prescriptions/{rows['gt-p1-bridge']['id']}/alternatives/")
    results = alternatives.json()["results"]
    assert results[0]["exercise"] == "offset-bridge"
    assert results[0]["allowed"] is True
    assert results[0]["reasons"][0]["code"] == "same_family"
    thrust = next(r for r in results if r["exercise"] == "hip-thrust")
    assert {b["code"] for b in thrust["broken"]} >= {"level"}
    assert all(b["section"].startswith("§") for b in thrust["broken"])


def test_an_override_swap_is_refused_without_a_reason_then_stored(plan, physio):
    client = client_for(physio)
    rx = bridge(plan).first()
    url = f"/api/v1/prescriptions/{rx.pk}/swap/"
    refused = client.post(
        url, {"exercise": "crossover-step-up"}, format="json", HTTP_IF_MATCH=etag(plan)
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "override_reason_required"
    assert "§A1" in error["fields"]["reason"][0]
    done = client.post(
        url,
        {"exercise": "crossover-step-up", "reason": "Late stage in all but name."},
        format="json",
        HTTP_IF_MATCH=etag(plan),
    )
    assert done.status_code == 200
    assert done.json()["exercise"] == "crossover-step-up"
    assert done["ETag"] == etag(plan)
    assert plan.current_revision.overrides[0]["rule"] == "early_gt_compression"


def test_patch_this_week_or_from_now_on(plan, physio):
    client = client_for(physio)
    rx = bridge(plan).first()
    week = client.patch(
        f"/api/v1/prescriptions/{rx.pk}/",
        {"sets": 1, "tempo": "3-1-1", "scope": "week", "note": "Slowly."},
        format="json",
        HTTP_IF_MATCH=etag(plan),
    )
    assert week.status_code == 200, week.content
    assert week.json()["sets"] == 1
    assert week.json()["note"] == "Slowly."
    later = bridge(plan).filter(session__date__gte=dt.date(2026, 12, 7))
    assert {r.sets for r in later} == {2}
    assert {r.notes for r in later} == {"Slowly."}
    bad = client.patch(
        f"/api/v1/prescriptions/{rx.pk}/", {"sets": 0}, format="json", HTTP_IF_MATCH=etag(plan)
    )
    assert bad.status_code == 400
    assert "sets" in bad.json()["error"]["fields"]
    nothing = client.patch(
        f"/api/v1/prescriptions/{rx.pk}/", {}, format="json", HTTP_IF_MATCH=etag(plan)
    )
    assert nothing.status_code == 400


def test_sessions_added_moved_and_removed(plan, physio, runner):
    client = client_for(physio)
    taken = set(
        PlanSession.objects.filter(plan=plan, kind="strength").values_list("date", flat=True)
    )
    free = next(
        TUESDAY.date() + dt.timedelta(days=n)
        for n in range(1, 7)
        if TUESDAY.date() + dt.timedelta(days=n) not in taken
    )
    added = client.post(
        f"/api/v1/plans/{plan.pk}/sessions/",
        {"date": free.isoformat(), "kind": "strength"},
        format="json",
        HTTP_IF_MATCH=etag(plan),
    )
    assert added.status_code == 201, added.content
    assert added.json()["date"] == free.isoformat()
    assert added.json()["prescriptions"]
    past = client.post(
        f"/api/v1/plans/{plan.pk}/sessions/",
        {"date": "2026-11-30", "kind": "strength"},
        format="json",
        HTTP_IF_MATCH=etag(plan),
    )
    assert past.status_code == 400
    removed = client.delete(f"/api/v1/sessions/{added.json()['id']}/", HTTP_IF_MATCH=etag(plan))
    assert removed.status_code == 204
    assert not PlanSession.objects.filter(plan=plan, date=free, kind="strength").exists()
    # The runner's own token may read but not edit.
    own = client_for(runner)
    assert own.get(f"/api/v1/plans/{plan.pk}/prescriptions/").status_code == 200
    session = PlanSession.objects.filter(plan=plan, date__gt=TUESDAY.date()).first()
    assert (
        own.delete(f"/api/v1/sessions/{session.pk}/", HTTP_IF_MATCH=etag(plan)).status_code == 403
    )


def test_the_plan_note_is_a_revision_behind_the_etag(plan, physio, runner, other_physio):
    client = client_for(physio)
    url = f"/api/v1/plans/{plan.pk}/note/"
    body = {"text": "  Keep the long run flat this month.  ", "reason": "Hilly route hurt."}
    revisions = plan.revisions.count()

    assert client.put(url, body, format="json").status_code == 428
    assert client.put(url, body, format="json", HTTP_IF_MATCH='"stale"').status_code == 412
    assert client_for(runner).put(url, body, format="json").status_code == 403
    assert client_for(other_physio).put(url, body, format="json").status_code == 404
    too_long = client.put(url, {"text": "x" * 1001}, format="json", HTTP_IF_MATCH=etag(plan))
    assert too_long.status_code == 400
    assert "text" in too_long.json()["error"]["fields"]
    plan.refresh_from_db()
    assert plan.note == ""
    assert plan.revisions.count() == revisions

    before = etag(plan)
    done = client.put(url, body, format="json", HTTP_IF_MATCH=before)
    assert done.status_code == 200
    assert done.json() == {"text": "Keep the long run flat this month."}
    assert done["ETag"] == etag(plan) != before
    plan.refresh_from_db()
    assert plan.note == "Keep the long run flat this month."
    assert plan.revisions.count() == revisions + 1
    assert plan.current_revision.reason == "Hilly route hurt."

    cleared = client.put(url, {"text": ""}, format="json", HTTP_IF_MATCH=etag(plan))
    assert cleared.status_code == 200
    plan.refresh_from_db()
    assert plan.note == ""
