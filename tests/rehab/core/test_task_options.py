"""Every project task takes one of the option sets of rehab.core.task_options."""

import pytest
from django.conf import settings

from rehab.celery import app
from rehab.core import task_options
from rehab.notifications import leasing

SETS = {
    name: dict(getattr(task_options, name))
    for name in ("SEND", "EVERY_MINUTE", "SWEEP", "BATCH", "PLAN_JOB")
}
OPTIONS = ("acks_late", "time_limit", "soft_time_limit", "max_retries", "autoretry_for")


def _project_tasks():
    app.loader.import_default_modules()
    return sorted(
        (name, task) for name, task in app.tasks.items() if name.startswith(("rehab.", "programs."))
    )


def _options(task) -> dict:
    defaults = {"acks_late": False, "time_limit": None, "soft_time_limit": None}
    found = {}
    for option in OPTIONS:
        value = getattr(task, option, None)
        if option == "max_retries" and not getattr(task, "autoretry_for", ()):
            continue  # Celery's default of 3 is never used without autoretry_for
        if value not in (None, (), defaults.get(option)):
            found[option] = tuple(value) if option == "autoretry_for" else value
    return found


def _expected(options: dict) -> dict:
    return {
        k: tuple(v) if k == "autoretry_for" else v
        for k, v in options.items()
        if k in OPTIONS and v not in (False, None)
    }


def test_the_project_has_tasks_of_each_kind():
    names = [name for name, _task in _project_tasks()]
    assert "rehab.notifications.tasks.deliver_email" in names
    assert "programs.logbook.tasks.relayout_plan" in names
    assert "rehab.core.tasks.purge_request_keys" in names


@pytest.mark.parametrize(
    ("name", "task"), _project_tasks(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_each_task_takes_one_option_set(name, task):
    assert _options(task) in [_expected(s) for s in SETS.values()], name


@pytest.mark.parametrize(
    ("name", "task"), _project_tasks(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_late_acked_tasks_end_inside_the_visibility_timeout(name, task):
    if task.acks_late:
        worst = task.time_limit + (
            task_options.RETRY_BACKOFF_MAX if getattr(task, "autoretry_for", ()) else 0
        )
        assert worst < settings.CELERY_VISIBILITY_TIMEOUT, name


def test_the_outbox_retries_as_often_as_the_send_task():
    assert 1 + task_options.SEND["max_retries"] == leasing.MAX_ATTEMPTS
    assert leasing.BACKOFF_MAX.total_seconds() == task_options.SEND["retry_backoff_max"]
