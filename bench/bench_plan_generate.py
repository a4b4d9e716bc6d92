"""Generating and storing a 12-week plan (planner + persistence) on the configured database."""

from __future__ import annotations

import datetime as dt

from bench.support import summary_ms, throwaway_database, timed


def run() -> list[tuple[str, str]]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from programs.exercises.content_loader import content_load_directory
    from programs.logbook.models import Screening
    from programs.plans.models import ProgramTemplate
    from programs.plans.samples import sample_runner_context
    from programs.plans.services import plan_generate
    from rehab.accounts.models import User

    with throwaway_database():
        content_load_directory()
        template = ProgramTemplate.objects.get(slug="gluteal-tendinopathy")
        runners = []
        for index in range(40):
            runner = User.objects.create(email=f"g{index}@bench.example", password="!")  # noqa: S106
            Screening.objects.create(
                runner=runner,
                answers={},
                outcome="ok",
                baseline_pain=3,
                condition="gluteal_tendinopathy",
            )
            runners.append(runner)
        context = sample_runner_context(start_date=dt.date(2026, 11, 30))
        queue = iter(runners)

        def generate():
            with transaction.atomic():
                plan_generate(runner=next(queue), template=template, context=context, weeks=12)

        generate()  # warm the caches once
        with CaptureQueriesContext(connection) as captured:
            generate()
        samples = timed(generate, 30)
    return [
        (f"plan_generate, 12 weeks, stored on {connection.vendor}", summary_ms(samples)),
        ("queries per generated plan", str(len(captured.captured_queries))),
    ]
