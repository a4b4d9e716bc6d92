import pytest
from django.core import mail

from programs.logbook.models import Screening
from programs.logbook.screening import RED_FLAGS

NO_FLAGS = dict.fromkeys(RED_FLAGS, False)


def payload(**changes):
    return {
        **NO_FLAGS,
        "pain_location": "outer_hip",
        "baseline_pain": 4,
        "lying_on_side_hurts": True,
        "stairs_hurt": True,
        **changes,
    }


@pytest.mark.django_db
def test_clean_screening_suggests_a_pathway(runner_client, runner):
    response = runner_client.post("/api/v1/screening/", payload(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["outcome"] == "ok"
    assert body["condition"] == "gluteal_tendinopathy"
    assert body["irritability"] == "moderate"
    assert body["reasons"] == []
    assert Screening.objects.get(runner=runner).outcome == "ok"


@pytest.mark.django_db
def test_red_flag_refers_and_alerts_the_linked_physio_without_health_data(
    runner_client, runner, physio, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = runner_client.post(
            "/api/v1/screening/", payload(rest_or_night_pain=True), format="json"
        )

    body = response.json()
    assert body["outcome"] == "refer"
    assert [r["code"] for r in body["reasons"]] == ["rest_or_night_pain"]
    assert "doctor" in body["reasons"][0]["message"]
    assert body["recommended_template"] is None
    assert [m.to for m in mail.outbox] == [[physio.email]]
    assert "night" not in mail.outbox[0].body.lower()


@pytest.mark.django_db
def test_referral_message_in_the_runners_language(runner_client, runner):
    runner.language = "nl"
    runner.save()

    response = runner_client.post("/api/v1/screening/", payload(new_weakness=True), format="json")

    assert "fysiotherapeut" in response.json()["reasons"][0]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"baseline_pain": 11}, "baseline_pain"),
        ({"baseline_pain": -1}, "baseline_pain"),
        ({"pain_location": "elbow"}, "pain_location"),
        ({"rest_or_night_pain": None}, "rest_or_night_pain"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(runner_client, change, field):
    response = runner_client.post("/api/v1/screening/", payload(**change), format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert Screening.objects.count() == 0


@pytest.mark.django_db
def test_every_red_flag_question_must_be_answered(runner_client):
    body = payload()
    del body["fever_or_unwell"]

    response = runner_client.post("/api/v1/screening/", body, format="json")

    assert response.status_code == 400
    assert "fever_or_unwell" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_physios_and_anonymous_cannot_submit_a_screening(api_client, physio):
    assert api_client.post("/api/v1/screening/", payload(), format="json").status_code in (401, 403)
    api_client.force_authenticate(physio)
    assert api_client.post("/api/v1/screening/", payload(), format="json").status_code == 403
    assert Screening.objects.count() == 0
