import io
import json
import zipfile

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client

from programs.logbook.models import Screening
from rehab.accounts.models import AccessLog, ApiToken, CareLink, Invitation, User, audit_pseudonym
from rehab.accounts.privacy import EXCLUDED_MODELS, user_data_export, user_erase, user_paths
from rehab.accounts.services import (
    access_log_record,
    access_log_record_many,
    api_token_create,
    invitation_create,
)
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


def _session_user_ids() -> list[str]:
    return [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]


@pytest.mark.django_db
def test_erasure_removes_everything_and_keeps_nothing_identifiable(
    client, runner_with_data, physio, other_runner
):
    runner = runner_with_data
    runner_pk = runner.pk
    client.force_login(runner)
    on_the_phone = Client()
    on_the_phone.force_login(runner)  # a second web session, on another device
    Client().force_login(other_runner)
    token, _key = api_token_create(user=runner, device="test")
    audit_rows = AccessLog.objects.count()

    wrong = client.post("/me/erase/", {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 400
    assert User.objects.filter(pk=runner.pk).exists()

    response = client.post("/me/erase/", {"password": "correct-horse-battery", "confirm": "on"})

    assert response.status_code == 200
    assert not User.objects.filter(email=runner.email).exists()
    for entry in user_paths():
        for lookup in entry.lookups:
            assert not entry.model._default_manager.filter(**{f"{lookup}__pk": runner_pk}).exists()
    assert not Screening.objects.exists()
    assert not CareLink.objects.filter(runner_id=runner_pk).exists()
    assert not AccessLog.objects.filter(runner_id=runner_pk).exists()
    assert not OutboundEmail.objects.filter(about_id=runner_pk).exists()
    assert User.objects.filter(pk=physio.pk).exists()
    assert Invitation.objects.filter(physio=physio).count() == 1
    assert client.get("/me/").status_code == 302  # signed out
    # Sessions and API tokens are gone; other people's sessions are not.
    assert str(runner_pk) not in _session_user_ids()
    assert str(other_runner.pk) in _session_user_ids()
    assert on_the_phone.get("/me/").status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    # The audit trail stays, with a pseudonym instead of the person.
    assert AccessLog.objects.count() == audit_rows
    kept = AccessLog.objects.get(object_type="screening")
    assert kept.runner_id is None
    assert kept.actor_id == physio.pk
    assert kept.runner_pseudonym == audit_pseudonym(runner_pk)
    assert runner.email not in kept.runner_pseudonym


@pytest.mark.django_db
def test_audit_rows_carry_pseudonyms_from_the_start(runner, physio):
    one = access_log_record(actor=physio, runner=runner, object_type="plan", object_id="7")
    access_log_record_many(actor=physio, entries=[(runner, "caseload", "")])

    for row in AccessLog.objects.all():
        assert row.runner_pseudonym == audit_pseudonym(runner.pk)
        assert row.actor_pseudonym == audit_pseudonym(physio.pk)
    assert len(one.runner_pseudonym) == 64
    assert audit_pseudonym(runner.pk) != audit_pseudonym(physio.pk)


@pytest.mark.django_db
def test_erasing_a_physio_keeps_their_reads_in_the_audit_trail(runner, physio):
    access_log_record(actor=physio, runner=runner, object_type="plan", object_id="7")
    physio_pk = physio.pk

    user_erase(user=physio)

    row = AccessLog.objects.get()
    assert (row.actor_id, row.runner_id) == (None, runner.pk)
    assert row.actor_pseudonym == audit_pseudonym(physio_pk)


@pytest.mark.django_db
def test_erasure_through_the_api_ends_its_token(api_client, runner):
    _token, key = api_token_create(user=runner, device="test")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    erased = api_client.post("/api/v1/me/erase/", {"password": "correct-horse-battery"})

    assert erased.status_code == 204
    assert api_client.get("/api/v1/me/").status_code in (401, 403)
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_export_downloads_in_json_and_csv(client, runner_with_data):
    client.force_login(runner_with_data)

    as_json = client.get("/me/export.json")
    as_csv = client.get("/me/export.csv")

    assert as_json["Content-Type"] == "application/json"
    assert json.loads(as_json.content)["accounts.user"][0]["email"] == runner_with_data.email
    names = zipfile.ZipFile(io.BytesIO(as_csv.content)).namelist()
    assert "logbook.screening.csv" in names
    assert as_csv["Cache-Control"] == "private, no-store"


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
    page = client.get("/me/")
    assert physio.email in page.content.decode()

    bad = client.post("/me/", {"action": "profile", "language": "nl", "timezone": "Moon/Base"})
    assert bad.status_code == 400
    assert "timezone" in bad.context["form"].errors

    client.post(
        "/me/",
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
    client.post(f"/me/links/{link.pk}/end/")
    link.refresh_from_db()
    assert link.status == "ended"
