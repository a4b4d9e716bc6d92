import pytest

from programs.engine.screening import HIP_JOINT_QUESTIONS, RED_FLAGS
from programs.logbook.models import Screening


def form_data(**changes):
    data = dict.fromkeys([*RED_FLAGS, *HIP_JOINT_QUESTIONS], "no")
    data.update(
        hip_snapping="none",
        pain_location="outer_hip",
        baseline_pain="3",
        lying_on_side_hurts="yes",
        crossing_legs_hurts="yes",
    )
    data.update(changes)
    return data


@pytest.mark.django_db
def test_screening_page_lists_every_red_flag_question(client, runner):
    client.force_login(runner)

    html = client.get("/screening/").content.decode()

    assert html.count('type="radio"') >= 2 * len(RED_FLAGS)
    assert "wakes you at night" in html


@pytest.mark.django_db
def test_clean_answers_lead_to_a_pathway(client, runner):
    client.force_login(runner)

    response = client.post("/screening/", form_data(), follow=True)

    assert response.status_code == 200
    screening = Screening.objects.get(runner=runner)
    assert screening.outcome == "ok"
    assert "Gluteal tendinopathy" in response.content.decode()


@pytest.mark.django_db
def test_a_red_flag_shows_a_calm_referral_page_with_the_reason(client, runner):
    client.force_login(runner)

    response = client.post("/screening/", form_data(sudden_tearing_onset="yes"), follow=True)

    html = response.content.decode()
    assert "Please see a clinician first" in html
    assert "acute tear" in html
    assert Screening.objects.get(runner=runner).outcome == "refer"


@pytest.mark.django_db
def test_referral_page_in_dutch(client, runner):
    runner.language = "nl"
    runner.save()
    client.force_login(runner)

    response = client.post("/screening/", form_data(fever_or_unwell="yes"), follow=True)

    assert "Ga eerst naar een zorgverlener" in response.content.decode()


@pytest.mark.django_db
def test_unanswered_red_flag_and_bad_pain_are_form_errors(client, runner):
    client.force_login(runner)
    data = form_data(baseline_pain="12")
    del data["limp_or_hip_drop"]

    response = client.post("/screening/", data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "limp_or_hip_drop" in errors
    assert "baseline_pain" in errors
    assert Screening.objects.count() == 0


@pytest.mark.django_db
def test_a_runner_cannot_see_another_runners_screening(client, runner, other_runner):
    client.force_login(other_runner)
    client.post("/screening/", form_data())
    theirs = Screening.objects.get(runner=other_runner)

    client.force_login(runner)

    assert client.get(f"/screening/{theirs.pk}/").status_code == 404


@pytest.mark.django_db
def test_screening_needs_a_signed_in_runner(client, physio):
    assert client.get("/screening/").status_code == 302
    client.force_login(physio)
    assert client.get("/screening/").status_code == 404


# --- Signs of the hip joint and snapping (§G, §A4) on the page ----------------------------


@pytest.mark.django_db
def test_the_page_asks_about_the_hip_joint_and_snapping(client, runner):
    client.force_login(runner)

    html = client.get("/screening/").content.decode()

    for name in (
        "hip_stiff_or_restricted",
        "hip_morning_stiffness",
        "groin_pain",
        "age_50_or_over",
    ):
        assert f'id="q-{name}"' in html
    assert 'id="q-hip_snapping"' in html
    assert "6 weeks or more" in html


@pytest.mark.django_db
def test_g_a_stiff_hip_refers_with_its_reason(client, runner):
    client.force_login(runner)

    response = client.post("/screening/", form_data(hip_stiff_or_restricted="yes"), follow=True)

    assert "Please see a clinician first" in response.content.decode()
    assert "no longer bends or turns" in response.content.decode()
    assert Screening.objects.get(runner=runner).reasons == ["hip_stiff_or_restricted"]


@pytest.mark.django_db
def test_a4_painful_snapping_needs_the_persistence_answer(client, runner):
    client.force_login(runner)

    unanswered = client.post("/screening/", form_data(hip_snapping="painful"))
    assert "snapping_persistent" in unanswered.context["form"].errors
    assert Screening.objects.count() == 0

    client.post("/screening/", form_data(hip_snapping="painful", snapping_persistent="no"))
    screening = Screening.objects.get(runner=runner)
    assert (screening.outcome, screening.condition) == ("ok", "gluteal_tendinopathy")
    assert "painful_snapping" in screening.features


@pytest.mark.django_db
def test_g_every_hip_joint_question_needs_an_answer(client, runner):
    client.force_login(runner)
    data = form_data()
    del data["age_50_or_over"]
    del data["hip_snapping"]

    response = client.post("/screening/", data)

    assert {"age_50_or_over", "hip_snapping"} <= set(response.context["form"].errors)
    assert Screening.objects.count() == 0


@pytest.mark.django_db
def test_the_hip_questions_speak_dutch(client, runner):
    runner.language = "nl"
    runner.save()
    client.force_login(runner)

    html = client.get("/screening/").content.decode()

    assert "Ben je 50 jaar of ouder?" in html
    assert "Ja, en het doet pijn" in html
