"""Runs from the watch (#15), on the runner's pages: import GPX, TCX and FIT files (one or
several), answer only the pain and effort of the imported runs, the run history against
the plan's running prescription, change and delete a run; bad files change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from programs.engine.specs import RunningStatus
from programs.logbook.models import Referral, RunLog
from rehab.accounts.models import Role
from tests.factories import UserFactory
from tests.programs.logbook.watch_files import fit_bytes, gpx_bytes, tcx_bytes

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)
# 23:30 UTC on Monday 7 December is 00:30 on Tuesday 8 December in Amsterdam.
LATE = dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC)
BUILDERS = {"gpx": gpx_bytes, "tcx": tcx_bytes, "fit": fit_bytes}


@pytest.fixture
def runner_client(client, screened_runner, content, time_machine):
    time_machine.move_to(NOW, tick=False)
    client.force_login(screened_runner)
    return client


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def post_files(client, *files):
    return client.post("/runs/import/", {"files": list(files)})


def errors_of(response) -> list[str]:
    return list(response.context["import_form"].errors.get("files", []))


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_each_format_imports_with_the_runners_local_date(runner_client, screened_runner, kind):
    data = BUILDERS[kind](LATE, minutes=42, km=7.5)

    response = post_files(runner_client, upload(f"morning.{kind}", data))

    assert response.status_code == 302
    assert response["Location"] == "/runs/answers/"
    run = RunLog.objects.get(runner=screened_runner)
    assert run.date == dt.date(2026, 12, 8)  # Amsterdam's day, not UTC's 7 December
    assert run.started_at == LATE
    assert run.minutes == 42
    assert abs(float(run.distance_km) - 7.5) < 0.05
    assert run.source == kind
    assert run.pain_during is None  # asked next
    assert not run.hilly


def test_the_date_follows_the_runners_own_timezone(runner_client, screened_runner):
    screened_runner.timezone = "America/New_York"
    screened_runner.save(update_fields=["timezone"])

    post_files(runner_client, upload("run.gpx", gpx_bytes(LATE)))

    assert RunLog.objects.get().date == dt.date(2026, 12, 7)  # 18:30 in New York


def test_several_files_at_once_then_only_pain_and_effort_are_asked(runner_client):
    files = [
        upload("a.gpx", gpx_bytes(NOW - dt.timedelta(days=3))),
        upload("b.tcx", tcx_bytes(NOW - dt.timedelta(days=2))),
        upload("c.fit", fit_bytes(NOW - dt.timedelta(days=1))),
    ]
    assert post_files(runner_client, *files).status_code == 302
    runs = list(RunLog.objects.order_by("date"))
    assert len(runs) == 3

    page = runner_client.get("/runs/answers/")
    html = page.content.decode()
    for run in runs:
        assert f'name="pain_during_{run.pk}"' in html
        assert f'name="pain_after_{run.pk}"' in html
        assert f'name="rpe_{run.pk}"' in html
    assert 'name="minutes' not in html
    assert 'name="date' not in html

    answers = {}
    for i, run in enumerate(runs):
        answers |= {f"pain_during_{run.pk}": i, f"pain_after_{run.pk}": 1, f"rpe_{run.pk}": 4}
    response = runner_client.post("/runs/answers/", answers)

    assert response.status_code == 302
    assert response["Location"] == "/runs/"
    assert [(r.pain_during, r.pain_after, r.rpe) for r in RunLog.objects.order_by("date")] == [
        (0, 1, 4),
        (1, 1, 4),
        (2, 1, 4),
    ]
    assert runner_client.get("/runs/answers/")["Location"] == "/runs/"  # nothing waits


def test_answers_without_pain_are_refused_and_save_nothing(runner_client):
    post_files(runner_client, upload("a.gpx", gpx_bytes(NOW - dt.timedelta(days=1))))
    run = RunLog.objects.get()

    response = runner_client.post("/runs/answers/", {f"pain_after_{run.pk}": 2})

    assert response.status_code == 200
    assert response.context["form"].errors[f"pain_during_{run.pk}"]
    run.refresh_from_db()
    assert run.pain_during is None
    assert run.pain_after is None


def test_the_same_file_twice_is_one_run_and_is_reported(runner_client):
    data = fit_bytes(NOW - dt.timedelta(days=1))
    post_files(runner_client, upload("run.fit", data))

    response = post_files(runner_client, upload("copy-of-run.fit", data))
    again_in_one_request = post_files(runner_client, upload("x.fit", data), upload("y.fit", data))

    assert RunLog.objects.count() == 1
    assert response.status_code == 302
    assert again_in_one_request.status_code == 302
    notes = [str(m) for m in response.wsgi_request._messages]
    assert any("imported before" in note for note in notes)


def _bad_files():
    good = gpx_bytes(NOW - dt.timedelta(days=1))
    return {
        "corrupt gpx": ("broken.gpx", good[: len(good) // 2], "damaged"),
        "corrupt tcx": ("broken.tcx", b"<TrainingCenterDatabase><Activities>", "damaged"),
        "corrupt fit": ("broken.fit", fit_bytes(NOW)[:-9], "damaged"),
        "fit with a bad crc": ("crc.fit", fit_bytes(NOW)[:-2] + b"\x00\x00", "damaged"),
        "empty": ("empty.gpx", b"", "empty"),
        "wrong type": ("holiday.jpg", b"\xff\xd8\xff\xe0JFIF", "Only GPX, TCX and FIT"),
        "not what the name says": ("run.fit", good, "not a FIT file"),
        "xml that is not gpx": ("run.gpx", b"PK\x03\x04zipzip", "not a GPX file"),
        "entities": (
            "bomb.gpx",
            b'<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "aaaa">]><gpx>&a;</gpx>',
            "not allowed",
        ),
        "no times": (
            "notime.gpx",
            b'<?xml version="1.0"?><gpx version="1.1" creator="x" '
            b'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
            b'<trkpt lat="52" lon="4"/><trkpt lat="52.01" lon="4"/></trkseg></trk></gpx>',
            "no times",
        ),
        "future": ("future.gpx", gpx_bytes(NOW + dt.timedelta(days=2)), "future"),
    }


@pytest.mark.parametrize("case", sorted(_bad_files()))
def test_a_bad_file_gets_a_clear_message_and_nothing_is_written(runner_client, case):
    name, data, message = _bad_files()[case]
    good = upload("good.tcx", tcx_bytes(NOW - dt.timedelta(days=1)))

    response = post_files(runner_client, good, upload(name, data))

    assert response.status_code == 200
    problems = errors_of(response)
    assert any(name in p and message in p for p in problems), problems
    assert RunLog.objects.count() == 0  # not even the good file: all or nothing


@override_settings(RUN_IMPORT_MAX_FILE_BYTES=1024 * 1024)
def test_a_file_over_the_limit_is_refused_before_it_is_parsed(runner_client, monkeypatch):
    from programs.logbook.imports import gpx

    def never(data):
        raise AssertionError("parsed")

    monkeypatch.setattr(gpx, "read", never)
    huge = upload("huge.gpx", b"<" + b" " * (1024 * 1024 + 1))

    response = post_files(runner_client, huge)

    assert response.status_code == 200
    assert any("huge.gpx" in p and "larger than 1 MB" in p for p in errors_of(response))
    assert RunLog.objects.count() == 0


def test_a_file_over_20_mb_is_refused(runner_client):
    response = post_files(runner_client, upload("huge.fit", b"\0" * (20 * 1024 * 1024 + 1)))

    assert any("huge.fit" in p and "20 MB" in p for p in errors_of(response))
    assert RunLog.objects.count() == 0


@override_settings(RUN_IMPORT_MAX_REQUEST_BYTES=10_000)
def test_a_request_too_large_for_its_files_is_refused_before_it_is_read(runner_client):
    response = post_files(runner_client, upload("a.gpx", gpx_bytes(NOW, points=400)))

    assert response.status_code == 200
    assert any("too large together" in p for p in errors_of(response))
    assert RunLog.objects.count() == 0


def test_no_file_chosen(runner_client):
    response = runner_client.post("/runs/import/", {})

    assert errors_of(response) == ["Choose at least one file."]


def test_a_hilly_run_is_flagged_and_warned_against_a_flat_week(runner_client, make_plan):
    make_plan(start_date=NOW.date() - dt.timedelta(days=1), running=_running())
    hilly = gpx_bytes(NOW - dt.timedelta(hours=3), km=5, climb_m=120)
    flat = gpx_bytes(NOW - dt.timedelta(hours=30), km=5, climb_m=8)

    response = post_files(runner_client, upload("hills.gpx", hilly), upload("flat.gpx", flat))

    assert {r.date: r.hilly for r in RunLog.objects.all()} == {
        dt.date(2026, 12, 8): True,
        dt.date(2026, 12, 7): False,
    }
    assert RunLog.objects.get(hilly=True).terrain == RunLog.Terrain.HILLS
    notes = [str(m) for m in response.wsgi_request._messages]
    assert any("hilly" in note and "flat" in note for note in notes)
    history = runner_client.get("/runs/").content.decode()
    assert "hilly" in history


def _running():
    return RunningStatus(mode="continuous", weekly_minutes=100)


def test_run_history_lists_runs_per_week_against_the_prescription(
    runner_client, screened_runner, make_plan
):
    plan = make_plan(start_date=dt.date(2026, 11, 30), running=_running())
    week1, week2 = plan.weeks.order_by("number")[:2]
    for day, minutes in ((dt.date(2026, 12, 1), 25), (dt.date(2026, 12, 3), 30)):
        RunLog.objects.create(runner=screened_runner, date=day, minutes=minutes, pain_during=1)
    RunLog.objects.create(runner=screened_runner, date=NOW.date(), minutes=20, pain_during=2)
    RunLog.objects.create(  # before the plan: a calendar week of its own
        runner=screened_runner, date=dt.date(2026, 11, 20), minutes=15, pain_during=1
    )

    response = runner_client.get("/runs/")

    weeks = [item["week"] for item in response.context["weeks"]]
    assert [(w.number, w.minutes, w.count) for w in weeks] == [
        (2, 20, 1),
        (1, 55, 2),
        (None, 15, 1),
    ]
    assert weeks[1].prescribed_minutes == week1.run["weekly_minutes"]
    assert weeks[1].prescribed_runs == week1.run["runs_per_week"]
    assert weeks[0].prescribed_minutes == week2.run["weekly_minutes"]
    html = response.content.decode()
    expected = f"planned: {week1.run['weekly_minutes']} min in {week1.run['runs_per_week']} runs"
    assert expected in html
    assert "55 min in 2 runs" in html
    assert "outside your plan" in html


def test_more_running_than_prescribed_is_pointed_out(runner_client, screened_runner, make_plan):
    plan = make_plan(start_date=dt.date(2026, 11, 30), running=_running())
    planned = plan.weeks.get(number=1).run["weekly_minutes"]
    RunLog.objects.create(
        runner=screened_runner, date=dt.date(2026, 12, 2), minutes=planned + 30, pain_during=1
    )

    html = runner_client.get("/runs/").content.decode()

    assert "More running than planned" in html


def test_a_run_is_changed_and_deleted(runner_client, screened_runner):
    run = RunLog.objects.create(
        runner=screened_runner, date=dt.date(2026, 12, 6), minutes=30, pain_during=2
    )
    page = runner_client.get(f"/runs/{run.pk}/")
    assert page.status_code == 200
    assert 'value="30"' in page.content.decode()

    data = {
        "date": "2026-12-06",
        "minutes": "35",
        "pain_during": "1",
        "pain_after": "2",
        "rpe": "5",
        "terrain": "trail",
    }
    response = runner_client.post(f"/runs/{run.pk}/", data)

    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.minutes, run.pain_during, run.pain_after, run.rpe, run.terrain) == (
        35,
        1,
        2,
        5,
        "trail",
    )
    assert runner_client.post(f"/runs/{run.pk}/delete/").status_code == 302
    assert not RunLog.objects.filter(pk=run.pk).exists()


def test_a_limp_added_when_changing_a_run_refers(runner_client, screened_runner):
    run = RunLog.objects.create(
        runner=screened_runner, date=dt.date(2026, 12, 6), minutes=30, pain_during=2
    )
    data = {"date": "2026-12-06", "minutes": "30", "pain_during": "6", "pain_after": "6"}

    runner_client.post(
        f"/runs/{run.pk}/", {**data, "terrain": "flat", "pain_changed_movement": "on"}
    )

    assert Referral.objects.filter(runner=screened_runner, source_id=run.pk).exists()


def test_a_bad_edit_changes_nothing(runner_client, screened_runner):
    run = RunLog.objects.create(
        runner=screened_runner, date=dt.date(2026, 12, 6), minutes=30, pain_during=2
    )
    data = {"date": "2026-12-06", "minutes": "0", "pain_during": "11", "terrain": "flat"}

    response = runner_client.post(f"/runs/{run.pk}/", data)

    assert response.status_code == 200
    run.refresh_from_db()
    assert (run.minutes, run.pain_during) == (30, 2)


def test_another_runners_run_is_404(runner_client, screened_runner):
    other = UserFactory(role=Role.RUNNER, email="else@example.com")
    run = RunLog.objects.create(runner=other, date=dt.date(2026, 12, 6), minutes=30, pain_during=2)

    assert runner_client.get(f"/runs/{run.pk}/").status_code == 404
    assert runner_client.post(f"/runs/{run.pk}/", {"minutes": "1"}).status_code == 404
    assert runner_client.post(f"/runs/{run.pk}/delete/").status_code == 404
    assert RunLog.objects.filter(pk=run.pk, minutes=30).exists()


def test_another_runners_awaiting_runs_are_not_listed(runner_client, screened_runner):
    other = UserFactory(role=Role.RUNNER, email="else@example.com")
    RunLog.objects.create(
        runner=other, date=dt.date(2026, 12, 6), minutes=30, source="gpx", content_hash="x"
    )

    assert runner_client.get("/runs/answers/")["Location"] == "/runs/"


def test_a_manual_run_records_effort(runner_client, screened_runner):
    data = {"date": "2026-12-08", "minutes": "30", "pain_during": "1", "pain_after": "1"}

    runner_client.post("/runs/new/", {**data, "rpe": "3", "terrain": "flat"})

    assert RunLog.objects.get(runner=screened_runner).rpe == 3


def test_no_health_data_in_the_logs(runner_client, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    post_files(runner_client, upload("a.fit", fit_bytes(NOW - dt.timedelta(days=1), km=6.4)))
    run = RunLog.objects.get()
    runner_client.post(
        "/runs/answers/",
        {f"pain_during_{run.pk}": 7, f"pain_after_{run.pk}": 8, f"rpe_{run.pk}": 9},
    )

    text = caplog.text
    assert "6.4" not in text
    assert "pain" not in text.lower()


@override_settings(UPLOAD_MAX_REQUEST_BYTES=5_000)
def test_a_body_over_the_upload_limit_is_a_400_before_it_is_read(screened_runner, content):
    """Even where the CSRF check is the first to read the form (a real browser's request),
    the upload handler refuses the body from its declared length."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(screened_runner)
    client.get("/runs/new/")

    response = client.post(
        "/runs/import/",
        {
            "files": [upload("a.gpx", gpx_bytes(NOW, points=200))],
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )

    assert response.status_code == 400
    assert RunLog.objects.count() == 0
