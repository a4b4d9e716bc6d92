"""Persistence around the engine: generate, evaluate, apply, approve, undo, pause."""

import datetime as dt

import pytest
from django.core import mail

from programs.content.models import Slot
from programs.engine import rules
from programs.engine.specs import Policy
from programs.logbook.models import Screening
from programs.logbook.services import (
    checkin_create,
    flare_up_report,
    plan_start,
    session_log_create,
)
from programs.plans.models import Decision, Plan, PlanRevision, PlanSession, ProgressionRun
from programs.plans.services.approvals import decision_approve, plan_revision_undo
from programs.plans.services.lifecycle import plan_set_status
from programs.plans.services.recording import progression_evaluate
from programs.plans.services.state import plan_state
from rehab.core.errors import ApplicationError, ConflictError, NotFoundError
from tests.programs.conftest import MONDAY, log_week_green, runner_context, week_window


@pytest.mark.django_db
def test_generate_stores_a_dated_twelve_week_plan_with_copied_prescriptions(make_plan):
    plan = make_plan()

    assert plan.weeks.count() == 12
    assert plan.revisions.get().kind == PlanRevision.Kind.GENERATED
    first = PlanSession.objects.filter(plan=plan).order_by("date").first()
    assert first.date >= MONDAY
    assert first.prescriptions.exists()
    before = list(first.prescriptions.values_list("sets", "reps", "hold_seconds"))

    Slot.objects.update(sets=9)  # editing the template afterwards...

    assert list(first.prescriptions.values_list("sets", "reps", "hold_seconds")) == before


@pytest.mark.django_db
def test_no_plan_without_a_clear_screening(content, runner):
    from programs.content.models import ProgramTemplate

    template = ProgramTemplate.objects.get(slug="gluteal-tendinopathy")
    with pytest.raises(ApplicationError):
        plan_start(runner=runner, template=template, context=runner_context())
    Screening.objects.create(runner=runner, answers={}, outcome="refer", baseline_pain=5)
    with pytest.raises(ApplicationError):
        plan_start(runner=runner, template=template, context=runner_context())
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_one_open_plan_per_runner(make_plan):
    make_plan()
    with pytest.raises(ConflictError):
        make_plan()


@pytest.mark.django_db
def test_weekly_evaluation_changes_the_plan_once_and_keeps_logged_sessions(make_plan, time_machine):
    plan = make_plan()
    time_machine.move_to(dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC))
    log_week_green(plan, 1)
    logged = set(PlanSession.objects.filter(plan=plan, log__isnull=False).values_list("pk"))

    decisions = progression_evaluate(plan=plan, window=week_window(plan, 1))
    again = progression_evaluate(plan=plan, window=week_window(plan, 1))

    assert decisions
    assert {d.pk for d in again} == {d.pk for d in decisions}
    assert ProgressionRun.objects.filter(plan=plan).count() == 1
    plan.refresh_from_db()
    assert plan.current_revision.number == 2
    assert all(d.explanation["en"] and d.explanation["nl"] for d in decisions)
    assert all(d.sources for d in decisions)
    assert logged <= set(PlanSession.objects.filter(plan=plan).values_list("pk"))


@pytest.mark.django_db
def test_red_flag_in_a_log_pauses_and_refers_and_alerts_the_physio(
    make_plan, physio, time_machine, django_capture_on_commit_callbacks
):
    plan = make_plan()
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))

    with django_capture_on_commit_callbacks(execute=True):
        checkin_create(
            runner=plan.runner, date=dt.date(2026, 12, 1), pain=3, red_flags=["rest_or_night_pain"]
        )

    plan.refresh_from_db()
    assert plan.status == Plan.Status.REFERRED
    assert plan.decisions.get().kind == "pause_and_refer"
    assert [m.to for m in mail.outbox] == [[physio.email]]


@pytest.mark.django_db
def test_flare_up_eases_the_plan_at_once_and_alerts_the_physio(
    make_plan, physio, time_machine, django_capture_on_commit_callbacks
):
    plan = make_plan()
    time_machine.move_to(dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC))

    with django_capture_on_commit_callbacks(execute=True):
        flare_up_report(
            runner=plan.runner, date=dt.date(2026, 12, 3), severity=6, note="sore after stairs"
        )

    plan.refresh_from_db()
    kinds = set(plan.decisions.values_list("kind", flat=True))
    assert kinds & {"regress", "deload", "hold", "run_step_down"}
    assert [m.to for m in mail.outbox] == [[physio.email]]  # one email for one flare-up
    # The email says only that a runner needs attention: no flare-up, no note.
    assert mail.outbox[0].subject == "A runner on your caseload needs your attention"
    assert "sore after stairs" not in mail.outbox[0].body
    deload = plan.decisions.get(kind="deload")
    assert deload.explanation["en"].endswith(rules.PHYSIO_TOLD["en"])
    assert deload.explanation["nl"].endswith(rules.PHYSIO_TOLD["nl"])


@pytest.mark.django_db
def test_a_runner_without_a_physio_is_not_told_that_one_was_alerted(
    make_plan, time_machine, django_capture_on_commit_callbacks
):
    plan = make_plan()
    time_machine.move_to(dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC))

    with django_capture_on_commit_callbacks(execute=True):
        flare_up_report(runner=plan.runner, date=dt.date(2026, 12, 3), severity=6)

    deload = plan.decisions.get(kind="deload")
    assert deload.alert_physio
    assert "asked your physiotherapist" not in deload.explanation["en"]
    assert deload.explanation["en"].endswith(rules.NO_PHYSIO["en"])
    assert deload.explanation["nl"].endswith(rules.NO_PHYSIO["nl"])
    assert mail.outbox == []


@pytest.mark.django_db
def test_changes_wait_for_approval_when_the_physio_asks_for_it(make_plan, physio, time_machine):
    plan = make_plan(policy=Policy(require_approval=True))
    time_machine.move_to(dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC))
    log_week_green(plan, 1)

    decisions = progression_evaluate(plan=plan, window=week_window(plan, 1))

    assert decisions
    assert {d.status for d in decisions} == {Decision.Status.PENDING}
    plan.refresh_from_db()
    assert plan.current_revision.number == 1

    decision_approve(decision=decisions[0], physio=physio)
    plan.refresh_from_db()
    assert plan.current_revision.number == 2
    assert plan.current_revision.kind == PlanRevision.Kind.PHYSIO
    with pytest.raises(ConflictError):
        decision_approve(decision=decisions[0], physio=physio)


@pytest.mark.django_db
def test_undo_restores_the_previous_state(make_plan, physio, time_machine):
    plan = make_plan()
    original = plan_state(plan)
    time_machine.move_to(dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC))
    log_week_green(plan, 1)
    progression_evaluate(plan=plan, window=week_window(plan, 1))
    plan.refresh_from_db()
    assert plan_state(plan) != original

    plan_revision_undo(plan=plan, by=physio, today=dt.date(2026, 12, 8))

    plan.refresh_from_db()
    assert plan.current_revision.kind == PlanRevision.Kind.UNDO
    assert plan_state(plan).prescriptions == original.prescriptions


@pytest.mark.django_db
def test_pause_and_resume_refuse_a_stale_version(make_plan):
    plan = make_plan()

    with pytest.raises(ConflictError):
        plan_set_status(plan=plan, status=Plan.Status.PAUSED, expected_version=plan.version + 1)
    paused = plan_set_status(plan=plan, status=Plan.Status.PAUSED, expected_version=plan.version)
    assert paused.status == Plan.Status.PAUSED
    with pytest.raises(ApplicationError):
        plan_set_status(plan=paused, status=Plan.Status.PAUSED)
    assert plan_set_status(plan=paused, status=Plan.Status.ACTIVE).status == "active"


@pytest.mark.django_db
def test_session_logging_refuses_bad_input_without_half_writes(
    make_plan, other_runner, time_machine
):
    plan = make_plan()
    session = PlanSession.objects.filter(plan=plan).order_by("date").first()
    rx = session.prescriptions.first()
    time_machine.move_to(dt.datetime.combine(session.date, dt.time(12), tzinfo=dt.UTC))
    good = {"prescription": rx.pk, "sets_done": 1, "reps_done": [5], "pain_during": 2}

    with pytest.raises(NotFoundError):
        session_log_create(runner=other_runner, session=session, exercises=[good])
    with pytest.raises(ApplicationError) as bad:
        session_log_create(
            runner=plan.runner, session=session, exercises=[{**good, "pain_during": 11}]
        )
    assert "exercises.0.pain_during" in bad.value.fields
    assert not session.__class__.objects.filter(pk=session.pk, log__isnull=False).exists()

    session_log_create(runner=plan.runner, session=session, exercises=[good])
    with pytest.raises(ConflictError):
        session_log_create(runner=plan.runner, session=session, exercises=[good])

    later = PlanSession.objects.filter(plan=plan, date__gt=session.date).first()
    with pytest.raises(ApplicationError):
        session_log_create(runner=plan.runner, session=later, exercises=[])


@pytest.mark.django_db
def test_training_day_reminders_go_out_only_on_session_days(make_plan):
    from django.core import mail

    from rehab.notifications.models import ReminderDelivery
    from rehab.notifications.reminders import (
        reminder_schedule_set,
        reminder_send,
        reminders_dispatch_due,
    )

    plan = make_plan()
    session_days = set(
        PlanSession.objects.filter(plan=plan, kind="strength").values_list("date", flat=True)
    )
    start = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
    reminder_schedule_set(user=plan.runner, kind="session", local_time=dt.time(7, 0), now=start)
    sent_on = set()
    for day in range(7):
        now = dt.datetime(2026, 11, 30, 6, 30, tzinfo=dt.UTC) + dt.timedelta(days=day)
        reminders_dispatch_due(now=now)
        for delivery in ReminderDelivery.objects.filter(status="pending"):
            if reminder_send(delivery_id=delivery.id, now=now) == "sent":
                sent_on.add(delivery.local_date)

    week = {MONDAY + dt.timedelta(days=d) for d in range(7)}
    assert sent_on == session_days & week
    assert len(mail.outbox) == len(sent_on) > 0


@pytest.mark.django_db
def test_dutch_explanations_name_exercises_in_dutch(make_plan, time_machine):
    from programs.content.models import Exercise

    plan = make_plan()
    time_machine.move_to(dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC))
    log_week_green(plan, 1)
    decisions = progression_evaluate(plan=plan, window=week_window(plan, 1))

    names = list(Exercise.objects.values_list("name_en", "name_nl"))
    mentioned = [(d, en, nl) for d in decisions for en, nl in names if en in d.explanation["en"]]
    assert mentioned
    for decision, english, dutch in mentioned:
        assert dutch in decision.explanation["nl"]
        assert english == dutch or english not in decision.explanation["nl"]
