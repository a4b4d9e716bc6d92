"""Runner pages: "this week" and the session player with a 12-week plan and 3 months of logs."""

from __future__ import annotations

import datetime as dt
import functools

from bench.support import summary_ms, throwaway_database, timed


def _history(runner, plan, today) -> None:
    from programs.logbook.services import checkin_create, run_log_create, session_log_create
    from programs.plans.models import PlanSession

    for session in PlanSession.objects.filter(plan=plan, date__lt=today).prefetch_related(
        "prescriptions"
    ):
        session_log_create(
            runner=runner,
            session=session,
            exercises=[
                {
                    "prescription": rx.pk,
                    "sets_done": rx.sets,
                    "reps_done": [rx.reps or 1] * rx.sets,
                    "hold_seconds": rx.hold_seconds,
                    "pain_during": 1,
                }
                for rx in session.prescriptions.all()
            ],
            pain_after=1,
        )
    for days in range(1, 90):
        day = today - dt.timedelta(days=days)
        checkin_create(runner=runner, date=day, pain=2)
        if days % 2:
            run_log_create(runner=runner, date=day, minutes=25, pain_during=1)


def _counter(queries: list[str]):
    def wrapper(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def run() -> list[tuple[str, str]]:
    from django.db import connection
    from django.test import Client

    from programs.content.loader import content_load_directory
    from programs.content.models import ProgramTemplate
    from programs.engine.samples import sample_runner_context
    from programs.logbook.models import Screening
    from programs.logbook.services import plan_start
    from programs.plans.models import PlanSession
    from rehab.accounts.models import Role, User
    from rehab.core.timeutils import local_today

    with throwaway_database():
        content_load_directory()
        runner = User.objects.create_user(
            "bench.runner@example.com", "a-long-enough-password", role=Role.RUNNER
        )
        Screening.objects.create(
            runner=runner,
            answers={},
            outcome="ok",
            condition="gluteal_tendinopathy",
            irritability="moderate",
            baseline_pain=3,
        )
        today = local_today(runner.timezone)
        start = today - dt.timedelta(weeks=11)
        plan = plan_start(
            runner=runner,
            template=ProgramTemplate.objects.get(slug="gluteal-tendinopathy"),
            context=sample_runner_context(
                start_date=start,
                timezone=runner.timezone,
                equipment=frozenset({"none", "mat", "belt", "wall", "step", "mini_band"}),
            ),
            weeks=12,
        )
        _history(runner, plan, today)
        session = PlanSession.objects.filter(plan=plan, log__isnull=True).order_by("date").first()
        if session is None:
            raise RuntimeError("the benchmark plan has no session left to open")
        client = Client()
        client.force_login(runner)
        results = []
        for label, url in (
            ("this week", "/week/"),
            ("session player", f"/sessions/{session.pk}/"),
            ("progress", "/progress/"),
        ):
            client.get(url)
            queries: list[str] = []
            with connection.execute_wrapper(_counter(queries)):
                status = client.get(url).status_code
            samples = timed(functools.partial(client.get, url), 50)
            results.append(
                (
                    f"{label}, 12-week plan, 3 months of logs, {connection.vendor}",
                    f"{summary_ms(samples)}, {len(queries)} queries, HTTP {status}",
                )
            )
        return results
