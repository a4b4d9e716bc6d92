"""The safety rules through the services, the weekly dispatch and the pages (issue #10).

The rules themselves are tested pure in test_engine_safety.py; these check that the
logging services, the flare-up path, the weekly evaluation, the caseload and the runner's
pages carry them out.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from programs.engine import rules
from programs.engine.specs import DecisionKind
from programs.logbook.caseload import Flag, caseload
from programs.logbook.questionnaire_models import QuestionnaireResponse
from programs.logbook.services import flare_up_report, run_log_create, session_log_create
from programs.logbook.weekly import progressions_dispatch_due
from programs.plans.models import Decision, Plan, PlanSession, ProgressionRun
from programs.plans.services.lifecycle import evaluation_due_at
from programs.plans.services.state import plan_state
from tests.programs.conftest import MONDAY, log_week_green

pytestmark = pytest.mark.django_db

DUE_WEEK_1 = dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.UTC)  # 14:00 in Amsterdam


def _log_session(plan, session, *, pain=1, first_pain=None, limp_first=False):
    return session_log_create(
        runner=plan.runner,
        session=session,
        exercises=[
            {
                "prescription": rx.pk,
                "sets_done": rx.sets,
                "reps_done": [rx.reps or 1] * rx.sets,
                "hold_seconds": rx.hold_seconds,
                "rpe": 4,
                "pain_during": first_pain if first_pain is not None and index == 0 else pain,
                "pain_changed_movement": limp_first and index == 0,
            }
            for index, rx in enumerate(session.prescriptions.all())
        ],
        pain_after=1,
    )


# --- 1. §D2 / §G: a limp in a log refers at once --------------------------------------------


def test_g_a_limp_in_a_session_log_refers_at_once_and_alerts_the_physio(
    make_plan, physio, time_machine, django_capture_on_commit_callbacks
):
    plan = make_plan()
    time_machine.move_to(dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC))
    session = PlanSession.objects.filter(plan=plan, date=MONDAY).first()

    with django_capture_on_commit_callbacks(execute=True):
        _log_session(plan, session, pain=1, limp_first=True)

    plan.refresh_from_db()
    assert plan.status == Plan.Status.REFERRED
    decision = plan.decisions.get()
    assert (decision.kind, decision.rule) == (DecisionKind.PAUSE_AND_REFER, rules.MOVEMENT_REFER)
    assert [m.to for m in mail.outbox] == [[physio.email]]
    assert "limp" not in mail.outbox[0].body.lower()  # no health data in the email


def test_g_a_limp_in_a_run_log_refers_at_once(make_plan, physio, time_machine):
    plan = make_plan()
    time_machine.move_to(dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC))

    run = run_log_create(
        runner=plan.runner,
        date=dt.date(2026, 12, 1),
        minutes=20,
        pain_during=2,
        pain_changed_movement=True,
    )

    assert run.pain_changed_movement
    plan.refresh_from_db()
    assert plan.status == Plan.Status.REFERRED
    assert plan.decisions.get().rule == rules.MOVEMENT_REFER


def test_g_the_run_api_takes_a_limp_and_refers(make_plan, runner, api_client, time_machine):
    plan = make_plan()
    time_machine.move_to(dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC))
    api_client.force_authenticate(runner)

    response = api_client.post(
        "/api/v1/runs/",
        {"date": "2026-12-01", "minutes": 20, "pain_during": 1, "pain_changed_movement": True},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["pain_changed_movement"] is True
    plan.refresh_from_db()
    assert plan.status == Plan.Status.REFERRED


# --- 3. A flare-up does not count a red the weekly evaluation already acted on --------------


def test_d2_a_flare_up_after_a_red_week_deloads_once_and_regresses_nothing_twice(
    make_plan, time_machine
):
    plan = make_plan()
    time_machine.move_to(DUE_WEEK_1 - dt.timedelta(hours=1))
    friday = MONDAY + dt.timedelta(days=4)
    from programs.logbook.services import checkin_create

    for session in PlanSession.objects.filter(plan=plan, week__number=1).prefetch_related(
        "prescriptions"
    ):
        _log_session(plan, session, first_pain=7 if session.date == friday else None)
    for offset in range(1, 8):
        checkin_create(runner=plan.runner, date=MONDAY + dt.timedelta(days=offset), pain=2)
    progressions_dispatch_due(now=DUE_WEEK_1, enqueue_relayout=False)
    regressed = set(
        Decision.objects.filter(plan=plan, kind=DecisionKind.REGRESS).values_list(
            "slot_key", flat=True
        )
    )
    assert len(regressed) == 1  # the red exercise of Friday, once

    tuesday = MONDAY + dt.timedelta(days=8)
    time_machine.move_to(dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC))
    flare_up_report(runner=plan.runner, date=tuesday, severity=6)

    flare = Decision.objects.filter(plan=plan, window_ends_on=tuesday)
    assert [(d.kind, d.rule) for d in flare] == [(DecisionKind.DELOAD, rules.FLARE_DELOAD)]
    assert flare[0].inputs["red_days"] == [tuesday.isoformat()]
    assert "flare_severity" in flare[0].inputs
    assert Decision.objects.filter(plan=plan, kind=DecisionKind.REGRESS).count() == len(regressed)
    plan.refresh_from_db()
    assert plan_state(plan).evaluated_through == tuesday

    # ...and the weekly evaluation of week 2 does not count the flare (or Friday) again
    time_machine.move_to(DUE_WEEK_1 + dt.timedelta(days=7, hours=-1))
    log_week_green(plan, 2)
    progressions_dispatch_due(now=DUE_WEEK_1 + dt.timedelta(days=7), enqueue_relayout=False)
    assert Decision.objects.filter(plan=plan, kind=DecisionKind.DELOAD).count() == 1
    assert Decision.objects.filter(plan=plan, kind=DecisionKind.REGRESS).count() == len(regressed)


def test_d2_a_flare_up_waiting_for_approval_is_not_evaluated_again(make_plan, time_machine):
    from programs.engine.specs import Policy

    plan = make_plan(policy=Policy(require_approval=True))
    time_machine.move_to(dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC))
    flare_up_report(runner=plan.runner, date=dt.date(2026, 12, 3), severity=6)
    assert plan.decisions.get().status == Decision.Status.PENDING

    progressions_dispatch_due(now=DUE_WEEK_1, enqueue_relayout=False)

    assert plan.decisions.filter(kind=DecisionKind.DELOAD).count() == 1


# --- 8. A substitution is explained in the runner's language --------------------------------


def test_the_player_says_in_dutch_why_an_exercise_was_substituted(
    client, screened_runner, make_plan
):
    screened_runner.language = "nl"
    screened_runner.save()
    plan = make_plan(equipment=frozenset({"none", "mat", "chair"}))  # no belt, no wall
    session = PlanSession.objects.filter(plan=plan, date=MONDAY).first()
    rx = session.prescriptions.get(slot_key="gt-p1-iso-lying")
    assert rx.exercise.slug == "supine-isometric-abduction-hands"
    assert (rx.substituted_for, rx.substitution_reason) == (
        "supine-isometric-abduction",
        "equipment",
    )
    client.force_login(screened_runner)

    html = client.get(f"/sessions/{session.pk}/").content.decode()

    assert "Isometrische heupabductie in rugligging met riem" in html  # the original, in Dutch
    assert "Dit vervangt" in html
    assert "Instead of" not in html


# --- 10. §G: no meaningful improvement after 12 weeks -> needs review -----------------------


def _to_week_twelve(plan, time_machine, *, pain=3):
    due = evaluation_due_at(plan, 12)
    Plan.objects.filter(pk=plan.pk).update(next_evaluation_at=due)
    time_machine.move_to(due - dt.timedelta(hours=2))
    from programs.logbook.services import checkin_create

    week12 = plan.start_date + dt.timedelta(weeks=11)
    for offset in range(1, 8):
        checkin_create(runner=plan.runner, date=week12 + dt.timedelta(days=offset), pain=pain)
    return due


def test_g_twelve_weeks_without_improvement_flag_a_review_once(
    make_plan, physio, client, time_machine, django_capture_on_commit_callbacks
):
    plan = make_plan()
    due = _to_week_twelve(plan, time_machine, pain=3)  # baseline 3: no change

    with django_capture_on_commit_callbacks(execute=True):
        progressions_dispatch_due(now=due, enqueue_relayout=False)

    review = Decision.objects.get(plan=plan, kind=DecisionKind.REVIEW)
    assert review.rule == rules.NO_IMPROVEMENT_REVIEW
    assert review.status == Decision.Status.APPLIED
    assert review.alert_physio
    assert review.changes == []
    assert review.explanation["nl"]
    assert review.explanation["en"].endswith(rules.PHYSIO_TOLD["en"])
    # A review is not emailed at once (#13): the physio's daily digest reports it.
    from programs.logbook.alerts import digest_kinds
    from rehab.accounts.models import AlertKind

    assert mail.outbox == []
    assert AlertKind.REVIEW in digest_kinds(physio)
    plan.refresh_from_db()
    assert plan_state(plan).review_flagged_on == review.effective_from

    row = caseload(physio)[0]
    assert Flag.NEEDS_REVIEW in row.flags
    client.force_login(plan.runner)
    html = client.get("/week/").content.decode()
    assert 'id="needs-review"' in html

    # the next week: no second review, no second email
    week13 = plan.start_date + dt.timedelta(weeks=12)
    from programs.logbook.services import checkin_create

    time_machine.move_to(evaluation_due_at(plan, 13) - dt.timedelta(hours=2))
    for offset in range(1, 8):
        checkin_create(runner=plan.runner, date=week13 + dt.timedelta(days=offset), pain=3)
    time_machine.move_to(evaluation_due_at(plan, 13))
    with django_capture_on_commit_callbacks(execute=True):
        progressions_dispatch_due(now=evaluation_due_at(plan, 13), enqueue_relayout=False)
    assert Decision.objects.filter(plan=plan, kind=DecisionKind.REVIEW).count() == 1
    assert len(mail.outbox) == 0


def test_h_a_lefs_gain_of_nine_is_a_meaningful_improvement(make_plan, time_machine):
    plan = make_plan()
    for week, score in ((0, 40), (12, 49)):
        QuestionnaireResponse.objects.create(
            runner=plan.runner, instrument="lefs", week=week, answers={}, score=score
        )
    due = _to_week_twelve(plan, time_machine, pain=3)

    progressions_dispatch_due(now=due, enqueue_relayout=False)

    assert ProgressionRun.objects.filter(plan=plan).exists()
    assert not Decision.objects.filter(plan=plan, kind=DecisionKind.REVIEW).exists()


def test_the_review_is_not_checked_before_twelve_weeks(make_plan, time_machine):
    plan = make_plan()
    time_machine.move_to(DUE_WEEK_1 - dt.timedelta(hours=1))
    log_week_green(plan, 1)
    progressions_dispatch_due(now=DUE_WEEK_1, enqueue_relayout=False)
    assert not Decision.objects.filter(plan=plan, kind=DecisionKind.REVIEW).exists()
