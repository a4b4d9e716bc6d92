"""The plan editor: preview first, then save; an override warns and needs a reason; a stale
version is refused; the runner sees the change, the notes and why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from programs.plans.models import PlanRevision, Prescription
from rehab.accounts.models import AccessLog

pytestmark = pytest.mark.django_db
TUESDAY = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def plan(make_plan, time_machine):
    time_machine.move_to(TUESDAY, tick=False)
    return make_plan()


@pytest.fixture
def physio_client(physio):
    client = Client()
    client.force_login(physio)
    return client


def step(client, plan, name, **data):
    url = reverse("physio:editor_step", args=[plan.runner_id, name])
    return client.post(url, {"version": plan.version, **data})


def test_the_editor_lists_the_doses_and_is_audited(physio_client, plan, physio):
    response = physio_client.get(reverse("physio:editor", args=[plan.runner_id]))
    assert response.status_code == 200
    assert "Double-leg bridge" in response.content.decode()
    assert AccessLog.objects.filter(actor=physio, object_type="plan_editor").exists()
    runner_page = physio_client.get(reverse("physio:runner", args=[plan.runner_id]))
    assert reverse("physio:editor", args=[plan.runner_id]) in runner_page.content.decode()


def test_the_editor_is_404_for_others(plan, other_physio, runner):
    for user in (other_physio, runner):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("physio:editor", args=[plan.runner_id])).status_code == 404


def test_swap_page_ranks_alternatives(physio_client, plan):
    url = reverse("physio:editor_swap", args=[plan.runner_id, "gt-p1-bridge"])
    body = physio_client.get(url).content.decode()
    assert body.index("Offset bridge") < body.index("Hip thrust")
    assert "§B2" in body  # the rule a higher level would override, with its section


def test_a_dose_change_previews_then_saves(physio_client, plan):
    preview = step(
        physio_client,
        plan,
        "dose",
        slot_key="gt-p1-bridge",
        sets=3,
        reps=8,
        rest_seconds=60,
        scope="future",
        reason="Ready for a third set.",
    )
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "2 sets" in text
    assert "3 sets" in text
    plan.refresh_from_db()
    assert plan.revisions.count() == 1  # nothing written yet
    saved = step(
        physio_client,
        plan,
        "dose",
        step="save",
        slot_key="gt-p1-bridge",
        sets=3,
        reps=8,
        rest_seconds=60,
        scope="future",
        reason="Ready for a third set.",
    )
    assert saved.status_code == 302
    revision = plan.revisions.order_by("-number").first()
    assert revision.kind == PlanRevision.Kind.PHYSIO
    assert revision.reason == "Ready for a third set."
    rows = Prescription.objects.filter(
        session__plan=plan, session__date__gte=TUESDAY.date(), slot_key="gt-p1-bridge"
    )
    assert {r.sets for r in rows} == {3}


def test_an_override_warns_and_saves_only_with_a_reason(physio_client, plan):
    data = {"slot_key": "gt-p1-bridge", "exercise": "crossover-step-up"}
    preview = step(physio_client, plan, "swap", **data)
    assert preview.status_code == 200
    assert "overrides a rule" in preview.content.decode()
    refused = step(physio_client, plan, "swap", step="save", reason="", **data)
    assert refused.status_code == 400
    plan.refresh_from_db()
    assert plan.revisions.count() == 1
    saved = step(
        physio_client, plan, "swap", step="save", reason="Late-stage in all but name.", **data
    )
    assert saved.status_code == 302
    revision = plan.revisions.order_by("-number").first()
    assert revision.overrides[0]["rule"] == "early_gt_compression"


def test_a_stale_version_is_refused(physio_client, plan):
    stale = plan.version
    step(physio_client, plan, "plan-note", step="save", text="First note.")
    response = physio_client.post(
        reverse("physio:editor_step", args=[plan.runner_id, "plan-note"]),
        {"version": stale, "step": "save", "text": "Second note."},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.note == "First note."


def test_the_runner_sees_the_notes_and_why(physio_client, plan, runner):
    step(physio_client, plan, "plan-note", step="save", text="Keep the pelvis level.")
    plan.refresh_from_db()
    step(
        physio_client,
        plan,
        "note",
        step="save",
        slot_key="gt-p1-bridge",
        text="Squeeze at the top.",
        reason="Form check",
    )
    client = Client()
    client.force_login(runner)
    week = client.get(reverse("runner:week")).content.decode()
    assert "Keep the pelvis level." in week
    assert "Squeeze at the top." in week
    session = (
        Prescription.objects.filter(
            session__plan=plan, session__date__gte=TUESDAY.date(), slot_key="gt-p1-bridge"
        )
        .first()
        .session
    )
    player = client.get(reverse("runner:session", args=[session.pk])).content.decode()
    assert "Squeeze at the top." in player
    assert "Keep the pelvis level." in player
    changes = client.get(reverse("runner:changes"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Form check" in changes
