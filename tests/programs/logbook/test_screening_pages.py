import pytest

from programs.logbook.models import Screening
from programs.logbook.screening import RED_FLAGS


def form_data(**changes):
    data = dict.fromkeys(RED_FLAGS, "no")
    data.update(
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
    assert client.get("/screening/").status_code == 403
