"""Writes for the logbook: screenings and referrals, the safety checks before a plan
starts or resumes, session logs, check-ins, runs, flare-ups, questionnaires and set-up.

Referrals: a screening that refers, or a warning sign in any log, opens a Referral on
the runner's record. While one is open no plan starts (plan_start_check, which
plans.services.plan_generate requires) and no plan resumes (plan_resume_check). It is
cleared only by a linked physiotherapist (with a note) or by the runner stating that a
clinician assessed them and cleared them to train; a new clean screening does not clear
it. A plan a warning sign paused stays paused after the clearing until the runner or the
physiotherapist resumes it (plan_resume): the cautious, explicit way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from programs.engine.screening import MOVEMENT_CHANGE_CODE, RED_FLAGS, ScreeningAnswers, screen
from programs.engine.terrain import terrain_check
from programs.logbook.imports import WatchFileError, WatchRun, read_watch_file
from programs.logbook.models import (
    ExerciseLog,
    FlareUp,
    MorningCheckin,
    Referral,
    RunLog,
    Screening,
    SessionLog,
    SetupDraft,
)
from programs.logbook.questionnaire_models import (
    QuestionnaireResponse,
    RunnerPreferences,
    new_calendar_token,
)
from programs.logbook.selectors import latest_screening, open_referrals, week_containing
from programs.logbook.windows import evaluation_window
from programs.plans.models import Plan, PlanSession, Prescription
from programs.plans.services.lifecycle import plan_generate, plan_refer, plan_set_status
from programs.plans.services.recording import (
    flare_window_start,
    progression_flag,
    progression_flare,
)
from rehab.accounts.models import User
from rehab.accounts.selectors import runners_of
from rehab.accounts.services import physios_alert, user_lock
from rehab.core.db import is_unique_violation, unique_conflict
from rehab.core.errors import ApplicationError, ConflictError, NotFoundError
from rehab.core.timeutils import local_today
from rehab.notifications.reminders import reminder_schedule_set


class ReferralOpenError(ConflictError):
    """A plan may not start or resume while a referral is open (409)."""

    code = "referral_open"


def _referral_open(*, runner, source: str, source_id: int, reasons, plan=None) -> Referral:
    user_lock(user=runner)
    return Referral.objects.create(
        runner=runner, source=source, source_id=source_id, reasons=list(reasons), plan=plan
    )


def _local_date(moment: dt.datetime, runner) -> dt.date:
    return local_today(runner.timezone, now=moment)


def _open_referral_message(referral: Referral, runner, *, resume: bool) -> str:
    day = date_format(_local_date(referral.opened_at, runner), "j F Y")
    if resume:
        return _(
            "There is an open referral from %(date)s: a clinician must clear it before the "
            "plan can resume."
        ) % {"date": day}
    return _(
        "There is an open referral from %(date)s: a clinician must clear it before a plan "
        "can start."
    ) % {"date": day}


def plan_start_check(runner: User) -> tuple[str, ...]:
    """May this runner start a plan now? Raises when not; returns the feature codes of
    the latest screening (RunnerContext.features).

    Refused while a referral is open (ReferralOpenError, 409), without a screening, and
    when the latest screening referred (then the runner answers it again once cleared,
    so the plan fits how the hip is now). plans.services.plan_generate requires this
    check (see its docstring): pass it, or call plan_start.
    """
    referrals = open_referrals(runner=runner)
    if referrals:
        raise ReferralOpenError(_open_referral_message(referrals[0], runner, resume=False))
    screening = latest_screening(runner=runner)
    if screening is None:
        raise ApplicationError(_("Complete the safety screening before a plan is made."))
    if screening.outcome != Screening.Outcome.OK:
        raise ApplicationError(
            _("The latest screening advised seeing a clinician first; no plan can start.")
        )
    return tuple(screening.features)


def plan_resume_check(runner: User, plan: Plan) -> None:
    """May this plan resume? Not while any referral of the runner is open; a plan a
    warning sign paused needs a cleared referral on record for it."""
    referrals = open_referrals(runner=runner)
    if referrals:
        raise ReferralOpenError(_open_referral_message(referrals[0], runner, resume=True))
    if (
        plan.status == Plan.Status.REFERRED
        and not Referral.objects.filter(plan=plan, cleared_at__isnull=False).exists()
    ):
        raise ReferralOpenError(
            _(
                "This plan was paused for a warning sign. It can resume once a clinician "
                "has cleared the referral."
            )
        )


def plan_start(*, runner, template, context, policy=None, created_by=None, weeks=None) -> Plan:
    """Start a plan for a runner, after the safety checks (plan_start_check): the one way
    every surface (the runner's set-up, the physio's start form, the API) creates a plan."""
    return plan_generate(
        runner=runner,
        template=template,
        context=context,
        start_check=plan_start_check,
        policy=policy,
        created_by=created_by,
        weeks=weeks,
    )


def plan_resume(*, plan: Plan, by, expected_version: int | None = None) -> Plan:
    """Resume a paused plan, or a plan a warning sign paused once its referral is cleared.
    Asked for by the runner or a linked physiotherapist, never automatic."""
    return plan_set_status(
        plan=plan,
        status=Plan.Status.ACTIVE,
        expected_version=expected_version,
        resume_check=plan_resume_check,
        by=by,
        today=local_today(plan.runner.timezone),
    )


# --- Clearing a referral -------------------------------------------------------------------


def _locked_open_referral(referral: Referral) -> Referral:
    referral = Referral.objects.select_for_update().select_related("runner").get(pk=referral.pk)
    if not referral.is_open:
        raise ConflictError(_("This referral is already cleared."))
    return referral


def _alert_cleared(referral: Referral, *, except_physio=None) -> None:
    physios_alert(
        runner=referral.runner,
        template="referral_cleared",
        dedupe_key=f"referral-cleared:{referral.pk}",
        path=f"/physio/runners/{referral.runner_id}/",
        except_physio=except_physio,
    )


@transaction.atomic
def referral_clear_by_physio(*, referral: Referral, physio: User, note: str) -> Referral:
    """A linked physiotherapist clears a referral: who, when and a note stay on the row."""
    if not runners_of(physio).filter(pk=referral.runner_id).exists():
        raise NotFoundError(_("Referral not found."))
    referral = _locked_open_referral(referral)
    note = (note or "").strip()
    if not note:
        raise ApplicationError(
            _("Add a note on why the runner may train."),
            fields={"note": [_("Write a short note.")]},
        )
    if len(note) > 2000:
        raise ApplicationError(
            _("The note is too long."), fields={"note": [_("Keep it under 2000 characters.")]}
        )
    referral.cleared_at = timezone.now()
    referral.clearance = Referral.Clearance.PHYSIO
    referral.cleared_by = physio
    referral.clearance_note = note
    referral.save(
        update_fields=["cleared_at", "clearance", "cleared_by", "clearance_note", "updated_at"]
    )
    _alert_cleared(referral, except_physio=physio)
    return referral


@transaction.atomic
def referral_clear_by_runner(
    *,
    referral: Referral,
    runner: User,
    clinician: str,
    assessed_on: dt.date | None,
    confirmed: bool,
) -> Referral:
    """The runner states that a clinician assessed them and cleared them to train: whom
    they saw, on which day (not in the future, not before the referral), confirmed."""
    if referral.runner_id != runner.pk:
        raise NotFoundError(_("Referral not found."))
    referral = _locked_open_referral(referral)
    fields: dict[str, list[str]] = {}
    clinician = (clinician or "").strip()
    if not clinician:
        fields["clinician"] = [_("Say whom you saw, for example a name or a role.")]
    elif len(clinician) > 200:
        fields["clinician"] = [_("Keep it under 200 characters.")]
    opened = _local_date(referral.opened_at, runner)
    if assessed_on is None:
        fields["assessed_on"] = [_("Give the date of the assessment.")]
    elif assessed_on > local_today(runner.timezone):
        fields["assessed_on"] = [_("Pick today or an earlier day.")]
    elif assessed_on < opened:
        fields["assessed_on"] = [
            _("The assessment must be on or after the day of the referral (%(date)s).")
            % {"date": date_format(opened, "j F Y")}
        ]
    if confirmed is not True:
        fields["confirmed"] = [_("Confirm that a clinician cleared you to train.")]
    if fields:
        raise ApplicationError(_("Some fields are not valid."), fields=fields)
    referral.cleared_at = timezone.now()
    referral.clearance = Referral.Clearance.RUNNER
    referral.cleared_by = runner
    referral.clinician = clinician
    referral.assessed_on = assessed_on
    referral.save(
        update_fields=[
            "cleared_at",
            "clearance",
            "cleared_by",
            "clinician",
            "assessed_on",
            "updated_at",
        ]
    )
    _alert_cleared(referral)
    return referral


@transaction.atomic
def screening_submit(*, runner: User, answers: ScreeningAnswers) -> Screening:
    """Store the screening. A referral is opened on the runner's record (a plan running now
    pauses with it) and alerts the linked physiotherapists. A clean screening clears no
    earlier referral."""
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
            "hip_signs": sorted(answers.hip_signs),
            "snapping": answers.snapping,
            "snapping_persistent": answers.snapping_persistent,
        },
        outcome=result.outcome,
        reasons=list(result.reasons),
        condition=result.condition or "",
        irritability=result.irritability or "",
        baseline_pain=answers.baseline_pain,
        source_keys=list(result.source_keys),
        features=list(result.features),
    )
    if result.outcome == Screening.Outcome.REFER:
        # A referral stays on the record until cleared; a plan running now pauses too.
        plan = _open_plan(runner)
        paused = plan is not None and plan_refer(plan=plan)
        _referral_open(
            runner=runner,
            source=Referral.Source.SCREENING,
            source_id=screening.pk,
            reasons=result.reasons,
            plan=plan if paused else None,
        )
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


def _full_clean(obj, **options) -> None:
    """The model's own checks, as an ApplicationError with field messages."""
    try:
        obj.full_clean(**options)
    except ValidationError as exc:
        raise ApplicationError(_("Some fields are not valid."), fields=exc.message_dict) from None


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
    # Looked up with the ids and keys the caller sent, whatever their type.
    prescriptions: dict[object, Prescription] = {
        p.pk: p for p in session.prescriptions.select_related("exercise")
    }
    by_slot: dict[object, Prescription] = {p.slot_key: p for p in prescriptions.values()}
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
    with unique_conflict(_("This session is already logged.")):
        log.save()
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
    if any(row.pain_changed_movement for row in rows):
        codes = sorted({*codes, MOVEMENT_CHANGE_CODE})
    if codes:
        _refer_now(runner, log.date, Referral.Source.SESSION_LOG, log.pk, codes)
    return log


def _refer_now(runner, date: dt.date, source: str, source_id: int, codes) -> None:
    """A warning sign in any log (a red-flag code, or pain that changed the movement: a
    limp) pauses the plan at once, opens a referral on the runner's
    record (also without a plan: none can start until it is cleared) and alerts the
    physio when a plan was paused."""
    plan = _open_plan(runner)
    flagged = False
    if plan is not None:
        window = evaluation_window(plan=plan, starts_on=date, ends_on=date)
        flagged = progression_flag(plan=plan, window=window)
    _referral_open(
        runner=runner,
        source=source,
        source_id=source_id,
        reasons=codes,
        plan=plan if flagged else None,
    )
    if flagged and plan is not None:
        physios_alert(
            runner=runner, template="plan_referred", dedupe_key=f"referred:{plan.pk}:{date}"
        )


@transaction.atomic
def checkin_create(
    *,
    runner: User,
    date: dt.date,
    pain: int,
    stiffness_minutes: int = 0,
    red_flags=(),
    settled_by_midday: bool | None = None,
) -> MorningCheckin:
    """One check-in per runner-local day: a second one for the same day is a conflict
    (the pages and the API offer to change the first instead)."""
    _check_date(runner, date)
    codes = _check_red_flags(red_flags)
    checkin = MorningCheckin(
        runner=runner,
        date=date,
        pain=pain,
        stiffness_minutes=stiffness_minutes,
        settled_by_midday=settled_by_midday,
        red_flags=codes,
    )
    checkin.full_clean(exclude=["runner"], validate_unique=False)
    with unique_conflict(_("You already answered the check-in for that day.")):
        checkin.save()
    if codes:
        _refer_now(runner, date, Referral.Source.CHECKIN, checkin.pk, codes)
    return checkin


_UNCHANGED = object()


@transaction.atomic
def checkin_update(
    *,
    runner: User,
    checkin: MorningCheckin,
    pain=_UNCHANGED,
    stiffness_minutes=_UNCHANGED,
    red_flags=_UNCHANGED,
    settled_by_midday=_UNCHANGED,
) -> MorningCheckin:
    """Change a check-in the runner gave (its date stays). A warning sign that was not
    there before pauses the plan and refers at once, as on a new check-in."""
    locked = MorningCheckin.objects.select_for_update().filter(pk=checkin.pk).first()
    if locked is None or locked.runner_id != runner.pk:
        raise NotFoundError(_("Check-in not found."))
    checkin = locked
    before = set(checkin.red_flags)
    changes = {
        "pain": pain,
        "stiffness_minutes": stiffness_minutes,
        "settled_by_midday": settled_by_midday,
    }
    if red_flags is not _UNCHANGED:
        changes["red_flags"] = _check_red_flags(red_flags)
    changed = [name for name, value in changes.items() if value is not _UNCHANGED]
    for name in changed:
        setattr(checkin, name, changes[name])
    _full_clean(checkin, exclude=["runner"], validate_unique=False)
    checkin.save(update_fields=[*changed, "updated_at"])
    added = sorted(set(checkin.red_flags) - before)
    if added:
        _refer_now(runner, checkin.date, Referral.Source.CHECKIN, checkin.pk, added)
    return checkin


@transaction.atomic
def run_log_create(*, runner: User, **fields) -> RunLog:
    _check_date(runner, fields["date"])
    fields["red_flags"] = _check_red_flags(fields.get("red_flags", ()))
    run = RunLog(runner=runner, **fields)
    run.full_clean(exclude=["runner"])
    run.save()
    codes = list(run.red_flags)
    if run.pain_changed_movement:
        codes = sorted({*codes, MOVEMENT_CHANGE_CODE})
    if codes:
        _refer_now(runner, run.date, Referral.Source.RUN_LOG, run.pk, codes)
    return run


# --- Runs: edit, delete, watch-file imports (#15) ----------------------------------------

RUN_FIELDS = (
    "date",
    "minutes",
    "distance_km",
    "walk_run_stage",
    "pain_during",
    "pain_after",
    "rpe",
    "pain_changed_movement",
    "terrain",
    "red_flags",
    "notes",
)


def _locked_run(runner: User, run: RunLog | int) -> RunLog:
    pk = run.pk if isinstance(run, RunLog) else run
    locked = RunLog.objects.select_for_update().filter(pk=pk, runner=runner).first()
    if locked is None:
        raise NotFoundError(_("Run not found."))
    return locked


def _run_warning_signs(runner: User, run: RunLog, before: set[str]) -> None:
    """A warning sign not there before (a red-flag code, or a limp) refers at once."""
    added = sorted(_run_signs(run) - before)
    if added:
        _refer_now(runner, run.date, Referral.Source.RUN_LOG, run.pk, added)


def _run_signs(run: RunLog) -> set[str]:
    return set(run.red_flags) | ({MOVEMENT_CHANGE_CODE} if run.pain_changed_movement else set())


@transaction.atomic
def run_log_update(*, runner: User, run: RunLog | int, **changes) -> RunLog:
    """Change a run of the runner's own (anyone else's is not found). A run whose pain was
    given cannot lose it; a warning sign added now refers at once, as on a new run."""
    unknown = set(changes) - set(RUN_FIELDS)
    if unknown:
        raise ApplicationError(
            _("Unknown field."), fields={name: [_("Unknown field.")] for name in sorted(unknown)}
        )
    locked = _locked_run(runner, run)
    before = _run_signs(locked)
    if "date" in changes:
        _check_date(runner, changes["date"])
    if "red_flags" in changes:
        changes["red_flags"] = _check_red_flags(changes["red_flags"])
    losing_pain = "pain_during" in changes and changes["pain_during"] is None
    if losing_pain and (locked.pain_during is not None or locked.source == RunLog.Source.MANUAL):
        raise ApplicationError(
            _("Some fields are not valid."),
            fields={"pain_during": [_("Give the pain during the run (0-10).")]},
        )
    for name, value in changes.items():
        setattr(locked, name, value)
    _full_clean(locked, exclude=["runner"], validate_unique=False)
    locked.save(update_fields=[*changes, "updated_at"])
    _run_warning_signs(runner, locked, before)
    return locked


@transaction.atomic
def run_log_delete(*, runner: User, run: RunLog | int) -> None:
    """Delete a run of the runner's own. A referral it opened stays on the record: a
    warning sign once reported is cleared by a clinician, not by deleting the log."""
    _locked_run(runner, run).delete()


@transaction.atomic
def run_answers_record(*, runner: User, answers: dict[int, dict]) -> list[RunLog]:
    """The pain during and after, and the effort, of imported runs: all or none."""
    saved = []
    for pk, fields in answers.items():
        extra = set(fields) - {"pain_during", "pain_after", "rpe"}
        if extra:
            raise ApplicationError(
                _("Unknown field."), fields={f: [_("Unknown field.")] for f in sorted(extra)}
            )
        saved.append(run_log_update(runner=runner, run=pk, **fields))
    return saved


@dataclass
class RunImport:
    created: list[RunLog] = field(default_factory=list)
    existing: list[RunLog] = field(default_factory=list)  # files imported before
    # Hilly runs in a week whose prescription asks for flat running (§F3): run -> rules.
    against_terrain: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @property
    def runs(self) -> list[RunLog]:
        return [*self.created, *self.existing]


def _week_terrain_rules(runner: User, day: dt.date) -> tuple[str, ...]:
    plan = _open_plan(runner)
    if plan is None:
        return ()
    week = week_containing(plan=plan, day=day)
    return tuple(week.run.get("terrain_rules") or ()) if week is not None else ()


def _imported_fields(runner: User, name: str, parsed: WatchRun) -> dict:
    """The run's fields from a parsed file, or WatchFileError (the file's own problem)."""
    day = _local_date(parsed.started_at, runner)
    if day > _runner_today(runner):
        raise WatchFileError(_("The run is dated in the future."))
    minutes = max(1, round(parsed.duration_s / 60))
    if minutes > 600:
        raise WatchFileError(_("The run is longer than 10 hours: is this a run?"))
    km = None
    if parsed.distance_m:
        km = (Decimal(str(parsed.distance_m)) / 1000).quantize(Decimal("0.01"))
        if km > 300:
            raise WatchFileError(_("That distance is not plausible for one run."))
    check = terrain_check(distance_m=parsed.distance_m, elevation_gain_m=parsed.elevation_gain_m)
    return {
        "date": day,
        "minutes": minutes,
        "distance_km": km,
        "started_at": parsed.started_at,
        "elevation_gain_m": round(parsed.elevation_gain_m) if parsed.elevation_gain_m else None,
        "hilly": check.hilly,
        "terrain": RunLog.Terrain.HILLS if check.hilly else RunLog.Terrain.FLAT,
        "source": parsed.kind,
        "content_hash": parsed.content_hash,
    }


@transaction.atomic
def run_import(*, runner: User, files: list[tuple[str, bytes]]) -> RunImport:
    """Runs from watch files (GPX, TCX, FIT), one or several at a time: all or nothing.

    Every file is read first; one that cannot be imported (empty, too large, damaged, not a
    watch file, a run in the future) fails the whole request, naming the file, and nothing
    is written. A file imported before is reported as existing, not imported again (the
    unique runner + sha256 constraint also settles two imports of it at the same moment).
    The runs wait for their pain during and after (run_answers_record).
    """
    if not files:
        raise ApplicationError(
            _("Choose at least one file."), fields={"files": [_("Choose at least one file.")]}
        )
    if len(files) > settings.RUN_IMPORT_MAX_FILES:
        message = _("At most %(n)s files at a time.") % {"n": settings.RUN_IMPORT_MAX_FILES}
        raise ApplicationError(message, fields={"files": [message]})
    problems, rows = [], []
    for name, data in files:
        try:
            rows.append(_imported_fields(runner, name, read_watch_file(name, data)))
        except WatchFileError as error:
            problems.append(_("%(file)s: %(problem)s") % {"file": name or "?", "problem": error})
    if problems:
        raise ApplicationError(
            _("No run was imported. Fix the files and try again."), fields={"files": problems}
        )
    result = RunImport()
    seen: set[str] = set()
    for row in rows:
        if row["content_hash"] in seen:
            continue
        seen.add(row["content_hash"])
        found = RunLog.objects.filter(runner=runner, content_hash=row["content_hash"]).first()
        if found is None:
            try:
                with transaction.atomic():
                    run = RunLog(runner=runner, **row)
                    run.full_clean(exclude=["runner", "content_hash"], validate_unique=False)
                    run.save()
            except IntegrityError as exc:
                if not is_unique_violation(exc):
                    raise
                found = RunLog.objects.get(runner=runner, content_hash=row["content_hash"])
            except ValidationError as exc:
                raise ApplicationError(
                    _("Some fields are not valid."), fields=exc.message_dict
                ) from None
            else:
                result.created.append(run)
        if found is not None:
            result.existing.append(found)
    for run in result.runs:
        if run.hilly:
            broken = terrain_check(
                distance_m=float(run.distance_km or 0) * 1000 or None,
                elevation_gain_m=run.elevation_gain_m,
                terrain_rules=_week_terrain_rules(runner, run.date),
            ).breaks_rules
            if broken:
                result.against_terrain[run.pk] = broken
    return result


@transaction.atomic
def flare_up_report(
    *, runner: User, date: dt.date, severity: int, note: str = "", red_flags=()
) -> FlareUp:
    """Log a flare-up and how bad it is (0-10): the engine evaluates the last days at
    once (the change applies, or waits for the physio when the plan asks for approval)
    and the physio is told."""
    _check_date(runner, date)
    codes = _check_red_flags(red_flags)
    flare = FlareUp(runner=runner, date=date, severity=severity, note=note, red_flags=codes)
    _full_clean(flare, exclude=["runner"])
    flare.save()
    plan = _open_plan(runner)
    if codes:
        _refer_now(runner, date, Referral.Source.FLARE_UP, flare.pk, codes)
    if plan is not None:
        if not codes:
            progression_flare(
                plan=plan,
                window=evaluation_window(
                    plan=plan, starts_on=flare_window_start(plan, date), ends_on=date
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
        plan = plan_start(runner=runner, template=template, context=context, weeks=weeks)
        questionnaire_record(runner=runner, week=0, scores=scores)
        for kind, at in (("session", reminder_time), ("checkin", checkin_time)):
            reminder_schedule_set(
                user=runner, kind=kind, local_time=at or dt.time(8), enabled=at is not None
            )
        preferences_for(runner)
        # The set-up's draft has served: it goes in the same transaction as the plan.
        SetupDraft.objects.filter(runner=runner).delete()
    return plan


@transaction.atomic
def setup_draft_save(*, runner: User, step: str, answers: dict) -> SetupDraft:
    """Store one step's validated answers on the runner's set-up draft (made on the first
    step), replacing that step's earlier answers; the other steps stay as they are."""
    draft, _created = SetupDraft.objects.select_for_update().get_or_create(runner=runner)
    draft.answers = {**draft.answers, step: answers}
    draft.save(update_fields=["answers", "updated_at"])
    return draft


@transaction.atomic
def setup_draft_delete(*, runner: User) -> None:
    """Throw the set-up draft away (the runner starts over)."""
    SetupDraft.objects.filter(runner=runner).delete()
