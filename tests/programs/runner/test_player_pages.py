"""The guided session player, server side: one exercise per step in the markup, the how-to
open on a first visit and folded once the exercise was logged before, nothing answered or
done in advance, the plan's own pain zones, and the log saving (or refusing bad input)."""

from __future__ import annotations

import re

import pytest

from programs.logbook.models import ExerciseLog, SessionLog
from programs.plans.models import PlanSession
from programs.runner.views.session import tempo_phases
from tests.programs.runner.pages_support import first_session, plan_for, player_data, today_for


@pytest.fixture
def runner_client(client, screened_runner, content):
    client.force_login(screened_runner)
    return client


@pytest.fixture
def plan(screened_runner, content):
    return plan_for(screened_runner)


def page_of(client, session) -> str:
    response = client.get(f"/sessions/{session.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def exercise_blocks(html: str) -> list[str]:
    return re.findall(r'<li class="exercise step".*?</li>', html, flags=re.S)


def test_each_exercise_is_one_step_with_the_figure_and_dose_first(runner_client, plan):
    session = first_session(plan, on_or_before=today_for(plan.runner))
    html = page_of(runner_client, session)
    blocks = exercise_blocks(html)
    prescriptions = list(session.prescriptions.all())

    assert len(blocks) == len(prescriptions) >= 2
    assert html.count("data-step>") == len(prescriptions) + 1  # + "after the session"
    assert 'src="/static/js/player.js"' in html
    for number, (block, rx) in enumerate(zip(blocks, prescriptions, strict=True), start=1):
        assert f"Exercise {number} of {len(prescriptions)}" in block
        assert block.index("<h2") < block.index('class="dose"') < block.index("<details")
        timer = re.search(r"<section class=\"timer\"[^>]*>", block).group(0)
        assert f'data-sets="{rx.sets}"' in timer
        assert f'data-rest="{rx.rest_seconds}"' in timer
        assert ("data-hold=" in timer) == bool(rx.hold_seconds)
        assert ("data-pace=" in timer) == (not rx.hold_seconds)
        assert "data-step-next" in block
    assert "Next: after the session" in blocks[-1]
    after = html[html.index('class="step step-after"') :]
    assert "session-pain_after" in after
    assert 'type="submit"' in after


def test_first_visit_opens_the_how_to_and_a_later_one_folds_it(runner_client, plan):
    today = today_for(plan.runner)
    first = first_session(plan, on_or_before=today)
    assert all(
        '<details class="how-to" open>' in b for b in exercise_blocks(page_of(runner_client, first))
    )
    runner_client.post(f"/sessions/{first.pk}/", player_data(first))
    done = {rx.exercise_id for rx in first.prescriptions.all()}
    later = (
        PlanSession.objects.filter(plan=plan, log__isnull=True, kind=first.kind)
        .order_by("date")
        .prefetch_related("prescriptions")
        .first()
    )

    blocks = exercise_blocks(page_of(runner_client, later))
    for rx, block in zip(later.prescriptions.all(), blocks, strict=True):
        folded = '<details class="how-to">' in block
        assert folded == (rx.exercise_id in done), rx.exercise.slug
    assert any('<details class="how-to">' in b for b in blocks)


def test_nothing_is_answered_or_done_before_the_runner_says_so(runner_client, plan):
    session = first_session(plan, on_or_before=today_for(plan.runner))
    response = runner_client.get(f"/sessions/{session.pk}/")
    html = response.content.decode()

    for form in response.context["steps"]:
        assert form.form["sets_done"].value() is None
    assert not re.search(r'name="ex\d+-sets_done"[^>]*value=', html)
    assert not re.search(r'name="ex\d+-sets_done"[^>]*value=', html.replace("\n", " "))
    assert " checked" not in re.sub(r"<input type=\"checkbox\" data-sound checked>", "", html)
    assert html.count("Not answered yet") == len(exercise_blocks(html)) + 1
    # The zones are the engine's (Policy.green_max / amber_max), here the defaults.
    assert "0-2 green: fine, carry on" in html
    assert "3-5 amber: acceptable, do not push" in html
    assert "above 5 red: stop or ease off" in html


def test_the_pain_zones_follow_the_plans_policy(client, screened_runner, content):
    plan = plan_for(screened_runner, policy={"green_max": 3, "amber_max": 6})
    client.force_login(screened_runner)
    html = page_of(client, first_session(plan, on_or_before=today_for(screened_runner)))

    assert "0-3 green: fine, carry on" in html
    assert "4-6 amber: acceptable, do not push" in html
    assert "above 6 red: stop or ease off" in html
    assert 'data-green-max="3" data-amber-max="6"' in html
    three = re.search(r'<label class="pain-option zone-(\w+)" for="id_ex\d+-pain_during_3"', html)
    assert three.group(1) == "green"


def test_the_player_speaks_dutch(client, screened_runner, content):
    screened_runner.language = "nl"
    screened_runner.save(update_fields=["language"])
    plan = plan_for(screened_runner)
    client.force_login(screened_runner)
    html = page_of(client, first_session(plan, on_or_before=today_for(screened_runner)))

    assert "Oefening 1 van" in html
    assert 'data-msg-hold="Vasthouden"' in html
    assert 'data-msg-set="Set %(set)s van %(sets)s"' in html  # {% translate %} doubles the %
    assert "Volgende: na de sessie" in html
    assert "0-2 groen" in html


def test_the_log_saves_what_was_done(runner_client, plan):
    session = first_session(plan, on_or_before=today_for(plan.runner))
    data = player_data(session, ex0_sets_done="2", ex0_rpe="6", ex0_pain_during="3")
    response = runner_client.post(f"/sessions/{session.pk}/", data)

    assert response.status_code == 302
    log = SessionLog.objects.get(session=session)
    first = log.exercises.order_by("pk").first()
    assert (first.sets_done, first.rpe, first.pain_during) == (2, 6, 3)
    assert log.exercises.count() == session.prescriptions.count()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"ex0_sets_done": ""}, "Enter how many sets you did."),
        ({"ex1_pain_during": ""}, "Choose how much it hurt, from 0 to 10."),
        ({"ex0_hold_seconds": "abc"}, "Enter a whole number."),
        ({"session-pain_after": ""}, "Choose how much it hurt, from 0 to 10."),
    ],
)
def test_missing_or_bad_answers_come_back_as_form_errors(runner_client, plan, override, message):
    session = first_session(plan, on_or_before=today_for(plan.runner))
    response = runner_client.post(f"/sessions/{session.pk}/", player_data(session, **override))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SessionLog.objects.exists()
    assert not ExerciseLog.objects.exists()


def test_tempo_phases_reads_only_numbers():
    assert tempo_phases("3-1-1") == (3, 1, 1)
    assert tempo_phases(" 2-0-2-0 ") == (2, 0, 2, 0)
    assert tempo_phases("build up slowly over 2 s") is None
    assert tempo_phases("0-0") is None
    assert tempo_phases("") is None


def test_a_numeric_tempo_paces_the_repetitions(runner_client, plan):
    session = first_session(plan, on_or_before=today_for(plan.runner))
    reps_rx = next(rx for rx in session.prescriptions.all() if not rx.hold_seconds)
    reps_rx.tempo = "3-1-1"
    reps_rx.save(update_fields=["tempo"])
    blocks = exercise_blocks(page_of(runner_client, session))
    block = next(b for b in blocks if f'data-timer="{reps_rx.pk}"' in b)

    assert 'data-pace="3-1-1"' in block
    assert '<input type="checkbox" data-tempo-beep checked>' in block
    assert "tempo 3-1-1" in block
    others = [b for b in blocks if "data-pace=" in b and b is not block]
    assert all('data-pace="2-2"' in b and "data-tempo-beep checked" not in b for b in others)
