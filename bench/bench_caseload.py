"""Caseload at clinic scale: the caseload page and GET /api/v1/patients/ for a physio with 30 and 300 linked runners, each with 3 months of logs.

Server time is measured in-process through Django's test client (wall clock, and the
process's CPU time per request, which a busy machine inflates less). BENCH_CASELOAD sets
the sizes (default 30,300), BENCH_CASELOAD_REPEAT the requests per figure (default 30).
Found by bench/__main__.py like every bench_* module (`python -m bench bench_caseload`).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from functools import partial

from bench.support import summary_ms, throwaway_database, timed

SIZES = tuple(int(n) for n in os.environ.get("BENCH_CASELOAD", "30,300").split(","))
REPEAT = int(os.environ.get("BENCH_CASELOAD_REPEAT", "30"))


def _history(runners_plans, today) -> None:
    """Three months of logs per runner, written in bulk: every past session done, a
    check-in every morning, a run every other day, a flare-up for every tenth runner."""
    from programs.logbook.models import ExerciseLog, FlareUp, MorningCheckin, RunLog, SessionLog
    from programs.plans.models import PlanSession

    plans = {plan.pk: runner for runner, plan in runners_plans}
    sessions = list(
        PlanSession.objects.filter(plan_id__in=plans, date__lt=today).prefetch_related(
            "prescriptions"
        )
    )
    logs = SessionLog.objects.bulk_create(
        [
            SessionLog(runner=plans[s.plan_id], session=s, date=s.date, pain_after=1 + s.pk % 3)
            for s in sessions
        ]
    )
    ExerciseLog.objects.bulk_create(
        [
            ExerciseLog(
                session_log=log,
                prescription=rx,
                slot_key=rx.slot_key,
                exercise_id=rx.exercise_id,
                sets_done=rx.sets,
                reps_done=[rx.reps or 1] * rx.sets,
                hold_seconds=rx.hold_seconds,
                pain_during=1 + (log.pk + i) % 3,
            )
            for log, s in zip(logs, sessions, strict=True)
            for i, rx in enumerate(s.prescriptions.all())
        ],
        batch_size=2000,
    )
    checkins, runs, flares = [], [], []
    for n, (runner, _plan) in enumerate(runners_plans):
        for days in range(1, 91):
            day = today - dt.timedelta(days=days)
            checkins.append(MorningCheckin(runner=runner, date=day, pain=(n + days) % 4))
            if days % 2:
                runs.append(
                    RunLog(runner=runner, date=day, minutes=25, pain_during=1, pain_after=1)
                )
        if n % 10 == 0:
            flares.append(FlareUp(runner=runner, date=today - dt.timedelta(days=3), severity=5))
    MorningCheckin.objects.bulk_create(checkins, batch_size=2000)
    RunLog.objects.bulk_create(runs, batch_size=2000)
    FlareUp.objects.bulk_create(flares)


def _seed(physio, count: int, start_index: int, today):
    from django.utils import timezone

    from programs.content.models import ProgramTemplate
    from programs.engine.samples import sample_runner_context
    from programs.logbook.models import Screening
    from programs.logbook.services import plan_start
    from rehab.accounts.models import CareLink, Role, User

    template = ProgramTemplate.objects.get(slug="gluteal-tendinopathy")
    start = today - dt.timedelta(weeks=12)
    made = []
    for i in range(start_index, start_index + count):
        runner = User.objects.create_user(
            f"bench.runner{i}@example.com",
            None,
            role=Role.RUNNER,
            first_name=f"Runner{i:03d}",
            last_name="Bench",
        )
        CareLink.objects.create(
            physio=physio, runner=runner, status="active", consent_given_at=timezone.now()
        )
        Screening.objects.create(
            runner=runner,
            answers={},
            outcome="ok",
            condition="gluteal_tendinopathy",
            irritability="moderate",
            baseline_pain=3,
        )
        plan = plan_start(
            runner=runner,
            template=template,
            context=sample_runner_context(
                start_date=start,
                timezone=runner.timezone,
                equipment=frozenset({"none", "mat", "belt", "wall", "step", "mini_band"}),
            ),
            weeks=16,
        )
        made.append((runner, plan))
    _history(made, today)


def _count_queries(client, url) -> tuple[int, int]:
    from django.db import connection

    queries: list[str] = []

    def wrapper(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        status = client.get(url).status_code
    return len(queries), status


def run() -> list[tuple[str, str]]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings

    from programs.content.loader import content_load_directory
    from rehab.accounts.models import Role, User
    from rehab.core.timeutils import local_today

    results = []
    with throwaway_database(), override_settings(PHYSIO_MFA_REQUIRED=False):
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        content_load_directory()
        physio = User.objects.create_user(
            "bench.physio@example.com", None, role=Role.PHYSIO, first_name="Bench"
        )
        today = local_today(physio.timezone)
        client = Client()
        client.force_login(physio)
        seeded = 0
        for size in SIZES:
            _seed(physio, size - seeded, seeded, today)
            seeded = size
            for label, url in (
                ("caseload page", "/physio/"),
                ("caseload page, filtered and sorted", "/physio/?trend=rising&sort=-adherence"),
                ("GET /api/v1/patients/", "/api/v1/patients/?limit=50"),
                ("GET /api/v1/patients/?flag=", "/api/v1/patients/?flag=no_log_7_days&limit=50"),
            ):
                client.get(url)
                count, status = _count_queries(client, url)
                cpu_started = time.process_time()
                samples = timed(partial(client.get, url), REPEAT)
                cpu = (time.process_time() - cpu_started) / REPEAT * 1000
                results.append(
                    (
                        f"{label}, {size} runners, {connection.vendor}",
                        f"{summary_ms(samples)} (CPU {cpu:.0f} ms a request), "
                        f"{count} queries, HTTP {status}",
                    )
                )
        results.append(("load average while measuring (1 min)", f"{os.getloadavg()[0]:.1f}"))
    return results
