import pytest
from django.core import mail

from programs.engine.screening import HIP_JOINT_QUESTIONS, RED_FLAGS
from programs.logbook.models import Screening

NO_FLAGS = dict.fromkeys(RED_FLAGS, False)
NO_HIP_SIGNS = dict.fromkeys(HIP_JOINT_QUESTIONS, False)


def payload(**changes):
    return {
        **NO_FLAGS,
        **NO_HIP_SIGNS,
        "hip_snapping": "none",
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


# --- The recommended template starts a plan (item 1) --------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answers", "slug"),
    [
        ({}, "gluteal-tendinopathy"),
        (
            {
                "pain_location": "outer_thigh",
                "lying_on_side_hurts": False,
                "stairs_hurt": False,
                "fixed_distance_pain": True,
                "downhill_hurts": True,
            },
            "proximal-itbs",
        ),
        (  # the general lateral-hip pathway follows the gluteal tendinopathy template
            {"stairs_hurt": False, "lying_on_side_hurts": False, "downhill_hurts": True},
            "gluteal-tendinopathy",
        ),
    ],
)
def test_the_recommended_template_starts_a_plan_through_the_api(
    content, runner_client, runner, answers, slug
):
    screening = runner_client.post("/api/v1/screening/", payload(**answers), format="json")
    body = screening.json()

    assert body["recommended_template"] == slug
    assert body["can_start_plan"] is True
    plan = runner_client.post(
        "/api/v1/plans/",
        {"template": body["recommended_template"], "equipment": ["mat", "mini_band"]},
        format="json",
    )
    assert plan.status_code == 201, plan.json()
    assert plan.json()["template"] == slug


# --- Signs of the hip joint and snapping (§G, §A4) ----------------------------------------


@pytest.mark.django_db
def test_g_signs_of_the_hip_joint_refer_through_the_api(runner_client):
    response = runner_client.post(
        "/api/v1/screening/",
        payload(groin_pain=True, age_50_or_over=True, hip_morning_stiffness=True),
        format="json",
    )

    body = response.json()
    assert body["outcome"] == "refer"
    assert [r["code"] for r in body["reasons"]] == ["hip_morning_stiffness", "groin_pain_age_50"]
    assert body["recommended_template"] is None
    assert body["referral"] is not None


@pytest.mark.django_db
def test_a4_painful_snapping_leads_to_the_tendinopathy_pathway_with_its_feature(runner_client):
    response = runner_client.post(
        "/api/v1/screening/",
        payload(
            pain_location="outer_thigh",
            lying_on_side_hurts=False,
            stairs_hurt=False,
            fixed_distance_pain=True,
            downhill_hurts=True,
            hip_snapping="painful",
            snapping_persistent=False,
        ),
        format="json",
    )

    body = response.json()
    assert (body["outcome"], body["condition"]) == ("ok", "gluteal_tendinopathy")
    assert "painful_snapping" in body["features"]
    assert Screening.objects.get().features == body["features"]


@pytest.mark.django_db
def test_a4_persistent_painful_snapping_refers_through_the_api(runner_client):
    response = runner_client.post(
        "/api/v1/screening/",
        payload(hip_snapping="painful", snapping_persistent=True),
        format="json",
    )

    assert [r["code"] for r in response.json()["reasons"]] == ["persistent_painful_snapping"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hip_snapping": "painful"}, "snapping_persistent"),
        ({"hip_snapping": "loud"}, "hip_snapping"),
        ({"hip_snapping": None}, "hip_snapping"),
        ({"age_50_or_over": None}, "age_50_or_over"),
    ],
)
def test_a4_g_the_new_questions_need_an_explicit_answer(runner_client, change, field):
    body = payload(**change)
    body = {k: v for k, v in body.items() if v is not None}

    response = runner_client.post("/api/v1/screening/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert Screening.objects.count() == 0
