"""Turn the plan-create input into the service call (parsing only, no rules)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from programs.api.plans import selectors
from programs.engine.specs import RunnerContext, RunningStatus
from programs.logbook.selectors import latest_screening
from programs.logbook.services import plan_start
from programs.plans.models import Plan
from rehab.accounts.models import User
from rehab.accounts.selectors import runners_of
from rehab.core.ids import parse_ref
from rehab.core.timeutils import local_today


def _runner_for(user: User, runner_id: int | None) -> User:
    """A runner plans for themselves; a physio for a linked runner. Anything else is refused."""
    if user.is_runner and runner_id in (None, user.pk):
        return user
    if user.is_physio and runner_id is not None:
        runner = runners_of(user).filter(pk=runner_id).first()
        if runner is not None:
            return runner
    raise ValidationError({"runner": [_("Not a runner you can make a plan for.")]})


def _template(ref: str):
    template = selectors.templates_list().filter(is_block=False)
    lookup = parse_ref(ref)
    found = template.filter(**lookup).first() if lookup else None
    if found is None:
        raise ValidationError({"template": [_("No such template.")]})
    return found


def plan_generate_from_input(*, user: User, data: dict) -> Plan:
    """The plan-create input as a call of logbook's plan_start, which refuses a runner
    without a clear screening or with an open referral (409 referral_open) and fills the
    context's features from the latest screening."""
    runner = _runner_for(user, data.get("runner"))
    template = _template(data["template"])
    screening = latest_screening(runner=runner)
    running = data.get("running") or {"mode": "not_running"}
    context = RunnerContext(
        condition=template.condition.code,
        irritability=data.get("irritability")
        or (screening.irritability if screening and screening.irritability else "moderate"),
        baseline_pain=float(
            data["baseline_pain"]
            if data.get("baseline_pain") is not None
            else (screening.baseline_pain if screening else 0)
        ),
        equipment=frozenset(data["equipment"]) or frozenset({"none"}),
        strength_days_per_week=data["strength_days_per_week"],
        preferred_weekdays=tuple(data["preferred_weekdays"]),
        long_run_weekday=data.get("long_run_weekday"),
        hard_session_weekdays=tuple(data["hard_session_weekdays"]),
        running=RunningStatus(
            mode=running["mode"],
            walk_run_stage=running.get("walk_run_stage"),
            weekly_minutes=running.get("weekly_minutes", 0),
        ),
        start_date=data.get("start_date") or local_today(runner.timezone),
        timezone=runner.timezone,
    )
    return plan_start(runner=runner, template=template, context=context, created_by=user)
