"""Helpers shared by the runner page tests."""

from __future__ import annotations

import datetime as dt

from programs.content.models import ProgramTemplate
from programs.engine.screening import HIP_JOINT_QUESTIONS, RED_FLAGS
from programs.logbook.services import plan_start
from programs.plans.models import PlanSession
from rehab.core.timeutils import local_today
from tests.programs.conftest import runner_context


def today_for(user) -> dt.date:
    return local_today(user.timezone)


def plan_for(runner, *, weeks=12, start=None, days=(0, 1, 2, 3, 4, 5, 6), per_week=3, policy=None):
    """A plan that starts today (or `start`) for a screened runner."""
    start = start or today_for(runner)
    return plan_start(
        runner=runner,
        template=ProgramTemplate.objects.get(slug="gluteal-tendinopathy"),
        context=runner_context(
            start_date=start,
            preferred_weekdays=tuple(days),
            strength_days_per_week=per_week,
        ),
        policy=policy,
        weeks=weeks,
    )


def first_session(plan, *, on_or_before=None):
    sessions = PlanSession.objects.filter(plan=plan).order_by("date", "kind")
    if on_or_before is not None:
        sessions = sessions.filter(date__lte=on_or_before)
    return sessions.prefetch_related("prescriptions").first()


def player_data(session, **overrides) -> dict:
    """A valid POST for the session player, with per-exercise overrides like ex0_pain_during."""
    data = {"session-pain_after": "1", "session-notes": ""}
    for index, rx in enumerate(session.prescriptions.all()):
        prefix = f"ex{rx.pk}-"
        data[prefix + "sets_done"] = str(rx.sets)
        data[prefix + "reps"] = str(rx.reps or 1)
        if rx.hold_seconds:
            data[prefix + "hold_seconds"] = str(rx.hold_seconds)
        data[prefix + "rpe"] = "4"
        data[prefix + "pain_during"] = "1"
        for key, value in overrides.items():
            if key.startswith(f"ex{index}_"):
                data[prefix + key.split("_", 1)[1]] = value
    for key, value in overrides.items():
        if key.startswith("session-"):
            data[key] = value
    return data


def setup_data(**changes) -> dict:
    data = {
        "template": ProgramTemplate.objects.get(slug="gluteal-tendinopathy").pk,
        "start_date": "",  # setup_through_steps: the runner's today unless given
        "baseline_pain": "3",
        "running_mode": "not_running",
        "weekly_minutes": "0",
        "longest_run": "0",
        "running_days": "0",
        "equipment": ["mat", "belt", "wall", "step", "mini_band", "chair"],
        "strength_days": "3",
        "weekdays": ["0", "1", "2", "3", "4", "5", "6"],
        "long_run_day": "",
        "reminder_time": "18:00",
        "checkin_time": "08:00",
        "psfs_activity_1": "Running 5 km",
        "psfs_score_1": "4",
    }
    for i in range(1, 21):
        data[f"lefs_{i}"] = "3"
    data.update(changes)
    return data


NO_FLAGS = dict.fromkeys(RED_FLAGS, "no")
# A screening form with no referral trigger: no red flag, no hip-joint sign, no snapping.
SCREENING_CLEAR = {
    **dict.fromkeys([*RED_FLAGS, *HIP_JOINT_QUESTIONS], "no"),
    "hip_snapping": "none",
}


def setup_page_data(key: str, data: dict) -> dict:
    """The part of a whole set-up's data that one page of the set-up asks."""
    from programs.runner.forms import SETUP_PAGE_BY_KEY

    return {name: data[name] for name in SETUP_PAGE_BY_KEY[key].fields if name in data}


def setup_through_steps(client, data: dict, *, confirm: bool = True, stop_before: str = ""):
    """Answer the pages of the set-up with `data` (setup_data()) in order, then confirm
    on the review (unless not `confirm`, or `stop_before` names the page to stop at).
    Returns the last answer; stops at the first page that does not move on."""
    from programs.runner.forms import SETUP_PAGES

    if not data.get("start_date"):
        from rehab.accounts.models import User

        runner = User.objects.get(pk=client.session["_auth_user_id"])
        data = {**data, "start_date": today_for(runner).isoformat()}
    response = None
    for page in SETUP_PAGES:
        if page.key == stop_before:
            return response
        response = client.post(f"/plan/setup/{page.key}/", setup_page_data(page.key, data))
        if response.status_code != 302:
            return response
    if not confirm:
        return response
    return client.post("/plan/setup/review/")
