"""Happy paths and validation errors per endpoint: 400 with field messages, nothing half-written."""

from __future__ import annotations

import datetime as dt

import pytest

from programs.logbook.models import ExerciseLog, FlareUp, MorningCheckin, RunLog, SessionLog
from programs.plans.models import Decision, Plan
from rehab.accounts.models import AccessLog
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def fields_of(response):
    return response.json()["error"]["fields"]


# --- Content ---------------------------------------------------------------------------


def test_exercises_filter_and_detail_by_slug_or_id(content, runner_client):
    everything = runner_client.get("/api/v1/exercises/?limit=200").json()
    level_one = runner_client.get("/api/v1/exercises/?level=1&limit=200").json()
    c0 = runner_client.get("/api/v1/exercises/?compression=C0&limit=200").json()["results"]
    band = runner_client.get("/api/v1/exercises/?equipment=mini_band&limit=200").json()["results"]

    assert 0 < level_one["count"] < everything["count"]
    assert {e["level"] for e in level_one["results"]} == {1}
    assert c0
    assert {e["compression"] for e in c0} == {"C0"}
    assert band
    assert all("mini_band" in e["equipment"] for e in band)
    first = everything["results"][0]
    assert runner_client.get(f"/api/v1/exercises/{first['slug']}/").json()["id"] == first["id"]
    assert runner_client.get(f"/api/v1/exercises/{first['id']}/").json()["slug"] == first["slug"]


def test_bad_filters_are_field_errors(content, runner_client):
    response = runner_client.get("/api/v1/exercises/?level=9&compression=C7")
    assert response.status_code == 400
    assert set(fields_of(response)) == {"level"} or "level" in fields_of(response)


def test_exercise_names_follow_the_users_language(content, runner, runner_client):
    english = runner_client.get("/api/v1/exercises/").json()["results"][0]["name"]
    runner.language = "nl"
    runner.save()
    dutch = runner_client.get("/api/v1/exercises/").json()["results"][0]["name"]
    assert english != dutch


def test_templates_filter_by_condition_and_detail_has_phases(content, runner_client):
    gt = runner_client.get("/api/v1/templates/?condition=gluteal_tendinopathy").json()
    assert gt["count"] >= 1
    assert {t["condition"] for t in gt["results"]} == {"gluteal_tendinopathy"}
    detail = runner_client.get("/api/v1/templates/gluteal-tendinopathy/").json()
    assert detail["phases"]
    assert detail["phases"][0]["slots"]
    assert runner_client.get("/api/v1/templates/no-such-template/").status_code == 404


def test_education_topics(content, runner_client):
    topics = runner_client.get("/api/v1/education/").json()["results"]
    assert topics
    assert {"slug", "title", "summary", "body"} <= set(topics[0])


# --- Plans -----------------------------------------------------------------------------


def test_runner_creates_own_plan_from_a_template(content, screened_runner, runner_client):
    response = runner_client.post(
        "/api/v1/plans/",
        {"template": "gluteal-tendinopathy", "equipment": ["mat", "mini_band"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["runner"] == screened_runner.pk
    assert body["weeks"]
    assert response["ETag"] == f'"plan-{body["id"]}-v1"'

    again = runner_client.post(
        "/api/v1/plans/", {"template": "gluteal-tendinopathy"}, format="json"
    )
    assert again.status_code == 409
    assert Plan.objects.count() == 1


def test_physio_creates_a_plan_only_for_a_linked_runner(
    content, screened_runner, physio, other_runner, other_physio
):
    client = client_for(physio)
    foreign = client.post(
        "/api/v1/plans/",
        {"template": "gluteal-tendinopathy", "runner": other_runner.pk},
        format="json",
    )
    assert foreign.status_code == 400
    assert "runner" in fields_of(foreign)
    own = client.post(
        "/api/v1/plans/",
        {"template": "gluteal-tendinopathy", "runner": screened_runner.pk},
        format="json",
    )
    assert own.status_code == 201, own.json()
    assert Plan.objects.get().created_by == physio
    unlinked = client_for(other_physio).post(
        "/api/v1/plans/",
        {"template": "gluteal-tendinopathy", "runner": screened_runner.pk},
        format="json",
    )
    assert unlinked.status_code == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"template": "nope"}, "template"),
        ({"template": "gluteal-tendinopathy", "preferred_weekdays": [0, 0]}, "preferred_weekdays"),
        (
            {"template": "gluteal-tendinopathy", "strength_days_per_week": 9},
            "strength_days_per_week",
        ),
        ({"template": "gluteal-tendinopathy", "equipment": ["laser"]}, "equipment.0"),
        ({"template": "gluteal-tendinopathy", "running": {"mode": "fly"}}, "running.mode"),
        ({}, "template"),
    ],
)
def test_plan_create_refuses_bad_input(content, screened_runner, runner_client, body, field):
    response = runner_client.post("/api/v1/plans/", body, format="json")
    assert response.status_code == 400
    assert field in fields_of(response)
    assert Plan.objects.count() == 0


def test_plan_without_screening_is_refused(content, runner, runner_client):
    response = runner_client.post(
        "/api/v1/plans/", {"template": "gluteal-tendinopathy"}, format="json"
    )
    assert response.status_code == 400
    assert "screening" in response.json()["error"]["message"]


def test_policy_patch_needs_the_current_version(world):
    client = client_for(world.users["linked_physio"])
    url = f"/api/v1/plans/{world.plan.pk}/"
    etag = client.get(url)["ETag"]

    assert client.patch(url, {"green_max": 1}, format="json").status_code == 428
    stale_tag = client.patch(url, {"green_max": 1}, format="json", HTTP_IF_MATCH='"plan-1-v0"')
    assert stale_tag.status_code == 412
    stale_field = client.patch(url, {"green_max": 1, "version": 99}, format="json")
    assert stale_field.status_code == 409

    ok = client.patch(
        url, {"green_max": 1, "locked_exercises": []}, format="json", HTTP_IF_MATCH=etag
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["policy"]["green_max"] == 1
    assert ok["ETag"] != etag
    replay = client.patch(url, {"green_max": 0}, format="json", HTTP_IF_MATCH=etag)
    assert replay.status_code == 412


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"green_max": 11}, "green_max"),
        ({"load_increment_pct": 50}, "load_increment_pct"),
        ({"green_max": 6, "amber_max": 5}, "amber_max"),
        ({"locked_exercises": ["no-such-exercise"]}, "locked_exercises"),
        ({}, "non_field_errors"),
    ],
)
def test_policy_patch_refuses_bad_values(world, body, field):
    client = client_for(world.users["linked_physio"])
    response = client.patch(
        f"/api/v1/plans/{world.plan.pk}/", {**body, "version": world.plan.version}, format="json"
    )
    assert response.status_code == 400
    assert field in fields_of(response)
    world.plan.refresh_from_db()
    assert world.plan.policy.get("green_max", 2) == 2


def test_pause_resume_with_version(world):
    client = client_for(world.users["owner"])
    url = f"/api/v1/plans/{world.plan.pk}"
    assert client.post(f"{url}/pause/", {"version": 999}, format="json").status_code == 409
    paused = client.post(f"{url}/pause/", {"version": world.plan.version}, format="json")
    assert paused.json()["status"] == "paused"
    resumed = client.post(f"{url}/resume/", {}, format="json", HTTP_IF_MATCH=paused["ETag"])
    assert resumed.status_code == 200
    assert resumed.json()["status"] == "active"


def test_sessions_between_dates_and_current_week(world):
    client = client_for(world.users["owner"])
    url = f"/api/v1/plans/{world.plan.pk}/sessions/?from=2026-12-07&to=2026-12-13"
    sessions = client.get(url).json()["results"]
    assert sessions
    assert all("2026-12-07" <= s["date"] <= "2026-12-13" for s in sessions)
    assert sessions[0]["prescriptions"][0]["exercise"]
    bad = client.get(f"/api/v1/plans/{world.plan.pk}/sessions/?from=yesterday")
    assert bad.status_code == 400
    assert "from" in fields_of(bad)

    week = client.get("/api/v1/plans/current/week/").json()
    assert week["week"]["number"] == 2
    assert week["today"] == "2026-12-08"
    assert [s["id"] for s in week["sessions"]] == [s["id"] for s in sessions]
    assert (
        client_for(world.users["linked_physio"]).get("/api/v1/plans/current/week/").status_code
        == 403
    )
    assert (
        client_for(world.users["other_runner"]).get("/api/v1/plans/current/week/").status_code
        == 404
    )


def test_decisions_carry_explanations_in_the_callers_language(world):
    runner = world.users["owner"]
    runner.language = "nl"
    runner.save()
    body = client_for(runner).get(f"/api/v1/plans/{world.plan.pk}/decisions/").json()
    decision = world.decision
    assert decision.explanation.get("nl") in {r["explanation"] for r in body["results"]}


def test_approve_twice_is_a_conflict(world):
    client = client_for(world.users["linked_physio"])
    url = f"/api/v1/decisions/{world.decision.pk}/approve/"
    assert client.post(url).status_code == 200
    second = client.post(url)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "conflict"
    assert Decision.objects.get(pk=world.decision.pk).status == Decision.Status.APPLIED


def test_undo_after_an_approval(world):
    client = client_for(world.users["linked_physio"])
    client.post(f"/api/v1/decisions/{world.decision.pk}/approve/")
    response = client.post(f"/api/v1/plans/{world.plan.pk}/undo/")
    assert response.status_code == 200
    assert response.json()["current_revision"]["kind"] == "undo"


def test_flare_up_reports_and_refuses_unknown_red_flags(world):
    client = client_for(world.users["owner"])
    url = f"/api/v1/plans/{world.plan.pk}/flare-up/"
    bad = client.post(url, {"red_flags": ["itchy"], "severity": 5}, format="json")
    assert bad.status_code == 400
    assert "red_flags.0" in fields_of(bad)
    future = client.post(url, {"date": "2027-01-01", "severity": 5}, format="json")
    assert future.status_code == 400
    assert "date" in fields_of(future)
    assert FlareUp.objects.count() == 0
    ok = client.post(url, {"note": "after stairs", "severity": 5}, format="json")
    assert ok.status_code == 201
    assert ok.json()["date"] == "2026-12-08"


# --- Logs ------------------------------------------------------------------------------


def test_session_log_happy_path_and_double_submit(world):
    client = client_for(world.users["owner"])
    rx = list(world.session.prescriptions.all())
    body = {
        "exercises": [
            {
                "prescription": p.pk,
                "sets_done": 3,
                "reps_done": [10, 10, 8],
                "load_kg": 2.5,
                "rpe": 4,
                "pain_during": 1,
            }
            for p in rx
        ],
        "pain_after": 1,
        "notes": "ok",
    }
    url = f"/api/v1/sessions/{world.session.pk}/log/"
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    assert len(response.json()["exercises"]) == len(rx)
    assert client.post(url, body, format="json").status_code == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pain_after": 11}, "pain_after"),
        ({"red_flags": ["nope"]}, "red_flags.0"),
        (
            {"exercises": [{"prescription": 1, "sets_done": 0, "pain_during": 1}]},
            "exercises.0.sets_done",
        ),
        ({"exercises": [{"sets_done": 1, "pain_during": 1}]}, "exercises.0.non_field_errors"),
        (
            {"exercises": [{"prescription": 999999, "sets_done": 1, "pain_during": 1}]},
            "exercises.0",
        ),
        (
            {"exercises": [{"slot_key": "x", "sets_done": 1, "pain_during": 12}]},
            "exercises.0.pain_during",
        ),
    ],
)
def test_session_log_refuses_bad_input_without_half_writes(world, change, field):
    rx = world.session.prescriptions.first()
    body = {"exercises": [{"prescription": rx.pk, "sets_done": 2, "pain_during": 1}], **change}
    response = client_for(world.users["owner"]).post(
        f"/api/v1/sessions/{world.session.pk}/log/", body, format="json"
    )
    assert response.status_code == 400
    assert field in fields_of(response)
    assert not SessionLog.objects.filter(session=world.session).exists()


def test_a_second_bad_exercise_rolls_back_the_whole_log(world):
    rx = world.session.prescriptions.first()
    body = {
        "exercises": [
            {"prescription": rx.pk, "sets_done": 2, "pain_during": 1},
            {"slot_key": "not-in-this-session", "sets_done": 2, "pain_during": 1},
        ]
    }
    before = ExerciseLog.objects.count()
    response = client_for(world.users["owner"]).post(
        f"/api/v1/sessions/{world.session.pk}/log/", body, format="json"
    )
    assert response.status_code == 400
    assert "exercises.1" in fields_of(response)
    assert ExerciseLog.objects.count() == before
    assert not SessionLog.objects.filter(session=world.session).exists()


def test_checkins_create_list_and_validation(world):
    owner = client_for(world.users["owner"])
    ok = owner.post("/api/v1/checkins/", {"pain": 2, "stiffness_minutes": 5}, format="json")
    assert ok.status_code == 201
    assert ok.json()["date"] == "2026-12-08"
    assert owner.post("/api/v1/checkins/", {"pain": 2}, format="json").status_code == 409
    bad = owner.post("/api/v1/checkins/", {"pain": -1, "stiffness_minutes": 5000}, format="json")
    assert bad.status_code == 400
    assert {"pain", "stiffness_minutes"} <= set(fields_of(bad))
    listed = owner.get("/api/v1/checkins/?from=2026-12-08").json()
    assert [c["date"] for c in listed["results"]] == ["2026-12-08"]
    physio_list = client_for(world.users["linked_physio"]).get("/api/v1/checkins/").json()
    assert (
        physio_list["count"] == MorningCheckin.objects.filter(runner=world.users["owner"]).count()
    )
    assert client_for(world.users["other_runner"]).get("/api/v1/checkins/").json()["count"] == 0
    assert (
        client_for(world.users["linked_physio"])
        .post("/api/v1/checkins/", {"pain": 1}, format="json")
        .status_code
        == 403
    )


def test_runs_create_list_and_validation(world):
    owner = client_for(world.users["owner"])
    ok = owner.post(
        "/api/v1/runs/",
        {"date": "2026-12-07", "minutes": 20, "distance_km": 3.2, "pain_during": 1},
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    bad = owner.post(
        "/api/v1/runs/", {"minutes": 0, "pain_during": 1, "terrain": "moon"}, format="json"
    )
    assert bad.status_code == 400
    assert {"minutes", "terrain"} <= set(fields_of(bad))
    assert RunLog.objects.count() == 1
    ordered = owner.get("/api/v1/runs/?ordering=date").json()["results"]
    assert ordered[0]["date"] == "2026-12-07"
    unlinked = client_for(world.users["unlinked_physio"]).get("/api/v1/runs/").json()
    assert unlinked["count"] == 0


# --- Lists never leak ------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["other_runner", "unlinked_physio", "ended_physio"])
@pytest.mark.parametrize("path", ["/api/v1/plans/", "/api/v1/checkins/", "/api/v1/runs/"])
def test_lists_hold_no_foreign_rows(world, actor, path):
    body = client_for(world.users[actor]).get(path).json()
    assert body["count"] == 0


def test_physio_lists_filter_on_a_foreign_runner_find_nothing(world):
    client = client_for(world.users["unlinked_physio"])
    runner = world.users["owner"].pk
    assert client.get(f"/api/v1/checkins/?runner={runner}").json()["count"] == 0


# --- Audit -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/plans/{id}/",
        "/api/v1/plans/{id}/sessions/",
        "/api/v1/plans/{id}/decisions/",
        "/api/v1/plans/",
        "/api/v1/checkins/",
        "/api/v1/runs/",
        "/api/v1/patients/",
    ],
)
def test_every_physio_read_is_audited_and_runner_reads_are_not(world, path):
    url = path.replace("{id}", str(world.plan.pk))
    RunLog.objects.create(
        runner=world.users["owner"], date=dt.date(2026, 12, 6), minutes=20, pain_during=1
    )
    client_for(world.users["owner"]).get(url)
    assert AccessLog.objects.count() == 0
    response = client_for(world.users["linked_physio"]).get(url)
    assert response.status_code == 200
    entry = AccessLog.objects.get()
    assert entry.actor == world.users["linked_physio"]
    assert entry.runner == world.users["owner"]


def test_error_messages_follow_accept_language_for_anonymous_callers(db, api_client):
    response = api_client.get("/api/v1/plans/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 403
    assert response.json()["error"]["message"] != "Authentication credentials were not provided."
