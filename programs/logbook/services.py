"""Writes for the logbook: screenings (sessions, check-ins and runs follow)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from programs.logbook.models import (
    ExerciseLog,
    FlareUp,
    MorningCheckin,
    RunLog,
    Screening,
    SessionLog,
)
from programs.logbook.questionnaire_models import (
    QuestionnaireResponse,
    RunnerPreferences,
    new_calendar_token,
)
from programs.logbook.screening import RED_FLAGS, ScreeningAnswers, screen
from programs.logbook.windows import evaluation_window
from programs.plans.plan_models import Plan, PlanSession
from programs.plans.services import plan_generate, progression_flag, progression_flare
from rehab.accounts.models import User
from rehab.accounts.services import physios_alert
from rehab.core.errors import ApplicationError, ConflictError, NotFoundError
from rehab.core.timeutils import local_today
from rehab.notifications.reminders import reminder_schedule_set


@transaction.atomic
def screening_submit(*, runner: User, answers: ScreeningAnswers) -> Screening:
    """Store the screening; a referral alerts the runner's linked physiotherapists."""
    if not runner.is_runner:
        raise ApplicationError(_("Only runners complete a screening."))
    result = screen(answers)
    screening = Screening.objects.create(
        runner=runner,
        answers={
            "red_flags": sorted(answers.red_flags),
            "pain_location": answers.pain_location,
            "features": sorted(answers.features),
            "baseline_pain": answers.baseline_pain,
        },
        outcome=result.outcome,
        reasons=list(result.reasons),
        condition=result.condition or "",
        irritability=result.irritability or "",
        baseline_pain=answers.baseline_pain,
        source_keys=list(result.source_keys),
    )
    if result.outcome == Screening.Outcome.REFER:
        physios_alert(
            runner=runner,
            template="screening_referral",
            dedupe_key=f"screening-referral:{screening.pk}",
        )
    return screening


# --- Logging ---------------------------------------------------------------------------


def _runner_today(runner) -> dt.date:
    return local_today(runner.timezone)


def _check_date(runner, date: dt.date, field: str = "date") -> None:
    if date > _runner_today(runner):
        raise ApplicationError(
            _("That date is in the future."), fields={field: [_("Pick today or an earlier day.")]}
        )


def _check_red_flags(codes) -> list[str]:
    unknown = sorted(set(codes) - set(RED_FLAGS))
    if unknown:
        raise ApplicationError(
            _("Unknown warning sign."), fields={"red_flags": [", ".join(unknown)]}
        )
    return sorted(set(codes))


def _open_plan(runner) -> Plan | None:
    return Plan.objects.open().filter(runner=runner).select_related("current_revision").first()


@transaction.atomic
def session_log_create(
    *,
    runner: User,
    session: PlanSession,
    exercises: list[dict],
    pain_after: int | None = None,
    single_leg_stance_pain: int | None = None,
    red_flags: tuple[str, ...] = (),
    notes: str = "",
    completed: bool = True,
) -> SessionLog:
    """Log a planned session. One log per session: a second submission is a conflict."""
    if session.plan.runner_id != runner.pk:
        raise NotFoundError(_("Session not found."))
    _check_date(runner, session.date)
    codes = _check_red_flags(red_flags)
    prescriptions = {p.pk: p for p in session.prescriptions.select_related("exercise")}
    by_slot = {p.slot_key: p for p in prescriptions.values()}
    if SessionLog.objects.filter(session=session).exists():
        raise ConflictError(_("This session is already logged."))
    log = SessionLog(
        runner=runner,
        session=session,
        date=session.date,
        completed=completed,
        pain_after=pain_after,
        single_leg_stance_pain=single_leg_stance_pain,
        red_flags=codes,
        notes=notes,
    )
    log.full_clean(exclude=["session"])
    try:
        with transaction.atomic():
            log.save()
    except IntegrityError:
        raise ConflictError(_("This session is already logged.")) from None
    rows = []
    for index, item in enumerate(exercises):
        prescription = prescriptions.get(item.get("prescription")) or by_slot.get(
            item.get("slot_key")
        )
        if prescription is None:
            raise ApplicationError(
                _("An exercise does not belong to this session."),
                fields={f"exercises.{index}": [_("Not part of this session.")]},
            )
        row = ExerciseLog(
            session_log=log,
            prescription=prescription,
            slot_key=prescription.slot_key,
            exercise=prescription.exercise,
            sets_done=item["sets_done"],
            reps_done=list(item.get("reps_done") or []),
            hold_seconds=item.get("hold_seconds"),
            load_kg=item.get("load_kg"),
            rpe=item.get("rpe"),
            pain_during=item["pain_during"],
            pain_changed_movement=bool(item.get("pain_changed_movement")),
        )
        try:
            row.full_clean(exclude=["session_log", "prescription", "exercise"])
        except ValidationError as exc:
            raise ApplicationError(
                _("Some fields are not valid."),
                fields={f"exercises.{index}.{k}": v for k, v in exc.message_dict.items()},
            ) from None
        rows.append(row)
    ExerciseLog.objects.bulk_create(rows)
    if codes:
        _refer_now(runner, log.date)
    return log


def _refer_now(runner, date: dt.date) -> None:
    """A warning sign in any log pauses the plan at once and alerts the physio."""
    plan = _open_plan(runner)
    if plan is None:
        return
    window = evaluation_window(plan=plan, starts_on=date, ends_on=date)
    flagged = progression_flag(plan=plan, window=window)
    if flagged:
        physios_alert(
            runner=runner, template="plan_referred", dedupe_key=f"referred:{plan.pk}:{date}"
        )


@transaction.atomic
def checkin_create(
    *, runner: User, date: dt.date, pain: int, stiffness_minutes: int = 0, red_flags=()
) -> MorningCheckin:
    _check_date(runner, date)
    codes = _check_red_flags(red_flags)
    checkin = MorningCheckin(
        runner=runner, date=date, pain=pain, stiffness_minutes=stiffness_minutes, red_flags=codes
    )
    checkin.full_clean(exclude=["runner"], validate_unique=False)
    try:
        with transaction.atomic():
            checkin.save()
    except IntegrityError:
        raise ConflictError(_("You already answered the check-in for that day.")) from None
    if codes:
        _refer_now(runner, date)
    return checkin


@transaction.atomic
def run_log_create(*, runner: User, **fields) -> RunLog:
    _check_date(runner, fields["date"])
    fields["red_flags"] = _check_red_flags(fields.get("red_flags", ()))
    run = RunLog(runner=runner, **fields)
    run.full_clean(exclude=["runner"])
    run.save()
    if run.red_flags:
        _refer_now(runner, run.date)
    return run


@transaction.atomic
def flare_up_report(*, runner: User, date: dt.date, note: str = "", red_flags=()) -> FlareUp:
    """Log a flare-up: the engine regresses from it straight away and the physio is told."""
    _check_date(runner, date)
    codes = _check_red_flags(red_flags)
    flare = FlareUp(runner=runner, date=date, note=note, red_flags=codes)
    flare.full_clean(exclude=["runner"])
    flare.save()
    plan = _open_plan(runner)
    if plan is not None:
        if codes:
            _refer_now(runner, date)
        else:
            progression_flare(
                plan=plan,
                window=evaluation_window(
                    plan=plan, starts_on=date - dt.timedelta(days=6), ends_on=date
                ),
            )
        physios_alert(runner=runner, template="flare_up", dedupe_key=f"flare:{flare.pk}")
    return flare


# --- Preferences, questionnaires and plan set-up ------------------------------------------


def preferences_for(user) -> RunnerPreferences:
    prefs, _created = RunnerPreferences.objects.get_or_create(user=user)
    return prefs


def preferences_update(*, user, distance_unit: str, load_unit: str) -> RunnerPreferences:
    prefs = preferences_for(user)
    prefs.distance_unit = distance_unit
    prefs.load_unit = load_unit
    prefs.full_clean()
    prefs.save(update_fields=["distance_unit", "load_unit", "updated_at"])
    return prefs


def calendar_token_reset(*, user) -> RunnerPreferences:
    """A new secret URL for the calendar feed; the old one stops working at once."""
    prefs = preferences_for(user)
    prefs.calendar_token = new_calendar_token()
    prefs.save(update_fields=["calendar_token", "updated_at"])
    return prefs


def questionnaire_record(*, runner, week: int, scores: dict[str, tuple[dict, float]]) -> list:
    """Store (or replace) the questionnaires of one plan week: {instrument: (answers, score)}."""
    with transaction.atomic():
        return [
            QuestionnaireResponse.objects.update_or_create(
                runner=runner,
                instrument=code,
                week=week,
                defaults={"answers": answers, "score": score},
            )[0]
            for code, (answers, score) in scores.items()
        ]


def plan_setup_submit(
    *, runner, template, context, scores, reminder_time, checkin_time, weeks: int = 12
):
    """Generate the plan, store the baseline questionnaires and set the reminders, at once."""
    with transaction.atomic():
        plan = plan_generate(runner=runner, template=template, context=context, weeks=weeks)
        questionnaire_record(runner=runner, week=0, scores=scores)
        for kind, at in (("session", reminder_time), ("checkin", checkin_time)):
            reminder_schedule_set(
                user=runner, kind=kind, local_time=at or dt.time(8), enabled=at is not None
            )
        preferences_for(runner)
    return plan
