"""POST /api/v1/runs/import/ and PATCH/DELETE /api/v1/runs/{id}/ (#15): watch files in,
the imported runs' pain afterwards; bad files are a 400 naming the file, writing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import override_settings
from rest_framework.test import APIClient

from programs.logbook.models import RunLog
from rehab.accounts.models import Role
from tests.factories import UserFactory
from tests.programs.logbook.watch_files import fit_bytes, gpx_bytes, tcx_bytes

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)
LATE = dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC)  # 00:30 on 8 December in Amsterdam
URL = "/api/v1/runs/import/"


@pytest.fixture
def api(runner, time_machine):
    time_machine.move_to(NOW, tick=False)
    client = APIClient()
    client.force_authenticate(runner)
    return client


def files(*pairs):
    return {"files": [SimpleUploadedFile(name, data) for name, data in pairs]}


def test_import_several_files_then_patch_their_pain(api, runner):
    response = api.post(
        URL,
        files(("a.gpx", gpx_bytes(LATE)), ("b.tcx", tcx_bytes(LATE - dt.timedelta(days=1)))),
        format="multipart",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert [run["date"] for run in body["created"]] == ["2026-12-08", "2026-12-07"]
    assert body["existing"] == []
    assert body["created"][0]["pain_during"] is None
    assert body["created"][0]["source"] == "gpx"
    run_id = body["created"][0]["id"]

    patched = api.patch(
        f"/api/v1/runs/{run_id}/", {"pain_during": 2, "pain_after": 1, "rpe": 4}, format="json"
    )

    assert patched.status_code == 200
    assert (patched.json()["pain_during"], patched.json()["rpe"]) == (2, 4)
    assert RunLog.objects.get(pk=run_id).pain_after == 1


def test_the_same_file_again_is_reported_not_duplicated(api):
    data = fit_bytes(LATE)
    first = api.post(URL, files(("run.fit", data)), format="multipart")

    again = api.post(URL, files(("renamed.fit", data)), format="multipart")

    assert again.status_code == 200
    assert again.json()["created"] == []
    assert [run["id"] for run in again.json()["existing"]] == [first.json()["created"][0]["id"]]
    assert RunLog.objects.count() == 1


def test_a_concurrent_duplicate_is_the_existing_run_not_a_500(api, runner, monkeypatch):
    """The race: another request inserts the same file between our check and our insert.
    The unique constraint refuses ours; the answer reports the run that won."""
    from programs.logbook import services

    data = gpx_bytes(LATE)
    winner = {}
    real_filter = RunLog.objects.filter

    def racing_filter(*args, **kwargs):
        if "content_hash" in kwargs and not winner:
            winner["run"] = RunLog.objects.create(
                runner=runner,
                date=dt.date(2026, 12, 8),
                minutes=30,
                source="gpx",
                content_hash=kwargs["content_hash"],
            )
            return RunLog.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(services.RunLog.objects, "filter", racing_filter)
    response = api.post(URL, files(("run.gpx", data)), format="multipart")
    monkeypatch.undo()

    assert response.status_code == 200, response.content
    assert [run["id"] for run in response.json()["existing"]] == [winner["run"].pk]
    assert RunLog.objects.count() == 1


def test_the_database_refuses_a_second_run_from_one_file(runner):
    RunLog.objects.create(runner=runner, date=NOW.date(), minutes=9, source="fit", content_hash="h")

    with pytest.raises(IntegrityError):
        RunLog.objects.create(
            runner=runner, date=NOW.date(), minutes=9, source="fit", content_hash="h"
        )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.gpx", b"", "empty"),
        ("broken.fit", b"\x0e\x20\x54\x08\xff\x00\x00\x00.FIT\x00\x00" + b"\x07" * 30, "damaged"),
        ("broken.tcx", b"<TrainingCenterDatabase", "damaged"),
        ("photo.png", b"\x89PNG\r\n", "Only GPX, TCX and FIT"),
    ],
)
def test_a_bad_file_is_a_400_naming_it_and_nothing_is_written(api, name, data, message):
    response = api.post(URL, files(("good.gpx", gpx_bytes(LATE)), (name, data)), format="multipart")

    assert response.status_code == 400
    error = response.json()["error"]
    assert any(name in text and message in text for text in error["fields"]["files"]), error
    assert RunLog.objects.count() == 0


def test_a_huge_file_is_refused(api):
    response = api.post(URL, files(("huge.gpx", b"<" * (20 * 1024 * 1024 + 1))), format="multipart")

    assert response.status_code == 400
    assert any(
        "huge.gpx" in t and "20 MB" in t for t in response.json()["error"]["fields"]["files"]
    )
    assert RunLog.objects.count() == 0


@override_settings(RUN_IMPORT_MAX_REQUEST_BYTES=1000)
def test_a_request_too_large_is_refused_before_it_is_read(api):
    response = api.post(URL, files(("a.gpx", gpx_bytes(LATE))), format="multipart")

    assert response.status_code == 400
    assert "too large" in response.json()["error"]["fields"]["files"][0]


def test_no_files_is_a_400(api):
    response = api.post(URL, {}, format="multipart")

    assert response.status_code == 400
    assert "files" in response.json()["error"]["fields"]


def test_a_physio_cannot_import(time_machine):
    physio = UserFactory(role=Role.PHYSIO, email="p@example.com")
    client = APIClient()
    client.force_authenticate(physio)

    response = client.post(URL, files(("a.gpx", gpx_bytes(LATE))), format="multipart")

    assert response.status_code == 403
    assert RunLog.objects.count() == 0


def test_patch_and_delete_of_another_runners_run_are_404(api, runner):
    other = UserFactory(role=Role.RUNNER, email="o@example.com")
    run = RunLog.objects.create(runner=other, date=NOW.date(), minutes=20, pain_during=1)

    assert api.patch(f"/api/v1/runs/{run.pk}/", {"rpe": 3}, format="json").status_code == 404
    assert api.delete(f"/api/v1/runs/{run.pk}/").status_code == 404
    run.refresh_from_db()
    assert run.rpe is None


def test_patch_validates_and_changes_nothing_on_error(api, runner):
    run = RunLog.objects.create(runner=runner, date=NOW.date(), minutes=20, pain_during=1)

    bad = api.patch(f"/api/v1/runs/{run.pk}/", {"rpe": 11, "minutes": 25}, format="json")
    cleared = api.patch(f"/api/v1/runs/{run.pk}/", {"pain_during": None}, format="json")
    future = api.patch(f"/api/v1/runs/{run.pk}/", {"date": "2026-12-31"}, format="json")

    assert bad.status_code == 400
    assert "rpe" in bad.json()["error"]["fields"]
    assert cleared.status_code == 400
    assert future.status_code == 400
    run.refresh_from_db()
    assert (run.minutes, run.rpe, run.pain_during, run.date) == (20, None, 1, NOW.date())


def test_delete_own_run(api, runner):
    run = RunLog.objects.create(runner=runner, date=NOW.date(), minutes=20, pain_during=1)

    assert api.delete(f"/api/v1/runs/{run.pk}/").status_code == 204
    assert not RunLog.objects.filter(pk=run.pk).exists()


def test_a_hilly_run_is_flagged_in_the_answer(api):
    response = api.post(
        URL, files(("hills.tcx", tcx_bytes(LATE, km=6, climb_m=150))), format="multipart"
    )

    run = response.json()["created"][0]
    assert run["hilly"] is True
    assert run["terrain"] == "hills"
    assert run["elevation_gain_m"] == 150
