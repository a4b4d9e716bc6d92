import io
import json
import zipfile

import pytest
from django.apps import apps

from programs.logbook.models import Screening
from rehab.accounts.models import AccessLog, CareLink, Invitation, User
from rehab.accounts.privacy import EXCLUDED_MODELS, user_data_export, user_paths
from rehab.accounts.services import access_log_record, invitation_create
from rehab.notifications.models import OutboundEmail
from rehab.notifications.services import email_enqueue

SENTINEL = "PAIN_SENTINEL_7f3"


@pytest.fixture
def runner_with_data(runner, physio):
    Screening.objects.create(
        runner=runner,
        answers={"note": SENTINEL},
        outcome="ok",
        condition="gluteal_tendinopathy",
        irritability="low",
        baseline_pain=2,
    )
    access_log_record(actor=physio, runner=runner, object_type="screening", object_id="1")
    email_enqueue(
        to=physio.email,
        template="welcome",
        context={},
        language="en",
        recipient=physio,
        about=runner,
    )
    invitation_create(physio=physio, email="someone@example.com")
    return runner


@pytest.mark.django_db
def test_every_model_that_reaches_a_user_is_in_the_export(runner_with_data):
    exported = user_data_export(user=runner_with_data)

    reachable = {entry.model._meta.label_lower for entry in user_paths()}
    # Completeness: a new model with a path to the user must show up without edits here.
    assert reachable - EXCLUDED_MODELS <= set(exported)
    for model in apps.get_models():
        if any(
            f.is_relation and f.related_model is User and f.concrete
            for f in model._meta.get_fields()
        ):
            assert model._meta.label_lower in reachable
    assert SENTINEL in json.dumps(exported)
    assert exported["logbook.screening"][0]["condition"] == "gluteal_tendinopathy"
    assert "password" not in exported["accounts.user"][0]


@pytest.mark.django_db
def test_export_holds_only_the_users_own_rows(runner_with_data, other_runner):
    Screening.objects.create(runner=other_runner, answers={}, outcome="refer", baseline_pain=5)

    exported = user_data_export(user=runner_with_data)

    assert {row["runner_id"] for row in exported["logbook.screening"]} == {runner_with_data.pk}


@pytest.mark.django_db
def test_erasure_removes_everything_and_keeps_nothing_identifiable(
    client, runner_with_data, physio
):
    runner = runner_with_data
    client.force_login(runner)

    wrong = client.post("/settings/erase/", {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 400
    assert User.objects.filter(pk=runner.pk).exists()

    response = client.post(
        "/settings/erase/", {"password": "correct-horse-battery", "confirm": "on"}
    )

    assert response.status_code == 200
    assert not User.objects.filter(email=runner.email).exists()
    for entry in user_paths():
        for lookup in entry.lookups:
            assert not entry.model._default_manager.filter(**{f"{lookup}__pk": runner.pk}).exists()
    assert not Screening.objects.exists()
    assert not CareLink.objects.filter(runner_id=runner.pk).exists()
    assert not AccessLog.objects.filter(runner_id=runner.pk).exists()
    assert not OutboundEmail.objects.filter(about_id=runner.pk).exists()
    assert User.objects.filter(pk=physio.pk).exists()
    assert Invitation.objects.filter(physio=physio).count() == 1
    assert client.get("/settings/").status_code == 302  # signed out


@pytest.mark.django_db
def test_export_downloads_in_json_and_csv(client, runner_with_data):
    client.force_login(runner_with_data)

    as_json = client.get("/settings/export.json")
    as_csv = client.get("/settings/export.csv")

    assert as_json["Content-Type"] == "application/json"
    assert json.loads(as_json.content)["accounts.user"][0]["email"] == runner_with_data.email
    names = zipfile.ZipFile(io.BytesIO(as_csv.content)).namelist()
    assert "logbook.screening.csv" in names
    assert as_csv["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_export_and_erase_through_the_api(runner_client, runner):
    assert runner_client.get("/api/v1/me/export/?kind=xml").status_code == 400
    body = runner_client.get("/api/v1/me/export/").json()
    assert body["accounts.user"][0]["email"] == runner.email

    bad = runner_client.post("/api/v1/me/erase/", {"password": "wrong"})
    assert bad.status_code == 400
    assert "password" in bad.json()["error"]["fields"]

    assert (
        runner_client.post("/api/v1/me/erase/", {"password": "correct-horse-battery"}).status_code
        == 204
    )
    assert not User.objects.filter(pk=runner.pk).exists()


@pytest.mark.django_db
def test_settings_page_updates_profile_and_ends_links(client, runner, physio):
    client.force_login(runner)
    page = client.get("/settings/")
    assert physio.email in page.content.decode()

    bad = client.post(
        "/settings/", {"action": "profile", "language": "nl", "timezone": "Moon/Base"}
    )
    assert bad.status_code == 400
    assert "timezone" in bad.context["form"].errors

    client.post(
        "/settings/",
        {
            "action": "profile",
            "language": "nl",
            "timezone": "Europe/Brussels",
            "first_name": "Rosa",
        },
    )
    runner.refresh_from_db()
    assert (runner.language, runner.timezone, runner.first_name) == (
        "nl",
        "Europe/Brussels",
        "Rosa",
    )
    link = CareLink.objects.get(runner=runner, physio=physio)
    client.post(f"/settings/links/{link.pk}/end/")
    link.refresh_from_db()
    assert link.status == "ended"
